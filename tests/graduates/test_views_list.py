import pytest
from django.utils import timezone

from qihang.destinations.models import Destination, DestinationCode, ReviewStatus, Source
from qihang.graduates.models import Graduate, KeyGroupKind
from qihang.institutions.models import DegreeLevel
from qihang.institutions.services import major_get_or_create
from tests.factories import confirm_key_group, make_graduate

URL = "/graduates/"


def make_destination(graduate, code: str = "10", status: str = ReviewStatus.SUBMITTED):
    """A destination row as the destinations app would leave it (enough for the roster pages)."""
    destination_code = DestinationCode.objects.filter(code=code).order_by("-code_set_id").first()
    now = timezone.now()
    extra = {}
    if status == ReviewStatus.APPROVED:
        extra = {"approved_at": now, "official_code": destination_code}
    if status == ReviewStatus.RETURNED:
        extra = {"return_reason": "材料不全"}
    return Destination.objects.create(
        institution_id=graduate.institution_id,
        cohort_id=graduate.cohort_id,
        graduate=graduate,
        code=destination_code,
        employer_name="上海交响乐团" if code in ("10", "11") else "",
        source=Source.SELF_REPORT,
        status=status,
        submitted_at=now,
        **extra,
    )


def add_graduates(school, n: int) -> None:
    for i in range(n):
        graduate = make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[i % 2],
            student_no=f"x{i:05d}",
            name=f"学生{i}",
            male=bool(i % 2),
        )
        if i % 3 == 0:
            make_destination(graduate, "10" if i % 2 else "80")


def rows(response) -> list[str]:
    return [g.student_no for g, _d in response.context["rows"]]


@pytest.mark.django_db
def test_list_shows_the_columns_masked(school, client_for):
    make_destination(school.graduates[0], "11", ReviewStatus.APPROVED)
    response = client_for(school.centre).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for header in (
        "学号",
        "姓名",
        "性别",
        "院系",
        "专业",
        "学历层次",
        "身份证号",
        "手机号",
        "去向",
        "审核状态",
    ):
        assert f">{header}</th>" in html
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    plaintext = graduate.id_number.reveal_unlogged()
    assert plaintext not in html
    assert str(graduate.id_number) in html  # 3101************xx
    assert "13812345678" not in html
    assert "138****5678" in html
    assert "11 签劳动合同形式就业" in html
    assert "已审批" in html


@pytest.mark.django_db
def test_list_is_scoped_to_the_actor(school, other_school, client_for):
    def visible(user):
        return rows(client_for(user).get(URL))

    assert visible(school.centre) == [g.student_no for g in school.graduates]
    assert visible(school.leader) == [g.student_no for g in school.graduates]
    assert visible(school.dept_staff) == [g.student_no for g in school.graduates[:2]]
    assert visible(school.teacher) == [school.graduates[0].student_no]
    # Another school's graduates never appear, even when asked for by department.
    theirs = other_school.departments[0].pk
    assert visible(school.centre) and not rows(
        client_for(school.centre).get(URL, {"department": theirs})
    )


@pytest.mark.django_db
def test_graduates_cannot_open_the_roster(school, client_for):
    assert client_for(school.graduate_user).get(URL).status_code == 403


@pytest.mark.django_db
def test_filters(school, client_for):
    a, b, c = school.graduates
    make_destination(a, "10", ReviewStatus.APPROVED)
    make_destination(b, "502", ReviewStatus.RETURNED)  # 三支一扶 reports under 50
    kind = KeyGroupKind.objects.order_by("sort_order").first()
    confirm_key_group(c, kind)
    master = major_get_or_create(
        department=school.departments[1], degree_level=DegreeLevel.MASTER, name="音乐表演"
    )
    d = make_graduate(
        institution=school.institution,
        cohort=school.cohort,
        major=master,
        student_no="a2020104",
        name="钱多多",
    )
    client = client_for(school.centre)

    def found(**params):
        return rows(client.get(URL, params))

    assert found(department=school.departments[0].pk) == [a.student_no, b.student_no]
    assert found(major=school.majors[1].pk) == [c.student_no]
    assert found(degree_level=DegreeLevel.MASTER) == [d.student_no]
    assert found(status="none") == [c.student_no, d.student_no]
    assert found(status="approved") == [a.student_no]
    assert found(status="returned") == [b.student_no]
    assert found(code="10") == [a.student_no]
    assert found(code="50") == [b.student_no]
    assert found(key_group=kind.pk) == [c.student_no]
    assert found(q="钱") == [d.student_no]
    assert found(q=a.student_no) == [a.student_no]
    assert found(q="a2020") == [a.student_no, b.student_no, c.student_no, d.student_no]
    # Nonsense values filter nothing rather than failing.
    assert len(found(department="abc", degree_level="x", page="zz")) == 4


@pytest.mark.django_db
def test_pagination_is_fifty_per_page(school, client_for):
    add_graduates(school, 60)
    client = client_for(school.centre)
    first = client.get(URL)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 63
    second = client.get(URL, {"page": 2})
    assert len(second.context["rows"]) == 13
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.django_db
def test_cohort_choice(school, client_for):
    from qihang.institutions.services import cohort_get_or_create

    older = cohort_get_or_create(institution=school.institution, year=2019)
    make_graduate(
        institution=school.institution, cohort=older, major=school.majors[0], student_no="a2019001"
    )
    client = client_for(school.centre)
    assert client.get(URL).context["cohort"].year == 2020  # latest by default
    assert rows(client.get(URL, {"cohort": 2019})) == ["a2019001"]


def list_queries(django_assert_num_queries, client, expected: int) -> None:
    # Expected queries for the career centre's list page:
    #  1 session, 2 user, 3 memberships (actor), 4 their departments (prefetch),
    #  5 cohorts, 6 paginator count, 7 the page of graduates (joined with department, major,
    #  destination and its code, user, mentor), 8 departments, 9 majors, 10 key-group kinds,
    #  11 cohort policy, 12 destination codes, 13 teachers (mentor choices),
    #  14 account summary (one aggregate), 15 the institution's name (header),
    #  16 unread notifications (navigation), 17 the OTP device that verified the session
    #  (accounts.mfa: the career centre confirms a code).
    with django_assert_num_queries(expected):
        response = client.get(URL)
    assert response.status_code == 200


@pytest.mark.django_db
def test_query_count_does_not_grow_with_graduates(school, client_for, django_assert_num_queries):
    client = client_for(school.centre)
    add_graduates(school, 2)  # 5 graduates
    list_queries(django_assert_num_queries, client, 17)
    add_graduates_more = 55
    for i in range(add_graduates_more):
        graduate = make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[i % 2],
            student_no=f"y{i:05d}",
            mentor=school.teacher,
        )
        if i % 2:
            make_destination(graduate, "80", ReviewStatus.DEPARTMENT_REVIEWED)
    list_queries(django_assert_num_queries, client, 17)  # 60 graduates, same count


@pytest.mark.django_db
def test_leadership_sees_no_invite_or_mentor_tools(school, client_for):
    html = client_for(school.leader).get(URL).content.decode()
    assert "为未开通账号的毕业生开通并发送邀请" not in html
    assert 'id="mentor-form"' not in html
    centre = client_for(school.centre).get(URL).content.decode()
    assert "为未开通账号的毕业生开通并发送邀请" in centre
    assert 'id="mentor-form"' in centre
