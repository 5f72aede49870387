"""The agreement and cancellation workflows under any sequence of actions (Hypothesis stateful
testing): whoever acts, in whatever order, with whatever refusals on the way,
- no graduate ever holds two active agreements;
- no agreement is signed without the graduate's acceptance, the department's review, the
  centre's approval and all three parties' signatures of its current version;
- each graduate's destination matches their agreements: code 10 with the number of their
  signed agreement while they have one, and no agreement's number once none is signed.

Each example runs in a savepoint of the test's transaction, rolled back at its end.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from qihang.agreements import services
from qihang.agreements.models import (
    ACTIVE_STATUSES,
    Agreement,
    AgreementStatus,
    Cancellation,
    CancellationStatus,
    Party,
    Signature,
)
from qihang.destinations.models import Destination
from tests.agreements.helpers import TERMS, graduate_actor, staff

REFUSED = (ValidationError, PermissionDenied)
GRADUATES = 2


def machine_for(school, world):
    actors = staff(school)
    graduates = [graduate_actor(school, i) for i in range(GRADUATES)]
    employer = world["employer_actor"]

    class AgreementMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.ids: list[int] = []

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _agreement(self, i: int) -> Agreement:
            return Agreement.objects.select_related("graduate", "employer", "cohort").get(
                pk=self.ids[i % len(self.ids)]
            )

        def _try(self, call) -> None:
            try:
                call()
            except REFUSED:
                pass

        @rule(g=st.integers(0, GRADUATES - 1), salary=st.integers(5000, 5003))
        def offer(self, g: int, salary: int) -> None:
            agreement = services.agreement_offer(
                actor=employer,
                application=world["applications"][g],
                data={**TERMS, "monthly_salary": salary},
            )
            self.ids.append(agreement.pk)

        @precondition(lambda self: self.ids)
        @rule(i=st.integers(0, 50), salary=st.integers(6000, 6003))
        def edit(self, i: int, salary: int) -> None:
            agreement = self._agreement(i)
            self._try(
                lambda: services.agreement_edit(
                    actor=employer,
                    agreement=agreement,
                    data={**TERMS, "monthly_salary": salary},
                )
            )

        @precondition(lambda self: self.ids)
        @rule(
            i=st.integers(0, 50),
            who=st.sampled_from(["employer", "graduate", "dept", "centre", "leader"]),
            action=st.sampled_from(
                ["withdraw", "accept", "decline", "review", "approve", "reject"]
            ),
            reason=st.sampled_from(["", "理由充分"]),
        )
        def act(self, i: int, who: str, action: str, reason: str) -> None:
            agreement = self._agreement(i)
            actor = {
                "employer": employer,
                "graduate": graduates[
                    [g.pk for g in school.graduates].index(agreement.graduate_id)
                ],
                **actors,
            }[who]
            self._try(
                lambda: services.agreement_act(
                    actor=actor, agreement=agreement, action=action, reason=reason
                )
            )

        @precondition(lambda self: self.ids)
        @rule(i=st.integers(0, 50))
        def request_cancellation(self, i: int) -> None:
            agreement = self._agreement(i)
            index = [g.pk for g in school.graduates].index(agreement.graduate_id)
            self._try(
                lambda: services.cancellation_request(
                    actor=graduates[index], agreement=agreement, reason="个人原因"
                )
            )

        @precondition(lambda self: Cancellation.objects.exists())
        @rule(
            i=st.integers(0, 50),
            who=st.sampled_from(["employer", "dept", "centre"]),
            action=st.sampled_from(
                [
                    "employer_approve",
                    "employer_refuse",
                    "department_approve",
                    "department_refuse",
                    "centre_approve",
                    "centre_refuse",
                ]
            ),
        )
        def decide_cancellation(self, i: int, who: str, action: str) -> None:
            cancellations = list(Cancellation.objects.order_by("pk"))
            cancellation = cancellations[i % len(cancellations)]
            actor = {"employer": employer, **actors}[who]
            self._try(
                lambda: services.cancellation_act(
                    actor=actor, cancellation=cancellation, action=action, reason="不同意"
                )
            )

        @invariant()
        def one_active_agreement_per_graduate(self) -> None:
            for graduate in school.graduates:
                active = Agreement.objects.filter(graduate=graduate, status__in=ACTIVE_STATUSES)
                assert active.count() <= 1

        @invariant()
        def signed_means_every_approval(self) -> None:
            for agreement in Agreement.objects.filter(status=AgreementStatus.SIGNED):
                assert agreement.answered_at and agreement.reviewed_at and agreement.signed_at
                parties = set(
                    Signature.objects.filter(
                        agreement=agreement, version=agreement.version
                    ).values_list("party", flat=True)
                )
                assert parties == {Party.EMPLOYER, Party.GRADUATE, Party.SCHOOL}
            for cancellation in Cancellation.objects.filter(status=CancellationStatus.APPROVED):
                assert cancellation.employer_at and cancellation.department_at
                assert cancellation.agreement.status == AgreementStatus.CANCELLED

        @invariant()
        def destination_matches_the_agreements(self) -> None:
            for graduate in school.graduates:
                signed = Agreement.objects.filter(
                    graduate=graduate, status=AgreementStatus.SIGNED
                ).first()
                destination = Destination.objects.filter(graduate=graduate).first()
                numbers = set(
                    Agreement.objects.filter(graduate=graduate).values_list("number", flat=True)
                )
                if signed is not None:
                    assert destination is not None
                    assert destination.official_code.code == "10"
                    assert destination.official_values["agreement_no"] == signed.number
                elif destination is not None and destination.official_code_id:
                    assert destination.official_values.get("agreement_no") not in numbers

    return AgreementMachine


@pytest.mark.django_db
def test_no_sequence_of_actions_breaks_the_agreement_rules(school, world):
    from hypothesis.stateful import run_state_machine_as_test

    services.agreement_policy_update(actor=staff(school)["centre"], max_cancellations=None)
    run_state_machine_as_test(
        machine_for(school, world),
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
