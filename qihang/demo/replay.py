"""Writing destination seasons in bulk, row for row as qihang.destinations.services writes them.

A season is a list of `Step`s (report, record, review, approve, return — who, when, what).
`Replay` applies them to one graduate as the services would, each step being an action of
destinations.workflow's DESTINATION_REVIEW table (its from-states are asserted, its to-state,
history entry and audit kind are the ones written), producing the Destination row
(current version, official values), its DestinationChange history (with `rules.snapshot` and
`rules.diff`, as the services compute them), the DestinationPeriod timeline and the audit
rows; `Rows` writes many of them at once with bulkwrite (COPY on PostgreSQL, executemany on
SQLite), with primary keys reserved by `Ids` for rows that others point to. `write_steps()`
does it for one graduate (tests compare it with the services themselves).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

from qihang.audit import chain
from qihang.audit.models import AuditEvent
from qihang.destinations.evidence_rules import rule_of
from qihang.destinations.models import (
    ChangeAction,
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
    EvidenceKind,
    PeriodKind,
    ReviewStatus,
    Source,
)
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import Reference, diff
from qihang.destinations.workflow import DESTINATION_REVIEW, NEW, VERSION_ACTIONS
from qihang.graduates.models import Graduate
from qihang.imports import bulkwrite
from qihang.institutions.models import Cohort
from qihang.lib.sensitive import BlindIndexField, SensitiveField, plaintext_of
from qihang.lib.workflow import Action
from qihang.regions import countries

GRADUATE = -1  # a step's actor: the graduate's own account


@dataclass(frozen=True)
class Values:
    """A destination record's data, in the form of `rules.snapshot` (codes as strings). The
    division and the country complete each other as `rules.clean_destination` completes them
    (a division implies CN, or HK/MO/TW; those countries imply their division)."""

    code: str
    employer_name: str = ""
    employer_credit_code: str = ""
    employer_nature: str = ""
    employer_division: str = ""
    agreement_no: str = ""
    signed_on: dt.date | None = None
    note: str = ""
    employer_country: str = ""

    def __post_init__(self) -> None:
        if self.employer_division and not self.employer_country:
            country = countries.country_of_division(self.employer_division)
            object.__setattr__(self, "employer_country", country)
        elif self.employer_country and not self.employer_division:
            division = countries.division_of_country(self.employer_country)
            object.__setattr__(self, "employer_division", division)

    def snapshot(self) -> dict[str, str]:
        return {
            "code": self.code,
            "employer_name": self.employer_name,
            "employer_credit_code": self.employer_credit_code,
            "employer_nature": self.employer_nature,
            "employer_division": self.employer_division,
            "employer_country": self.employer_country,
            "agreement_no": self.agreement_no,
            "signed_on": self.signed_on.isoformat() if self.signed_on else "",
            "note": self.note,
        }

    @property
    def employer_province(self) -> str:
        return self.employer_division[:2] + "0000" if self.employer_division else ""


@dataclass(slots=True)
class Step:
    """One action on a graduate's record, as a service call would perform it."""

    at: dt.datetime
    action: str  # ChangeAction value: submit, record, review, approve, return
    actor: int  # a user id, or GRADUATE
    values: Values | None = None  # submit / record
    status: str = ""  # record: the status it leaves (reviewed or submitted)
    reason: str = ""
    evidence: tuple[str, ...] = ()  # submit / record: the EvidenceKinds of the files uploaded


# A one-pixel PNG, the demo's "scan": each file is it followed by a line naming whose file it is
# (a PNG viewer ignores bytes after the image's end), so no two graduates' files share a hash.
SCAN = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def scan_file(
    institution_id: int, graduate_id: int, student_no: str, version: int, kind: str
) -> dict[str, Any]:
    """Store one demo evidence file (content-addressed: a reloaded demo finds it there) and
    return its Evidence fields, as destinations.evidence.store_upload returns them."""
    content = SCAN + f"\n{student_no} v{version} {kind}\n".encode()
    sha256 = hashlib.sha256(content).hexdigest()
    name = f"evidence/{institution_id}/{graduate_id}/{sha256[:32]}.png"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return {
        "file": name,
        "original_name": f"{EvidenceKind(kind).label}.png",
        "content_type": "image/png",
        "size": len(content),
        "sha256": sha256,
    }


def table_action(step: Step) -> str:
    """The DESTINATION_REVIEW action a step takes: the first whose history entry is the step's
    and, for a new version, whose to-state is the one the step leaves (a staff record that
    leaves the record reviewed is "record_reviewed")."""
    return next(
        a.name
        for a in DESTINATION_REVIEW.actions
        if a.history == step.action and (not step.status or a.target == step.status)
    )


# --- fast inserts ---------------------------------------------------------------------------------
class Ids:
    """Primary keys reserved for rows inserted with explicit ids (their children need them).

    PostgreSQL: drawn from the table's sequence (nextval), safe beside other writers. SQLite:
    counted up from the highest id in use, under the write lock the transaction holds.
    """

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], n: int) -> list[int]:
        if n <= 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, n],
                )
                return sorted(row[0] for row in cursor.fetchall())
            if model not in self.next:
                qn = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(table)}")  # noqa: S608
                top = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                self.next[model] = max(top, row[0] if row else 0) + 1
        start = self.next[model]
        self.next[model] = start + n
        return list(range(start, start + n))


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # What Django's SQLite backend stores for an aware datetime: UTC, naive, ISO with a space.
    return None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(f: models.Field) -> Callable[[Any], Any] | None:
    """How a value becomes a column value (None: as it is). Timestamps and dates are converted
    by hand on SQLite (Django's generic path costs more than the rest of the row)."""
    kind = f.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "JSONField" and sqlite and f.encoder is None:
        return json.dumps  # what Django's SQLite backend stores, without its per-value overhead
    if isinstance(f, SensitiveField) or kind == "JSONField":
        return lambda value: f.get_db_prep_save(value, connection)
    if kind == "DateTimeField":
        return _sqlite_datetime if sqlite else None
    if kind == "DateField":
        return _sqlite_date if sqlite else None
    return None


class Rows:
    """Rows of one table, given as field values and written with bulkwrite (COPY on
    PostgreSQL, one executemany elsewhere): no model instances, no per-row SQL.

    Every column gets a value: the one given, else the field's default ("" or NULL when it
    has none); a timestamp column without a value is a bug and raises KeyError. Dates, JSON and sensitive fields
    are converted as the field itself would (`get_db_prep_save`: sensitive ones encrypted), and
    blind indexes are computed by their fields from their sources (never given).
    """

    def __init__(self, model: type[models.Model], *, with_pk: bool = False) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.names = [f.attname for f in fields]
        self.defaults: dict[str, Any] = {}
        for f in fields:
            clock = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            if f.primary_key or clock or (f.has_default() and f.default is timezone.now):
                continue  # timestamps come from the generator, never from the clock
            self.defaults[f.attname] = f.get_default()  # the default, "" or None
        self.converters = [_converter(f) for f in fields]
        self.indexes = [
            (i, f, model._meta.get_field(f.source).attname)
            for i, f in enumerate(fields)
            if isinstance(f, BlindIndexField)
        ]
        self.rows: list[dict[str, Any]] = []

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def flush(self, **common: Any) -> int:
        """Insert the rows added since the last flush; `common` values apply to every row."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        defaults = {**self.defaults, **common}
        columns = operator.itemgetter(*self.names)
        converted = [(i, c) for i, c in enumerate(self.converters) if c is not None]
        prepared = []
        indexes = self.indexes
        for values in rows:
            merged = defaults | values
            row = list(columns(merged))
            for i, index, source in indexes:
                row[i] = index.digest(plaintext_of(merged[source]))
            for i, convert in converted:
                row[i] = convert(row[i])
            prepared.append(row)
        bulkwrite.insert_rows(self.model, self.names, prepared)
        return len(prepared)


class AuditRows(Rows):
    """Audit entries written in bulk: sealed into their institution's hash chain (sequence
    numbers and hashes, qihang.audit.chain) in the order they were added, then inserted."""

    def __init__(self) -> None:
        super().__init__(AuditEvent)

    def flush(self, **common: Any) -> int:
        if self.rows:
            for row in self.rows:
                row.update(common)
            chain.seal(common["institution_id"], self.rows)
        return super().flush(**common)


class Codes:
    """The cohort's destination codes and employer natures as the replay needs them."""

    def __init__(self, ref: Reference, rules: Mapping[str, list[list[str]]] | None = None) -> None:
        self.ids = {code: c.pk for code, c in ref.codes.items()}
        # The files a version of each code carries: the first alternative of its evidence rule
        # (destinations.evidence_rules), so every record the demo approves has what it needs.
        self.evidence = {
            code: tuple(rule[0]) if rule else ()
            for code, c in ref.codes.items()
            for rule in [rule_of(c, rules or {})]
        }
        self.reporting = {code: c.reporting_code for code, c in ref.codes.items()}
        self.confirm = {
            code: "employer_name" in (c.required_fields or []) for code, c in ref.codes.items()
        }
        self.natures = {code: n.pk for code, n in ref.natures.items()}


def approval_rows(
    audit: Rows, approvals: dict[tuple[int, dt.datetime], list[tuple[int, int, str, str]]]
) -> None:
    """The audit rows of the bulk approvals (same actor, same instant) as
    destination_bulk_approve writes them: one per record, with the batch's size; `approvals`
    maps (actor, at) to [(destination id, version, student number, code)]."""
    for (actor, at), items in sorted(approvals.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        batch = {"batch": len(items)} if len(items) > 1 else {}
        for pk, version, student_no, code in items:
            audit.add(
                actor_id=actor,
                action="destination.approve",
                target_type="destinations.destination",
                target_id=str(pk),
                summary=f"{student_no} {code} v{version}",
                data={"version": version, **batch},
                at=at,
            )
    approvals.clear()


def write_steps(graduate: Graduate, steps: Sequence[Step]) -> None:
    """Write one graduate's destination, history, periods and audit rows for `steps`, exactly
    as the bulk generator does (for tests and tools that need a precise history)."""
    cohort = Cohort.objects.get(pk=graduate.cohort_id)
    ref = Codes(Reference.load(policy_for(cohort), cohort.year))
    pk = Ids().take(Destination, 1)[0]
    destination = Rows(Destination, with_pk=True)
    changes, periods, audit = Rows(DestinationChange), Rows(DestinationPeriod), AuditRows()
    evidence = Rows(Evidence)
    replay = Replay(
        pk,
        cohort.pk,
        graduate.pk,
        graduate.student_no,
        graduate.user_id,
        ref,
        changes,
        periods,
        audit,
        institution_id=graduate.institution_id,
        evidence=evidence,
    )
    destination.add(**replay.run(list(steps)))
    approvals: dict[tuple[int, dt.datetime], list[tuple[int, int, str, str]]] = defaultdict(list)
    for actor, at, version, code in replay.approvals:
        approvals[(actor, at)].append((pk, version, graduate.student_no, code))
    approval_rows(audit, approvals)
    for rows in (destination, changes, periods, audit, evidence):
        rows.flush(institution_id=graduate.institution_id)


# --- replaying a season into rows --------------------------------------------------------------
class Replay:
    """Applies a graduate's steps as destinations.services would and collects the rows: the
    destination's final state (returned by run()), its changes, periods and audit rows."""

    def __init__(
        self,
        pk: int,
        cohort_id: int,
        graduate_id: int,
        student_no: str,
        own_user: int | None,
        ref: Codes,
        changes: Rows,
        periods: Rows,
        audit: Rows,
        *,
        institution_id: int,
        evidence: Rows,
    ) -> None:
        self.institution_id = institution_id
        self.evidence = evidence
        self.pk = pk
        self.cohort_id = cohort_id
        self.graduate_id = graduate_id
        self.student_no = student_no
        self.own_user = own_user
        self.ref = ref
        self.changes = changes
        self.periods = periods
        self.audit = audit
        self.values: Values | None = None
        self.d: dict[str, Any] = {}  # the destination row
        self.open: dict[str, dict[str, Any]] = {}  # open period row by kind
        self.approvals: list[tuple[int, dt.datetime, int, str]] = []

    def run(self, steps: list[Step]) -> dict[str, Any]:
        for step in steps:
            actor = self.own_user if step.actor == GRADUATE else step.actor
            action = DESTINATION_REVIEW.action(table_action(step))
            state = self.d.get("status", NEW)
            assert state in action.sources, f"{action.name} from {state!r}"
            if action.name in VERSION_ACTIONS:
                self._report(step, actor, action)
            elif action.target == ReviewStatus.APPROVED:
                self._approve(step, actor, action)
            else:
                self._status(step, actor, action, reason=step.reason)
                if action.target == ReviewStatus.DEPARTMENT_REVIEWED:
                    self.d["reviewed_by_id"] = actor
                    self.d["reviewed_at"] = step.at
                if action.target == ReviewStatus.RETURNED:
                    self.d["return_reason"] = step.reason
            self.d["updated_at"] = step.at
        return self.d

    def _report(self, step: Step, actor: int | None, action: Action) -> None:
        values = step.values
        assert values is not None
        d = self.d
        before = self.values.snapshot() if self.values is not None else {}
        after = values.snapshot()
        changed = before != after
        status = action.target
        status_before = {"status": d["status"]} if d else {}
        if d:
            # The services refuse a version that changes nothing and ask for reasons.
            assert changed or d["status"] == ReviewStatus.RETURNED, "a version that changes nothing"
            needs_reason = action.history == ChangeAction.RECORD or (
                d["official_code_id"] is not None and changed
            )
            assert step.reason or not needs_reason, "a reason is required"
        else:
            d.update(
                id=self.pk,
                cohort_id=self.cohort_id,
                graduate_id=self.graduate_id,
                version=0,
                official_code_id=None,
                official_values={},
                approved_by_id=None,
                approved_at=None,
            )
        confirmed = self.ref.confirm[values.code]
        d.update(
            code_id=self.ref.ids[values.code],
            employer_name=values.employer_name,
            employer_credit_code=values.employer_credit_code,
            employer_nature_id=self.ref.natures.get(values.employer_nature),
            employer_division=values.employer_division,
            employer_province=values.employer_province,
            employer_country=values.employer_country,
            agreement_no=values.agreement_no,
            signed_on=values.signed_on,
            note=values.note,
            confirmed_not_internship=confirmed,
            version=d["version"] + 1,
            source=Source.SELF_REPORT.value
            if action.history == ChangeAction.SUBMIT
            else Source.COUNSELLOR.value,
            status=str(status),
            return_reason="",
            submitted_by_id=actor,
            submitted_at=step.at,
        )
        reviewed = action.target == ReviewStatus.DEPARTMENT_REVIEWED
        d["reviewed_by_id"] = actor if reviewed else None
        d["reviewed_at"] = step.at if reviewed else None
        self.values = values
        change_before, change_after = diff(
            {**before, **status_before}, {**after, "status": str(status)}
        )
        if confirmed:
            change_after["confirmed_not_internship"] = True
        labels = []
        for kind in step.evidence:
            fields = scan_file(
                self.institution_id, self.graduate_id, self.student_no, d["version"], kind
            )
            self.evidence.add(
                destination_id=self.pk,
                graduate_id=self.graduate_id,
                kind=kind,
                version=d["version"],
                uploaded_by_id=actor,
                uploaded_at=step.at,
                **fields,
            )
            labels.append(f"{fields['original_name']}（{EvidenceKind(kind).label}）")
        if labels:
            change_after["evidence"] = labels
        self._change(action, actor, change_before, change_after, at=step.at, reason=step.reason)
        self._open(
            PeriodKind.REPORTED,
            self.ref.reporting[values.code],
            values.employer_division,
            values.employer_country,
            step.at,
        )
        self._audit(
            actor,
            action.audit,
            f"{self.student_no} {values.code} v{d['version']}",
            {"version": d["version"], "status": str(status), "reason": step.reason},
            step.at,
        )

    def _status(self, step: Step, actor: int | None, action: Action, *, reason: str = "") -> None:
        """A row action other than approval (review, return), as DESTINATION_REVIEW.apply
        writes it."""
        d = self.d
        before = d["status"]
        d["status"] = action.target
        self._change(
            action, actor, {"status": before}, {"status": action.target}, at=step.at, reason=reason
        )
        data = {"version": d["version"]}
        self._audit(
            actor,
            action.audit,
            f"{self.student_no} v{d['version']}",
            {"reason": reason, **data} if reason else data,
            step.at,
        )

    def _approve(self, step: Step, actor: int | None, action: Action) -> None:
        d = self.d
        before = d["status"]
        d.update(
            status=action.target,
            approved_by_id=actor,
            approved_at=step.at,
            official_code_id=d["code_id"],
            official_values=self.values.snapshot(),
        )
        self._change(action, actor, {"status": str(before)}, {"status": action.target}, at=step.at)
        code = self.values.code
        self._open(
            PeriodKind.OFFICIAL,
            self.ref.reporting[code],
            d["employer_division"],
            d["employer_country"],
            step.at,
        )
        self.approvals.append((actor, step.at, d["version"], code))

    def _change(
        self,
        action: Action,
        actor: int | None,
        before: dict,
        after: dict,
        *,
        at: dt.datetime,
        reason: str = "",
    ) -> None:
        self.changes.add(
            destination_id=self.pk,
            graduate_id=self.graduate_id,
            action=action.history,
            version=self.d["version"],
            actor_id=actor,
            reason=reason,
            before=before,
            after=after,
            at=at,
        )

    def _open(self, kind: str, code: str, division: str, country: str, at: dt.datetime) -> None:
        previous = self.open.get(kind)
        if previous is not None:
            previous["valid_to"] = at
        period = {
            "cohort_id": self.cohort_id,
            "graduate_id": self.graduate_id,
            "kind": str(kind),
            "code": code,
            "valid_from": at,
            "valid_to": None,
            "employer_province": division[:2] + "0000" if division else "",
            "employer_division": division,
            "employer_country": country,
        }
        self.open[kind] = period
        # The same dict is closed later (valid_to) by the next period of its kind.
        self.periods.rows.append(period)

    def _audit(
        self, actor: int | None, action: str, summary: str, data: dict[str, Any], at: dt.datetime
    ) -> None:
        self.audit.add(
            actor_id=actor,
            action=action,
            target_type="destinations.destination",
            target_id=str(self.pk),
            summary=summary[:300],
            data=data,
            at=at,
        )
