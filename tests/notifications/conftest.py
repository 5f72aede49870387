import pytest


@pytest.fixture(autouse=True)
def addresses(db, request):
    """The personas have no e-mail address by default; messages need one."""
    if "school" not in request.fixturenames:
        return
    school = request.getfixturevalue("school")
    for role in ("centre", "dept_staff", "teacher", "leader", "graduate_user"):
        user = getattr(school, role)
        user.email = f"{role}@dfcm.example"
        user.save(update_fields=["email"])
