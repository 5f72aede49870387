"""DESTINATION_REVIEW is the one place destination transitions are decided: every state, history
entry and audit kind is covered by it, the code that writes records asks it, and the buttons a
reviewer sees are exactly the actions it makes available."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from qihang.audit.kinds import AuditAction
from qihang.destinations import services
from qihang.destinations.models import ChangeAction, Destination, ReviewStatus
from qihang.destinations.workflow import DESTINATION_REVIEW, EVERY_STATE, NEW, ROW_ACTIONS
from qihang.institutions.roles import Perm
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2] / "qihang"
# The four places the transitions used to be written out (docs/plan-integrity.md).
WRITERS = [
    ROOT / "destinations" / "services.py",
    ROOT / "destinations" / "views.py",
    ROOT / "destinations" / "selectors.py",
    ROOT / "destinations" / "importing.py",
    ROOT / "demo" / "replay.py",
]


def test_every_state_history_entry_and_audit_kind_is_declared():
    targets = {a.target for a in DESTINATION_REVIEW.actions}
    assert targets == set(ReviewStatus.values)  # every state is reached by some action
    sources = set().union(*(a.sources for a in DESTINATION_REVIEW.actions))
    assert sources <= EVERY_STATE and NEW in sources
    # Every state but "returned" is left by a review action ("approved" by the centre's
    # return, which withdraws the approval); "returned" is left by a new version only.
    reviewed_from = set().union(*(DESTINATION_REVIEW.sources_of(n) for n in ROW_ACTIONS))
    assert reviewed_from == {
        ReviewStatus.SUBMITTED,
        ReviewStatus.DEPARTMENT_REVIEWED,
        ReviewStatus.SIGNOFF,
        ReviewStatus.APPROVED,
    }
    histories = {a.history for a in DESTINATION_REVIEW.actions}
    # Adding a file is the one history entry that changes no state.
    assert histories == set(ChangeAction.values) - {ChangeAction.EVIDENCE}
    for action in DESTINATION_REVIEW.actions:
        assert action.audit in AuditAction.values, action.name
        assert action.perm is None or action.perm in Perm.__members__.values(), action.name
    assert DESTINATION_REVIEW.action("sign_off").needs_reason
    assert DESTINATION_REVIEW.action("return").needs_reason


# "status = ReviewStatus.X", "status == ReviewStatus.SUBMITTED", "status in (ReviewStatus.…":
# a transition decided outside the table.
DECIDED = re.compile(
    r"status\s*(=|==|!=|in|not in)\s*\(?\s*ReviewStatus\."
    r"(SUBMITTED|DEPARTMENT_REVIEWED|APPROVED|SIGNOFF)"
)


@pytest.mark.parametrize("path", WRITERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_transition_is_written_outside_the_table(path):
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DECIDED.search(line)
    ]
    assert found == []
    assert "DESTINATION_REVIEW" in path.read_text(encoding="utf-8") or path.name == "importing.py"


def _buttons(html: str, pk: int) -> set[str]:
    row = re.search(rf'<tr id="destination-{pk}".*?</tr>', html, re.S).group(0)
    names = {
        "review": reverse("destinations:review", args=[pk]),
        "approve": reverse("destinations:approve", args=[pk]),
        "return": reverse("destinations:return", args=[pk]),
        "sign_off": reverse("destinations:detail", args=[pk]) + "#sign-off",
    }
    return {name for name, url in names.items() if f'"{url}"' in row}


def _records(school):
    """One record in each state a reviewer acts on (and two they do not)."""
    grad = actor(school.graduate_user, school)
    dept = actor(school.dept_staff, school)
    centre = actor(school.centre, school)
    submitted = services.destination_submit(
        actor=grad, graduate=school.graduates[0], data=employment()
    )
    reviewed = services.destination_record(
        actor=dept, graduate=school.graduates[1], data={"code": "70"}
    )
    returned = services.destination_record(
        actor=centre, graduate=school.graduates[2], data={"code": "71"}
    )
    services.destination_return(actor=centre, destination=returned, reason="请补充材料")
    return [submitted, reviewed, returned]


@pytest.mark.parametrize("who", ["dept_staff", "centre"])
def test_the_buttons_shown_are_the_actions_available(school, client_for, who):
    records = _records(school)
    user = getattr(school, who)
    me = actor(user, school)
    html = (
        client_for(user)
        .get(reverse("destinations:review_queue"), {"status": "all", "cohort": 2020})
        .content.decode()
    )
    seen = 0
    for record in Destination.objects.filter(pk__in=[r.pk for r in records]).select_related(
        "graduate", "code"
    ):
        if f'id="destination-{record.pk}"' not in html:
            continue  # outside the actor's departments
        seen += 1
        expected = {a.name for a in DESTINATION_REVIEW.available(record, me)} & set(ROW_ACTIONS)
        assert _buttons(html, record.pk) == expected, (who, record.status)
    assert seen >= 2


def test_the_queue_filter_is_the_sources_of_the_actors_actions(school):
    from qihang.destinations.selectors import queue_default_statuses

    centre = actor(school.centre, school)
    dept = actor(school.dept_staff, school)
    assert set(queue_default_statuses(centre)) == DESTINATION_REVIEW.sources_of(
        "approve"
    ) | DESTINATION_REVIEW.sources_of("sign_off")
    assert set(queue_default_statuses(dept)) == DESTINATION_REVIEW.sources_of("review")


def test_the_version_check_is_the_tables(school):
    from django.core.exceptions import ValidationError

    grad = actor(school.graduate_user, school)
    record = services.destination_submit(
        actor=grad, graduate=school.graduates[0], data=employment()
    )
    with pytest.raises(ValidationError) as excinfo:
        DESTINATION_REVIEW.check(
            record, actor(school.dept_staff, school), "review", expected_version=7
        )
    assert "第1版" in str(excinfo.value)
