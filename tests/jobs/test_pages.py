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
    with django_assert_num_queries(11):  # + the session's OTP device (accounts.mfa)
        response = client.get("/jobs/")
    assert response.status_code == 200
    assert response.content.decode().count("/jobs/") >= 5
    more = [make_job(jobs[0].employer, school.institution, title=f"中提琴{i}") for i in range(5)]
    with django_assert_num_queries(11):  # + the session's OTP device (accounts.mfa)
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
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
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


def _held(job) -> set[tuple[int, str]]:
    from qihang.notifications.kinds import Kind
    from qihang.notifications.models import Notification

    return set(
        Notification.objects.filter(kind=Kind.JOB_HELD, subject__contains=job.title).values_list(
            "recipient_id", "link"
        )
    )


@pytest.mark.django_db
def test_a_posting_held_at_its_first_submission_is_told_from_either_form(
    school, orchestra, client_for
):
    """Staff form and employer portal form: submitted at once and held by the guard rules,
    the employer's accounts and the staff poster get the held notice."""
    response = client_for(school.teacher).post(
        "/jobs/new/",
        {
            "employer": orchestra.pk,
            "title": "合唱团员",
            "kind": "full_time",
            "description": "限女性",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    staff_job = Job.objects.get(title="合唱团员")
    assert staff_job.status == "pending" and staff_job.flags
    assert _held(staff_job) == {
        (orchestra.admin.pk, f"/employer/jobs/{staff_job.pk}/"),
        (school.teacher.pk, f"/jobs/{staff_job.pk}/"),
    }
    response = client_for(orchestra.admin).post(
        "/employer/jobs/new/",
        {
            "institution": school.institution.pk,
            "title": "定音鼓演奏员",
            "kind": "full_time",
            "description": "限男性",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    portal_job = Job.objects.get(title="定音鼓演奏员")
    assert portal_job.status == "pending" and portal_job.flags
    assert _held(portal_job) == {(orchestra.admin.pk, f"/employer/jobs/{portal_job.pk}/")}
    # Saved as a draft: nothing is submitted, nobody told.
    client_for(orchestra.admin).post(
        "/employer/jobs/new/",
        {
            "institution": school.institution.pk,
            "title": "草稿岗位",
            "kind": "full_time",
            "description": "限男性",
        },
    )
    assert _held(Job.objects.get(title="草稿岗位")) == set()


POSTING = {"title": "中提琴演奏员", "kind": "full_time", "division": "310104"}


@pytest.mark.django_db
def test_only_the_author_or_a_reviewer_edits_a_staff_posting(school, orchestra, client_for):
    author = client_for(school.teacher)
    author.post("/jobs/new/", {**POSTING, "employer": orchestra.pk})
    job = Job.objects.get(title="中提琴演奏员")
    assert job.posted_by_id == school.teacher.pk
    edit = f"/jobs/{job.pk}/edit/"
    assert edit in author.get(f"/jobs/{job.pk}/").content.decode()
    assert author.get(edit).status_code == 200
    response = author.post(edit, {**POSTING, "employer": orchestra.pk, "description": "作者改"})
    assert response.status_code == 302
    # A colleague who also posts jobs (department staff) sees the posting but may not edit it.
    colleague = client_for(school.dept_staff)
    assert edit not in colleague.get(f"/jobs/{job.pk}/").content.decode()
    assert colleague.get(edit).status_code == 403
    data = {**POSTING, "employer": orchestra.pk, "description": "同事改"}
    assert colleague.post(edit, data).status_code == 403
    job.refresh_from_db()
    assert (job.description, job.version) == ("作者改", 2)
    # Nor submit or close it (the workflow's actions ask the same question).
    for action in ("submit", "close"):
        assert colleague.post(f"/jobs/{job.pk}/action/", {"action": action}).status_code == 403
    job.refresh_from_db()
    assert job.status == "draft"
    # The career centre (JOB_REVIEW) edits anyone's posting.
    reviewer = client_for(school.centre)
    assert edit in reviewer.get(f"/jobs/{job.pk}/").content.decode()
    data = {**POSTING, "employer": orchestra.pk, "description": "中心改"}
    assert reviewer.post(edit, data).status_code == 302
    job.refresh_from_db()
    assert (job.description, job.version) == ("中心改", 3)


@pytest.mark.django_db
def test_the_service_refuses_a_colleagues_edit(school, orchestra):
    from django.core.exceptions import PermissionDenied

    from qihang.institutions.scoping import build_actor
    from qihang.jobs import services

    job = make_job(orchestra, school.institution, posted_by=school.teacher, status="draft")
    with pytest.raises(PermissionDenied):
        services.job_update(
            actor=build_actor(school.dept_staff, school.institution.pk),
            job=job,
            data={"title": "改"},
        )
    # Nobody's posting (a feed's, a demo's): only the reviewers.
    feed = make_job(orchestra, school.institution, title="外部岗位", status="draft")
    with pytest.raises(PermissionDenied):
        services.job_update(
            actor=build_actor(school.teacher, school.institution.pk), job=feed, data={"title": "改"}
        )
    assert services.job_update(
        actor=build_actor(school.centre, school.institution.pk), job=feed, data={"title": "改"}
    )


@pytest.mark.django_db
def test_employers_edit_their_own_organisations_postings_only(school, orchestra, client_for):
    stranger = make_user("stranger-admin")
    other = make_employer("别的乐团", serial=13, institution=school.institution, user=stranger)
    theirs = make_job(other, school.institution, title="别人的岗位", status="draft")
    mine = make_job(orchestra, school.institution, title="自己的岗位", status="draft")
    client = client_for(orchestra.admin)
    assert client.get(f"/employer/jobs/{mine.pk}/edit/").status_code == 200
    assert client.get(f"/employer/jobs/{theirs.pk}/edit/").status_code == 404
    data = {"title": "改掉", "kind": "full_time"}
    assert client.post(f"/employer/jobs/{theirs.pk}/edit/", data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "别人的岗位"
    # Staff pages are not theirs (JOB_POST is staff's).
    assert client.get(f"/jobs/{mine.pk}/edit/").status_code == 403
