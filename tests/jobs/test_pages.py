"""Job pages: lists with filters and query counts, detail, posting forms, the review queue,
sharing with the paired school, the employer portal, graduates' list, guard rule pages."""

import pytest

from qihang.audit.models import AuditEvent
from qihang.institutions.models import Share
from qihang.jobs.guards import check_job
from qihang.jobs.models import GuardRule, Job
from tests.factories import make_employer, make_job, make_user


@pytest.fixture
def jobs(school, orchestra):
    made = [make_job(orchestra, school.institution, title=f"大提琴演奏员{i}") for i in range(3)]
    flagged = make_job(
        orchestra,
        school.institution,
        title="钢琴教师",
        status="pending",
        description="钢琴教师，限男性",
    )
    flagged.flags = check_job(flagged)
    flagged.save(update_fields=["flags"])
    made.append(flagged)
    made.append(
        make_job(
            orchestra,
            school.institution,
            title="录音师",
            source="上海市高校毕业生就业网",
            external_id="S1",
            kind="internship",
        )
    )
    return made


@pytest.mark.django_db
def test_staff_list_filters_and_query_count(school, jobs, client_for, django_assert_num_queries):
    client = client_for(school.centre)
    client.get("/jobs/")  # session and caches warm
    # session, user, memberships (+ departments prefetch), the count, the page of jobs with
    # employer and institution, the sources, the navigation's institution, the employers for
    # the filter.
    # + the unread notifications count (navigation).
    with django_assert_num_queries(10):
        response = client.get("/jobs/")
    assert response.status_code == 200
    assert response.content.decode().count("/jobs/") >= 5
    more = [make_job(jobs[0].employer, school.institution, title=f"中提琴{i}") for i in range(5)]
    with django_assert_num_queries(10):
        client.get("/jobs/")
    assert more
    page = client.get("/jobs/?flagged=yes").content.decode()
    assert "钢琴教师" in page and "大提琴演奏员0" not in page
    page = client.get("/jobs/?source=上海市高校毕业生就业网&kind=internship").content.decode()
    assert "录音师" in page and "钢琴教师" not in page
    assert "录音师" not in client.get("/jobs/?source=__local__").content.decode()
    assert "钢琴教师" in client.get("/jobs/?status=pending").content.decode()


@pytest.mark.django_db
def test_review_queue_shows_reasons_and_query_count(
    school, jobs, client_for, django_assert_num_queries
):
    client = client_for(school.centre)
    client.get("/jobs/review/")
    # session, user, memberships (+ departments), count, the page, the standings of the page,
    # the navigation's institution.
    # + the unread notifications count (navigation).
    with django_assert_num_queries(9):
        page = client.get("/jobs/review/").content.decode()
    assert "限男性" in page and "disabled" in page
    assert client_for(school.teacher).get("/jobs/review/").status_code == 403


@pytest.mark.django_db
def test_detail_buttons_and_actions(school, jobs, client_for):
    client = client_for(school.centre)
    pending = jobs[3]
    page = client.get(f"/jobs/{pending.pk}/").content.decode()
    assert "该岗位暂不能发布" in page and "限男性" in page
    response = client.post(f"/jobs/{pending.pk}/action/", {"action": "approve"})
    assert response.status_code == 302
    assert Job.objects.get(pk=pending.pk).status == "pending"
    client.post(f"/jobs/{pending.pk}/action/", {"action": "return", "reason": "请删除性别限制"})
    assert Job.objects.get(pk=pending.pk).status == "returned"
    assert client.get(f"/jobs/{pending.pk}/action/").status_code == 405


@pytest.mark.django_db
def test_staff_posting_form(school, orchestra, client_for):
    client = client_for(school.teacher)
    assert client.get("/jobs/new/").status_code == 200
    response = client.post(
        "/jobs/new/",
        {
            "employer": orchestra.pk,
            "title": "声乐教师（男高音）",
            "kind": "full_time",
            "division": "上海市徐汇区",
            "description": "招聘男高音声乐教师",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get(title="声乐教师（男高音）")
    assert (job.status, job.division, job.flags, job.credited_to_id) == (
        "pending",
        "310104",
        [],
        school.teacher.pk,
    )
    response = client.post(
        f"/jobs/{job.pk}/edit/",
        {
            "employer": orchestra.pk,
            "title": "声乐教师（男高音）",
            "kind": "full_time",
            "division": "310104",
            "description": "限男性",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    job.refresh_from_db()
    assert job.version == 2 and job.flags[0]["phrase"] == "限男性"


@pytest.mark.django_db
def test_other_institution_and_other_employer_get_404(school, other_school, jobs, client_for):
    job = jobs[0]
    assert client_for(other_school.centre).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(other_school.graduate_user).get(f"/jobs/browse/{job.pk}/").status_code == 404
    stranger = make_user("stranger-admin")
    make_employer("别的乐团", serial=13, institution=school.institution, user=stranger)
    assert client_for(stranger).get(f"/employer/jobs/{job.pk}/").status_code == 404
    assert client_for(stranger).get(f"/jobs/{job.pk}/").status_code == 403


@pytest.mark.django_db
def test_sharing_with_the_paired_school(paired, jobs, client_for):
    school, other = paired
    job = jobs[0]
    client = client_for(school.centre)
    assert "共享给江城音乐学院" in client.get(f"/jobs/{job.pk}/").content.decode()
    client.post(f"/jobs/{job.pk}/share/", {"partner": other.institution.pk})
    share = Share.objects.get(object_id=job.pk)
    # The partner's staff and graduates see it, marked as shared.
    assert "东方音乐学院共享" in client_for(other.centre).get(f"/jobs/{job.pk}/").content.decode()
    browse = client_for(other.graduate_user).get("/jobs/browse/").content.decode()
    assert job.title in browse and "东方音乐学院共享" in browse
    # The partner reads it but cannot revoke it, edit it or share it on (a write: 404).
    assert (
        client_for(other.centre).post(f"/jobs/{job.pk}/unshare/", {"share": share.pk}).status_code
        == 404
    )
    assert client_for(other.centre).get(f"/jobs/{job.pk}/edit/").status_code == 404
    client.post(f"/jobs/{job.pk}/unshare/", {"share": share.pk})
    assert client_for(other.centre).get(f"/jobs/{job.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action__startswith="share.").count() >= 2


@pytest.mark.django_db
def test_graduates_see_published_jobs_only(school, jobs, client_for, django_assert_num_queries):
    client = client_for(school.graduate_user)
    client.get("/jobs/browse/")
    # session, user, memberships (+ departments), count, the page with employer and
    # institution, the navigation's institution.
    # + the unread notifications count (navigation).
    with django_assert_num_queries(8):
        page = client.get("/jobs/browse/").content.decode()
    assert "大提琴演奏员0" in page and "钢琴教师" not in page
    assert client.get(f"/jobs/browse/{jobs[3].pk}/").status_code == 404
    assert client.get(f"/jobs/browse/{jobs[0].pk}/").status_code == 200
    assert client.get("/jobs/").status_code == 403


@pytest.mark.django_db
def test_employer_portal(school, orchestra, client_for, django_assert_num_queries):
    client = client_for(orchestra.admin)
    response = client.post(
        "/employer/jobs/new/",
        {
            "institution": school.institution.pk,
            "title": "乐团招聘大提琴首席",
            "kind": "full_time",
            "description": "限男性，身体健康无乙肝",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    job = Job.objects.get(title="乐团招聘大提琴首席")
    assert job.status == "pending" and {f["ground"] for f in job.flags} == {"gender", "health"}
    page = client.get(f"/employer/jobs/{job.pk}/").content.decode()
    assert "限男性" in page and "乙肝" in page
    for i in range(3):
        make_job(orchestra, school.institution, title=f"双簧管{i}")
    client.get("/employer/jobs/")
    # session, user, memberships (none), employer membership, count, the page, the standings
    # of the page, the unread notifications count (navigation; an employer's has no school).
    with django_assert_num_queries(8):
        page = client.get("/employer/jobs/").content.decode()
    assert "限男性" in page
    client.post(
        f"/employer/jobs/{job.pk}/edit/",
        {
            "title": "乐团招聘大提琴首席",
            "kind": "full_time",
            "description": "大提琴首席，硕士及以上",
        },
    )
    job.refresh_from_db()
    assert job.flags == [] and job.version == 2
    assert client.get("/jobs/review/").status_code == 403


@pytest.mark.django_db
def test_guard_rule_pages_for_the_platform_admin(school, client_for):
    admin = make_user("platform")
    admin.is_platform_admin = True
    admin.save()
    client = client_for(admin)
    assert "乙肝" in client.get("/jobs/guards/").content.decode()
    response = client.post(
        "/jobs/guards/new/",
        {
            "ground": "fees",
            "match": "regex",
            "pattern": "琴房(",
            "reason": "收费",
            "legal_basis": "",
        },
    )
    assert "正则表达式有误" in response.content.decode()
    client.post(
        "/jobs/guards/new/",
        {
            "ground": "fees",
            "match": "phrase",
            "pattern": "琴房使用费",
            "reason": "收费",
            "legal_basis": "劳动合同法第九条",
            "is_active": "on",
        },
    )
    rule = GuardRule.objects.get(pattern="琴房使用费")
    client.post(
        f"/jobs/guards/{rule.pk}/",
        {
            "ground": "fees",
            "match": "phrase",
            "pattern": "琴房使用费",
            "reason": "收费",
            "legal_basis": "",
        },
    )
    rule.refresh_from_db()
    assert rule.is_active is False
    assert list(
        AuditEvent.objects.filter(action__startswith="guard.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "guard.create",
        "guard.update",
    ]
    assert client_for(school.centre).get("/jobs/guards/").status_code == 403
