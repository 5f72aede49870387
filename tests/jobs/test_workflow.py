"""The review workflow: draft → pending → published / returned; edits to a published job go
back to review with a history; flagged or unverified postings are held until fixed; expiry on
an explicit date; every write reaches the search index."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from qihang.audit.models import AuditEvent
from qihang.employers.models import EmployerStanding
from qihang.jobs import services
from qihang.jobs.models import Job, JobKind, JobRevision
from qihang.jobs.workflow import JOB_REVIEW
from tests.factories import make_employer, make_job

DATA = {
    "title": "大提琴演奏员",
    "kind": JobKind.FULL_TIME,
    "division": "310104",
    "description": "乐团招聘大提琴演奏员，硕士及以上。",
}


@pytest.fixture
def indexed(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(services, "jobs_index", lambda ids: calls.append(list(ids)))
    return calls


@pytest.fixture
def centre(school, actor_of_user):
    return actor_of_user(school.centre, school)


@pytest.mark.django_db
def test_staff_post_is_credited_to_the_poster_and_their_department(
    school, orchestra, actor_of_user, indexed
):
    actor = actor_of_user(school.dept_staff, school)
    job = services.job_create(
        actor=actor, employer=orchestra, institution_id=school.institution.pk, data=DATA
    )
    assert (job.status, job.credited_to_id, job.credited_department_id) == (
        "draft",
        school.dept_staff.pk,
        school.departments[0].pk,
    )
    assert indexed == [[job.pk]]
    assert AuditEvent.objects.filter(action="job.create", target_id=str(job.pk)).exists()


@pytest.mark.django_db
def test_submit_approve_publish(school, orchestra, centre, indexed):
    job = services.job_create(
        actor=centre,
        employer=orchestra,
        institution_id=school.institution.pk,
        data=DATA,
        submit=True,
    )
    assert job.status == "pending"
    services.job_transition(actor=centre, job=job, action="approve")
    job.refresh_from_db()
    assert job.status == "published" and job.published_at is not None
    assert [
        e.action
        for e in AuditEvent.objects.filter(target_type="jobs.job", target_id=str(job.pk)).order_by(
            "pk"
        )
    ] == [
        "job.create",
        "job.submit",
        "job.approve",
    ]
    assert len(indexed) == 2


@pytest.mark.django_db
def test_return_needs_a_reason_and_shows_it(school, orchestra, centre):
    job = make_job(orchestra, school.institution, status="pending")
    with pytest.raises(ValidationError):
        services.job_transition(actor=centre, job=job, action="return", reason="")
    services.job_transition(actor=centre, job=job, action="return", reason="请补充薪资范围")
    job.refresh_from_db()
    assert (job.status, job.review_note) == ("returned", "请补充薪资范围")
    assert [a.name for a in JOB_REVIEW.available(job, centre)] == ["submit", "close"]


@pytest.mark.django_db
def test_teachers_cannot_approve_and_leadership_cannot_submit(school, orchestra, actor_of_user):
    job = make_job(orchestra, school.institution, status="pending")
    with pytest.raises(PermissionDenied):
        services.job_transition(
            actor=actor_of_user(school.teacher, school), job=job, action="approve"
        )
    draft = make_job(orchestra, school.institution, status="draft", title="中提琴演奏员")
    with pytest.raises(PermissionDenied):
        services.job_transition(
            actor=actor_of_user(school.leader, school), job=draft, action="submit"
        )


@pytest.mark.django_db
def test_another_employer_cannot_touch_the_job(school, orchestra, employer_actor):
    from tests.factories import make_user

    other_user = make_user("other-admin")
    other = make_employer("别的乐团", serial=12, institution=school.institution, user=other_user)
    job = make_job(orchestra, school.institution, status="draft")
    with pytest.raises(PermissionDenied):
        services.job_transition(actor=employer_actor(other_user, other), job=job, action="submit")
    with pytest.raises(PermissionDenied):
        services.job_update(actor=employer_actor(other_user, other), job=job, data={"title": "x"})


@pytest.mark.django_db
def test_a_flagged_job_is_held_until_fixed(school, orchestra, centre, employer_actor):
    actor = employer_actor(orchestra.admin, orchestra)
    job = services.job_create(
        actor=actor,
        employer=orchestra,
        institution_id=school.institution.pk,
        data={**DATA, "description": "限男性，35岁以下。"},
        submit=True,
    )
    assert {f["ground"] for f in job.flags} == {"gender", "age"}
    with pytest.raises(ValidationError) as refused:
        services.job_transition(actor=centre, job=job, action="approve")
    assert any("限男性" in m for m in refused.value.messages)
    services.job_transition(actor=centre, job=job, action="return", reason="请删除性别、年龄限制")
    changes = services.job_update(
        actor=actor, job=job, data={"description": "招聘男高音声部演员。"}
    )
    assert changes == {"description": ["限男性，35岁以下。", "招聘男高音声部演员。"]}
    job.refresh_from_db()
    assert job.flags == [] and job.version == 2
    services.job_transition(actor=actor, job=job, action="submit")
    services.job_transition(actor=centre, job=job, action="approve")
    assert Job.objects.get(pk=job.pk).status == "published"


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "suspended", "rejected"])
def test_only_verified_employers_are_published(school, orchestra, centre, status):
    EmployerStanding.objects.filter(employer=orchestra).update(status=status, reason="资质待核")
    job = make_job(orchestra, school.institution, status="pending")
    with pytest.raises(ValidationError) as refused:
        services.job_transition(actor=centre, job=job, action="approve")
    assert "认证" in refused.value.messages[0] and "资质待核" in refused.value.messages[0]


@pytest.mark.django_db
def test_editing_a_published_job_sends_it_back_with_its_history(school, orchestra, centre, indexed):
    job = make_job(orchestra, school.institution, salary_min=8000, salary_max=12000)
    services.job_update(actor=centre, job=job, data={"salary_max": 15000, "title": "大提琴首席"})
    job.refresh_from_db()
    assert (job.status, job.version, job.published_at) == ("pending", 2, None)
    revision = JobRevision.objects.get(job=job)
    assert revision.changes == {
        "title": ["大提琴演奏员", "大提琴首席"],
        "salary_max": [12000, 15000],
    }
    assert AuditEvent.objects.filter(action="job.revise", target_id=str(job.pk)).count() == 1
    assert services.job_update(actor=centre, job=job, data={"title": "大提琴首席"}) == {}


@pytest.mark.django_db
def test_close_by_employer_or_centre(school, orchestra, centre, employer_actor):
    job = make_job(orchestra, school.institution)
    services.job_transition(
        actor=employer_actor(orchestra.admin, orchestra), job=job, action="close"
    )
    assert Job.objects.get(pk=job.pk).status == "closed"
    second = make_job(orchestra, school.institution, title="圆号演奏员")
    services.job_transition(actor=centre, job=second, action="close")
    with pytest.raises(ValidationError):
        services.job_update(actor=centre, job=Job.objects.get(pk=second.pk), data={"title": "x"})


@pytest.mark.django_db
def test_expired_jobs_close_themselves_on_the_given_day(school, orchestra, capsys):
    due = make_job(orchestra, school.institution, deadline=dt.date(2026, 6, 30))
    today = make_job(orchestra, school.institution, title="长笛", deadline=dt.date(2026, 7, 1))
    open_ended = make_job(orchestra, school.institution, title="竖琴")
    pending = make_job(
        orchestra, school.institution, title="大号", status="pending", deadline=dt.date(2026, 1, 1)
    )
    call_command("close_expired_jobs", "--today", "2026-07-01")
    assert "1" in capsys.readouterr().out
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert [statuses[j.pk] for j in (due, today, open_ended, pending)] == [
        "expired",
        "published",
        "published",
        "pending",
    ]
    event = AuditEvent.objects.get(action="job.expire")
    assert event.actor_id is None and event.data["today"] == "2026-07-01"
    call_command("close_expired_jobs", "--today", "2026-07-01")
    assert AuditEvent.objects.filter(action="job.expire").count() == 1


@pytest.mark.django_db
def test_the_expiry_task_takes_the_day(school, orchestra):
    from qihang.jobs.tasks import close_expired_jobs

    make_job(orchestra, school.institution, deadline=dt.date(2026, 6, 30))
    result = close_expired_jobs.enqueue("2026-07-02")
    assert result.return_value == 1


@pytest.mark.django_db
def test_people_cannot_expire_jobs(school, orchestra, centre):
    job = make_job(orchestra, school.institution, deadline=dt.date(2020, 1, 1))
    with pytest.raises(PermissionDenied):
        services.job_transition(actor=centre, job=job, action="expire")


@pytest.mark.django_db
def test_review_decisions_reach_the_employer_and_the_poster(school, orchestra, centre):
    from qihang.notifications.models import Notification

    returned = make_job(orchestra, school.institution, status="pending", posted_by=school.teacher)
    services.job_transition(actor=centre, job=returned, action="return", reason="请补充薪资范围")
    approved = make_job(orchestra, school.institution, status="pending", title="中提琴演奏员")
    services.job_transition(actor=centre, job=approved, action="approve")
    told = {(n.kind, n.recipient_id, n.link) for n in Notification.objects.all()}
    assert told == {
        ("job_returned", orchestra.admin.pk, f"/employer/jobs/{returned.pk}/"),
        ("job_returned", school.teacher.pk, f"/jobs/{returned.pk}/"),
        ("job_published", orchestra.admin.pk, f"/employer/jobs/{approved.pk}/"),
    }
    assert "请补充薪资范围" in Notification.objects.get(recipient=school.teacher).body


HELD_DATA = {**DATA, "description": "限男性，35岁以下"}


def _held_notices(job):
    from qihang.notifications.kinds import Kind
    from qihang.notifications.models import Notification

    return {
        (n.recipient_id, n.link)
        for n in Notification.objects.filter(kind=Kind.JOB_HELD)
        if job.title in n.subject
    }


@pytest.mark.django_db
@pytest.mark.parametrize("first", [True, False], ids=["first-submission", "resubmission"])
def test_a_held_posting_is_told_at_every_submission(school, orchestra, centre, first):
    """Held at its first submission (job_create with submit) or at a later one: the same
    notice, to the employer's accounts and the staff member who posted it."""
    if first:
        job = services.job_create(
            actor=centre,
            employer=orchestra,
            institution_id=school.institution.pk,
            data=HELD_DATA,
            submit=True,
        )
    else:
        job = services.job_create(
            actor=centre, employer=orchestra, institution_id=school.institution.pk, data=HELD_DATA
        )
        assert _held_notices(job) == set()  # a draft tells nobody
        services.job_transition(actor=centre, job=job, action="submit")
    assert job.status == "pending" and job.flags
    assert _held_notices(job) == {
        (orchestra.admin.pk, f"/employer/jobs/{job.pk}/"),
        (school.centre.pk, f"/jobs/{job.pk}/"),
    }
    # One submit in the audit log either way.
    assert AuditEvent.objects.filter(action="job.submit", target_id=str(job.pk)).count() == 1


@pytest.mark.django_db
def test_a_clean_first_submission_tells_nobody(school, orchestra, centre):
    job = services.job_create(
        actor=centre,
        employer=orchestra,
        institution_id=school.institution.pk,
        data=DATA,
        submit=True,
    )
    assert (job.status, job.flags) == ("pending", [])
    assert _held_notices(job) == set()


@pytest.mark.django_db
def test_an_edit_that_holds_a_posting_tells_the_poster(school, orchestra, centre):
    """A published posting edited into a guarded phrase goes back to review held, and its
    poster is told why, as at a submission; an edit that keeps it held tells nobody again."""
    job = make_job(orchestra, school.institution, title="大提琴演奏员")
    services.job_update(actor=centre, job=job, data={"description": "限男性"})
    job.refresh_from_db()
    assert job.status == "pending" and job.flags
    assert _held_notices(job) == {(orchestra.admin.pk, f"/employer/jobs/{job.pk}/")}
    services.job_update(actor=centre, job=job, data={"description": "限男性，35岁以下"})
    assert len(_held_notices(job)) == 1  # (a set of recipients: still the one notice)
    from qihang.notifications.models import Notification

    assert Notification.objects.filter(kind="job_held").count() == 1
