"""The generator writes destinations in bulk, below the services; this checks that it writes
exactly what qihang.destinations.services writes for the same actions at the same instants:
the record, its history, its periods and the audit rows."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from qihang.audit.models import AuditEvent
from qihang.demo.generator import credit_code
from qihang.demo.replay import GRADUATE, SCAN, Step, Values, write_steps
from qihang.destinations import services
from qihang.destinations.evidence import EvidenceUpload
from qihang.destinations.models import (
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
    EvidenceKind,
)
from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2020, month, day, hour, minute, tzinfo=TZ)


SYMPHONY = Values(
    "10",
    "东方交响乐团",
    credit_code("东方交响乐团", kind="12", division="310104"),
    "29",
    "310104",
    "20209000100001",
    dt.date(2020, 5, 8),
)
COMPANY = Values(
    "11",
    "上海星河文化传媒有限公司",
    credit_code("上海星河文化传媒有限公司", kind="91", division="310106"),
    "39",
    "310106",
    signed_on=dt.date(2020, 6, 1),
)


def season(staff: int, teacher: int, centre: int) -> list[Step]:
    """Every kind of action: reports by the graduate, records by department staff (reviewed at
    once) and by a teacher (submitted), review, approval from submitted and from reviewed,
    returns by the department and by the centre, corrections with reasons."""
    return [
        Step(at(4, 1, 20), "submit", GRADUATE, Values("71", note="准备考研"), "submitted"),
        Step(at(4, 2, 10), "review", staff),
        Step(at(4, 9, 10, 30), "approve", centre),
        Step(at(5, 10, 21), "submit", GRADUATE, SYMPHONY, "submitted", "已与用人单位签订就业协议"),
        Step(at(5, 11, 9), "return", staff, reason="就业协议书缺少用人单位签章页，请上传完整扫描件。"),
        Step(
            at(5, 12, 20),
            "submit",
            GRADUATE,
            Values(**{**SYMPHONY.__dict__, "note": "已上传签章完整的就业协议书"}),
            "submitted",
            "已与用人单位签订就业协议",
            ("agreement",),
        ),
        Step(at(5, 13, 10), "review", staff),
        Step(at(5, 19, 10), "approve", centre),
        Step(at(6, 5, 10), "record", staff, COMPANY, "reviewed", "经电话核实，更新毕业生去向"),
        Step(at(6, 9, 10), "approve", centre),
        Step(
            at(6, 20, 15),
            "record",
            teacher,
            Values("76", employer_division="310104", note="独立演奏、商业演出"),
            "submitted",
            "根据毕业生提交的材料代为登记",
        ),
        Step(at(6, 22, 11), "approve", centre),
        Step(at(6, 28, 21), "submit", GRADUATE, Values("85", "英国皇家音乐学院", note="出国（境）留学", employer_country="GB"), "submitted", "已收到国（境）外院校录取通知"),
        Step(at(6, 29, 9), "return", centre, reason="出国（境）留学须上传录取通知书（offer）扫描件。"),
    ]  # fmt: skip


def data(values: Values) -> dict:
    snapshot = values.snapshot()
    return {**snapshot, "confirmed_not_internship": values.code in ("10", "11", "12", "27")}


def through_services(school, graduate, steps: list[Step]) -> None:
    institution = school.institution.pk
    actors = {}

    def actor(user_id):
        if user_id not in actors:
            from qihang.accounts.models import User

            actors[user_id] = build_actor(User.objects.get(pk=user_id), institution)
        return actors[user_id]

    for step in steps:
        with mock.patch.object(timezone, "now", return_value=step.at):
            destination = Destination.objects.filter(graduate=graduate).first()
            who = actor(graduate.user_id if step.actor == GRADUATE else step.actor)
            files = [
                EvidenceUpload(kind, ContentFile(SCAN, name=f"{EvidenceKind(kind).label}.png"))
                for kind in step.evidence
            ]
            if step.action == "submit":
                services.destination_submit(
                    actor=who,
                    graduate=graduate,
                    data=data(step.values),
                    reason=step.reason,
                    evidence_files=files,
                )
            elif step.action == "record":
                services.destination_record(
                    actor=who,
                    graduate=graduate,
                    data=data(step.values),
                    reason=step.reason,
                    evidence_files=files,
                )
            elif step.action == "review":
                services.destination_review(actor=who, destination=destination)
            elif step.action == "approve":
                services.destination_approve(actor=who, destination=destination)
            elif step.action == "return":
                services.destination_return(actor=who, destination=destination, reason=step.reason)


def rows(graduate) -> dict:
    """Everything written for the graduate, with ids that differ between two graduates
    replaced by placeholders."""
    destination = Destination.objects.get(graduate=graduate)

    def who(user_id):
        return "GRADUATE" if user_id == graduate.user_id else user_id

    def text(value: str) -> str:
        return value.replace(graduate.student_no, "STUDENT_NO")

    people = ("submitted_by_id", "reviewed_by_id", "approved_by_id")
    record = {
        f.attname: who(getattr(destination, f.attname))
        if f.attname in people
        else getattr(destination, f.attname)
        for f in Destination._meta.concrete_fields
        if f.attname not in ("id", "graduate_id")
    }
    changes = [
        (c.action, c.version, who(c.actor_id), c.reason, c.before, c.after, c.at)
        for c in DestinationChange.objects.filter(graduate=graduate).order_by("at", "pk")
    ]
    periods = [
        (p.kind, p.code, p.valid_from, p.valid_to, p.employer_province, p.cohort_id)
        for p in DestinationPeriod.objects.filter(graduate=graduate).order_by("kind", "valid_from")
    ]
    audit = []
    for e in AuditEvent.objects.filter(
        target_type="destinations.destination", target_id=str(destination.pk)
    ).order_by("at", "pk"):
        data = dict(e.data)
        if "destinations" in data:
            data["destinations"] = [
                ["DESTINATION" if pk == destination.pk else pk, v] for pk, v in data["destinations"]
            ]
        audit.append((who(e.actor_id), e.action, text(e.summary), data, e.at))
    evidence = [
        (e.kind, e.version, e.original_name, e.content_type, who(e.uploaded_by_id), e.uploaded_at)
        for e in Evidence.objects.filter(graduate=graduate).order_by("uploaded_at", "pk")
    ]
    return {
        "record": record,
        "changes": changes,
        "periods": periods,
        "audit": audit,
        "evidence": evidence,
    }


def test_generator_writes_what_the_services_write(school):
    staff, teacher, centre = school.dept_staff, school.teacher, school.centre
    by_services, by_generator = school.graduates[0], school.graduates[1]
    # The second graduate: same department, an account and the same mentor as the first.
    user = make_user("a-grad-2")
    Membership.objects.create(institution=school.institution, user=user, role=Role.GRADUATE)
    by_generator.user = user
    by_generator.mentor = teacher
    by_generator.save(update_fields=["user", "mentor"])
    steps = season(staff.pk, teacher.pk, centre.pk)

    through_services(school, by_services, steps)
    write_steps(by_generator, steps)

    expected, written = rows(by_services), rows(by_generator)
    assert written["record"] == expected["record"]
    assert written["changes"] == expected["changes"]
    assert written["periods"] == expected["periods"]
    assert written["audit"] == expected["audit"]
    assert written["evidence"] == expected["evidence"] and len(written["evidence"]) == 1
    assert Evidence.objects.get(graduate=by_generator).file.read().startswith(SCAN)
    assert len(expected["changes"]) == len(steps)
    assert [p[0] for p in expected["periods"]].count("official") == 4


def test_the_generator_refuses_what_the_services_refuse(school):
    """A second version that changes nothing, or a staff change without a reason, is a bug
    in the plan, not data to write."""
    staff = school.dept_staff.pk
    same = [
        Step(at(4, 1, 20), "record", staff, Values("70"), "reviewed"),
        Step(at(4, 2, 20), "record", staff, Values("76", note="x"), "reviewed"),  # no reason
    ]
    with pytest.raises(AssertionError):
        write_steps(school.graduates[1], same)
