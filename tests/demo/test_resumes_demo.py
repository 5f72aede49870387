import pytest

from qihang.audit.models import SensitiveRead
from qihang.resumes.models import MediaItem, Repertoire, Resume, Teaching


@pytest.mark.django_db
def test_the_demo_has_resumes_and_portfolios(demo):
    by_school = set(Resume.objects.values_list("institution__code", flat=True))
    assert by_school == {"90001", "90002"}
    assert Resume.objects.filter(discoverable=True).exists()
    assert Resume.objects.filter(discoverable=False).exists()
    # Performers with repertoire and recordings as links; teachers with teaching.
    assert Repertoire.objects.exists() and Teaching.objects.exists()
    assert MediaItem.objects.filter(kind="link").exclude(platform="").exists()
    assert not MediaItem.objects.exclude(kind="link").exists()  # no files in the demo
    # Graduates with a demo login have a résumé.
    assert Resume.objects.filter(graduate__user__isnull=False).exists()
    reads = SensitiveRead.objects.filter(target_type="resumes.resume")
    assert reads.exists()
    read = Resume.objects.filter(pk__in=[int(r) for r in reads.values_list("target_id", flat=True)])
    assert not read.filter(discoverable=False).exists()


@pytest.mark.django_db
def test_the_demo_pages_show_them(demo, client):
    from django.urls import reverse

    from qihang.employers.models import EmployerMember

    resume = (
        Resume.objects.filter(graduate__user__isnull=False, discoverable=True)
        .select_related("graduate__user")
        .order_by("pk")
        .first()
    )
    client.force_login(resume.graduate.user)
    page = client.get(reverse("resumes:mine"))
    assert page.status_code == 200 and "教育经历" in page.content.decode()
    assert client.get(reverse("resumes:own_print")).status_code == 200
    member = EmployerMember.objects.filter(
        employer__standings__institution=resume.institution,
        employer__standings__status="verified",
        is_active=True,
    ).first()
    client.force_login(member.user)
    listing = client.get(reverse("resumes:employer_list"))
    assert (
        listing.status_code == 200
        and resume.graduate.name in listing.content.decode()
        or (listing.context["page"].paginator.count > 30)
    )
    detail = client.get(reverse("resumes:employer_detail", args=[resume.graduate_id]))
    assert detail.status_code == 200
