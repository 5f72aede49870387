"""Destination pages: a graduate's own record, the review queue, a record's detail and history,
recording for a graduate, evidence files, and the cohort's policy.

Thin views: parse with a form, call one service, render or redirect. Objects come through
destinations.selectors (scoping): another institution's object is a 404, a missing permission
a 403 (`requires` is the outermost decorator so the route walk sees it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.destinations import evidence_rules, selectors, services
from qihang.destinations.evidence import extract_name, import_extract
from qihang.destinations.forms import (
    DestinationForm,
    EvidenceForm,
    EvidencePolicyForm,
    PolicyForm,
    ReturnForm,
    SignOffForm,
)
from qihang.destinations.models import Destination, EvidenceKind, ReviewStatus
from qihang.destinations.policy import policy_preview
from qihang.destinations.rules import Reference
from qihang.destinations.workflow import DESTINATION_REVIEW, ROW_ACTIONS
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    Actor,
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)
from qihang.lib.validators import FieldError, division_name

QUEUE_TEMPLATE = "destinations/review_queue.html"
# Files a browser may show itself (an image document runs nothing); PDFs stay downloads.
PREVIEW_CONTENT_TYPES = ("image/png", "image/jpeg")


def _max_mb() -> int:
    return max(1, settings.QIHANG_MAX_EVIDENCE_BYTES // (1024 * 1024))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _form_context(ref: Reference, form: DestinationForm) -> dict[str, Any]:
    """The form with what each code requires: fields (the script marks them) and evidence
    (destinations.evidence_rules: the form lists it, the script shows the chosen code's)."""
    rules = evidence_rules.rules_for(ref.policy.institution_id, ref.policy.code_set)
    hints = evidence_rules.code_hints(ref.codes.values(), rules)
    code_rules = ref.code_rules()
    for code, hint in hints.items():
        code_rules[code]["evidence"] = hint
    return {
        "form": form,
        "code_rules": code_rules,
        "ref": ref,
        "evidence_hints": [
            (ref.code_label(code), hint)
            for code, hint in hints.items()
            if hint and not ref.codes[code].parent_id
        ],
    }


def _record_context(destination: Destination | None, ref: Reference) -> dict[str, Any]:
    """History, evidence and the official version of a record, ready to show."""
    if destination is None:
        return {"destination": None, "history": [], "evidence": []}
    formatter = selectors.HistoryFormatter(ref)
    history = getattr(destination, "history", None)
    if history is None:
        history = selectors.history_of(destination)
    evidence = getattr(destination, "evidence_list", None)
    if evidence is None:
        evidence = selectors.evidence_of(destination)
    division = ""
    if destination.employer_division:
        try:
            division = division_name(destination.employer_division)
        except FieldError:
            division = ""
    return {
        "destination": destination,
        "history": formatter.annotate(history),
        "evidence": evidence,
        "division_name": division,
        "official_lines": formatter.official(destination.official_values)
        if destination.has_pending_change
        else [],
    }


# --- The graduate's own record -------------------------------------------------------------------
# What another page may propose for a graduate's destination form (a hire through an application,
# a founders' project for 75): shown as the form's starting values, nothing written — the
# graduate submits, the review decides.
PREFILL_FIELDS = {
    "employer_name": 200,
    "employer_credit_code": 18,
    "employer_division": 6,
}


def _prefill(request: HttpRequest, ref: Any) -> dict[str, Any]:
    if request.method != "GET":
        return {}
    values = {
        name: request.GET[name].strip()[:limit]
        for name, limit in PREFILL_FIELDS.items()
        if request.GET.get(name, "").strip()
    }
    code = request.GET.get("code", "").strip()
    if code in ref.codes:
        values["code"] = code
    return values


@takes_ids()
@requires(Perm.DESTINATION_REPORT_OWN)
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.own_graduate(actor)
    if graduate is None:
        return render(request, "destinations/mine.html", {"graduate": None})
    ref = selectors.reference_for(graduate.cohort)
    destination = selectors.current_destination(graduate)
    today = timezone.localdate()
    closed = services.deadline_passed(ref.policy, today)
    form = DestinationForm(
        request.POST or None,
        request.FILES or None,
        ref=ref,
        max_mb=_max_mb(),
        initial=DestinationForm.initial_from(destination) | _prefill(request, ref),
    )
    if request.method == "POST":
        if closed:
            raise PermissionDenied("registration closed")
        if form.is_valid():
            try:
                services.destination_submit(
                    actor=actor,
                    graduate=graduate,
                    data=form.destination_data(),
                    evidence_files=form.uploads(),
                    reason=form.cleaned_data.get("reason") or "",
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("已提交，等待院系审核。"))
                return redirect("destinations:mine")
    return render(
        request,
        "destinations/mine.html",
        {
            "graduate": graduate,
            "closed": closed,
            "deadline": ref.policy.registration_deadline,
            "evidence_form": EvidenceForm(),
            "can_add_evidence": not closed,
            **_form_context(ref, form),
            **_record_context(destination, ref),
        },
    )


# --- Review queue ----------------------------------------------------------------------------------
def _row_flags(
    actor: Actor, destination: Destination, rules: dict[int, Any] | None = None
) -> Destination:
    """The buttons of a row: the row actions DESTINATION_REVIEW makes available to the actor
    (no query: the graduate is loaded), and what evidence is missing for an approval (from the
    row's files when the queue loaded them; `rules` caches the evidence rules per code set)."""
    actions = [a for a in DESTINATION_REVIEW.available(destination, actor) if a.name in ROW_ACTIONS]
    names = {a.name for a in actions}
    destination.row_actions = actions  # type: ignore[attr-defined]
    destination.can_review = "review" in names  # type: ignore[attr-defined]
    destination.can_approve = "approve" in names  # type: ignore[attr-defined]
    destination.can_sign_off = "sign_off" in names  # type: ignore[attr-defined]
    destination.can_return = "return" in names  # type: ignore[attr-defined]
    destination.missing_evidence = []  # type: ignore[attr-defined]
    if names & {"approve", "sign_off"}:
        rules = {} if rules is None else rules
        code_set_id = destination.code.code_set_id
        if code_set_id not in rules:
            rules[code_set_id] = evidence_rules.rules_for(destination.institution_id, code_set_id)
        files = getattr(destination, "queue_evidence", None)
        if files is None:
            files = getattr(destination, "evidence_list", None)
        kinds = evidence_rules.kinds_of(files, destination.version) if files is not None else None
        destination.missing_evidence = evidence_rules.missing_evidence(  # type: ignore[attr-defined]
            destination, kinds=kinds, rules=rules[code_set_id]
        )
    return destination


def _queue_filters(request: HttpRequest, actor: Actor, cohorts: list[Cohort]) -> Any:
    filters = selectors.QueueFilters()
    year = request.GET.get("cohort", "")
    by_year = {c.year: c for c in cohorts}
    filters.cohort = by_year.get(int(year)) if year.isdigit() else None
    if filters.cohort is None and cohorts and year != "all":
        filters.cohort = cohorts[0]
    department = request.GET.get("department", "")
    filters.department_id = int(department) if department.isdigit() else None
    status = request.GET.get("status", "pending")
    filters.status = status if status in selectors.STATUS_FILTERS else "pending"
    filters.code = request.GET.get("code", "").strip()[:4]
    filters.query = request.GET.get("q", "").strip()[:30]
    return filters


@takes_ids(
    cohort=ObjectId("institutions.Cohort", "year"), department=ObjectId("institutions.Department")
)
@requires(Perm.DESTINATION_REVIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohorts, departments = selectors.queue_choices(actor)
    filters = _queue_filters(request, actor, cohorts)
    policy = policy_preview(filters.cohort) if filters.cohort else None
    codes = selectors.top_level_codes(policy) if policy else []
    page = Paginator(selectors.review_queue(actor, filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The evidence rules of the cohort's code set (one query), for the rows' missing evidence.
    rules: dict[int, Any] = {}
    if policy is not None and page.object_list and actor.has(Perm.DESTINATION_APPROVE):
        rules[policy.code_set_id] = evidence_rules.rules_for(actor.institution_id, policy.code_set)
    rows = [_row_flags(actor, d, rules) for d in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        QUEUE_TEMPLATE,
        {
            "cohorts": cohorts,
            "departments": departments,
            "codes": codes,
            "filters": filters,
            "statuses": [
                ("pending", _("待我处理")),
                *[(s.value, s.label) for s in ReviewStatus],
                ("all", _("全部")),
            ],
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "here": request.get_full_path(),
            "can_approve": actor.has(Perm.DESTINATION_APPROVE),
            "can_manage": actor.has(Perm.SETTINGS_MANAGE),
            "can_record": actor.has(Perm.DESTINATION_RECORD),
        },
    )


def _row_response(
    request: HttpRequest,
    actor: Actor,
    destination_id: int,
    *,
    error: str = "",
    returning: bool = False,
    form: ReturnForm | None = None,
) -> HttpResponse:
    destination = _row_flags(actor, selectors.queue_row(actor, destination_id))
    return render(
        request,
        f"{QUEUE_TEMPLATE}#row",
        {
            "d": destination,
            "row_error": error,
            "returning": returning,
            "return_form": form or ReturnForm(initial={"version": destination.version}),
            "can_approve": actor.has(Perm.DESTINATION_APPROVE),
        },
    )


def _after_action(
    request: HttpRequest, actor: Actor, destination_id: int, *, done: str, error: str = ""
) -> HttpResponse:
    """htmx: the row again (with the error if any); otherwise back to the record's page."""
    if _is_htmx(request):
        return _row_response(request, actor, destination_id, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_safe_next(request, reverse("destinations:detail", args=[destination_id])))


@takes_ids()
@requires(Perm.DESTINATION_REVIEW)
def row(request: HttpRequest, destination_id: int) -> HttpResponse:
    """One queue row (htmx: "cancel" of the return form puts the row back)."""
    return _row_response(request, actor_of(request), destination_id)


@takes_ids()
@requires(Perm.DESTINATION_REVIEW)
@require_POST
def review(request: HttpRequest, destination_id: int) -> HttpResponse:
    actor = actor_of(request)
    destination = selectors.destination_for_action(actor, destination_id)
    error = ""
    try:
        services.destination_review(
            actor=actor, destination=destination, expected_version=_version(request)
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _after_action(request, actor, destination_id, done=_("已审核通过。"), error=error)


@takes_ids()
@requires(Perm.DESTINATION_APPROVE)
@require_POST
def approve(request: HttpRequest, destination_id: int) -> HttpResponse:
    actor = actor_of(request)
    destination = selectors.destination_for_action(actor, destination_id)
    error = ""
    try:
        services.destination_approve(
            actor=actor, destination=destination, expected_version=_version(request)
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _after_action(request, actor, destination_id, done=_("已审批通过。"), error=error)


@takes_ids()
@requires(Perm.DESTINATION_APPROVE)
@require_POST
def sign_off(request: HttpRequest, destination_id: int) -> HttpResponse:
    """The career centre signs off a change made after the closing date, with a reason."""
    actor = actor_of(request)
    destination = selectors.destination_for_action(actor, destination_id)
    form = SignOffForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
    else:
        try:
            services.destination_sign_off(
                actor=actor,
                destination=destination,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已签批，该变更成为正式记录。"))
    return redirect(_safe_next(request, reverse("destinations:detail", args=[destination_id])))


@takes_ids()
@requires(Perm.DESTINATION_REVIEW)
def return_view(request: HttpRequest, destination_id: int) -> HttpResponse:
    """GET (htmx): the row asking for a reason; POST: return the record with that reason."""
    actor = actor_of(request)
    destination = selectors.destination_for_action(actor, destination_id)
    if request.method != "POST":
        if _is_htmx(request):
            return _row_response(request, actor, destination_id, returning=True)
        return redirect("destinations:detail", destination_id=destination_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if _is_htmx(request):
            return _row_response(request, actor, destination_id, returning=True, form=form)
        messages.error(request, _("请填写退回原因，说明需要更正什么。"))
        return redirect("destinations:detail", destination_id=destination_id)
    error = ""
    try:
        services.destination_return(
            actor=actor,
            destination=destination,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _after_action(request, actor, destination_id, done=_("已退回。"), error=error)


@takes_ids(items=ObjectId("destinations.Destination", fmt="{obj.pk}:{obj.version}"))
@requires(Perm.DESTINATION_APPROVE)
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    items: list[tuple[int, int | None]] = []
    for raw in request.POST.getlist("items"):
        pk, _sep, version = raw.partition(":")
        if pk.isdigit():
            items.append((int(pk), int(version) if version.isdigit() else None))
    back = _safe_next(request, reverse("destinations:review_queue"))
    if not items:
        messages.warning(request, _("请先勾选要审批的记录。"))
        return redirect(back)
    visible = set(
        scoped(Destination, actor)
        .filter(pk__in=[pk for pk, _v in items])
        .values_list("pk", flat=True)
    )
    items = [item for item in items if item[0] in visible]
    if not items:
        raise Http404
    approved, skipped = services.destination_bulk_approve(actor=actor, items=items)
    if approved:
        messages.success(request, _("已审批通过%(n)s条记录。") % {"n": len(approved)})
    for _pk, why in skipped:
        messages.warning(request, why)
    return redirect(back)


# --- One record ------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.DESTINATION_VIEW)
def detail(request: HttpRequest, destination_id: int) -> HttpResponse:
    actor = actor_of(request)
    destination = selectors.destination_detail(actor, destination_id)
    ref = selectors.reference_for(destination.graduate.cohort)
    rules: dict[int, Any] = {}
    if actor.has(Perm.DESTINATION_APPROVE):
        rules[ref.policy.code_set_id] = evidence_rules.rules_for(
            actor.institution_id, ref.policy.code_set
        )
    _row_flags(actor, destination, rules)
    return render(
        request,
        "destinations/detail.html",
        {
            "graduate": destination.graduate,
            "return_form": ReturnForm(initial={"version": destination.version}),
            "sign_off_form": SignOffForm(initial={"version": destination.version}),
            "closed": services.deadline_passed(ref.policy, timezone.localdate()),
            "deadline": ref.policy.registration_deadline,
            "evidence_form": EvidenceForm(),
            "can_record": actor.has(Perm.DESTINATION_RECORD),
            "can_add_evidence": actor.has(Perm.DESTINATION_RECORD),
            "can_queue": actor.has(Perm.DESTINATION_REVIEW),
            **_record_context(destination, ref),
        },
    )


@takes_ids()
@requires(Perm.DESTINATION_RECORD)
def record(request: HttpRequest, graduate_id: int) -> HttpResponse:
    """Staff record (or correct) a graduate's destination on their behalf."""
    actor = actor_of(request)
    graduate = selectors.graduate_for_record(actor, graduate_id)
    ref = selectors.reference_for(graduate.cohort)
    destination = selectors.current_destination(graduate)
    form = DestinationForm(
        request.POST or None,
        request.FILES or None,
        ref=ref,
        max_mb=_max_mb(),
        initial=DestinationForm.initial_from(destination),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.destination_record(
                actor=actor,
                graduate=graduate,
                data=form.destination_data(),
                evidence_files=form.uploads(),
                reason=form.cleaned_data.get("reason") or "",
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                _("已录入%(name)s的毕业去向（%(status)s）。")
                % {"name": graduate.name, "status": saved.get_status_display()},
            )
            if actor.has(Perm.DESTINATION_VIEW):
                return redirect("destinations:detail", destination_id=saved.pk)
            return redirect("destinations:record", graduate_id=graduate.pk)
    return render(
        request,
        "destinations/record.html",
        {
            "graduate": graduate,
            "closed": services.deadline_passed(ref.policy, timezone.localdate()),
            "deadline": ref.policy.registration_deadline,
            "will_be_reviewed": services.may_review(actor, graduate),
            "is_centre": actor.has(Perm.DESTINATION_APPROVE),
            "can_view": actor.has(Perm.DESTINATION_VIEW),
            **_form_context(ref, form),
            **_record_context(destination, ref),
        },
    )


@takes_ids()
@requires(Perm.DESTINATION_RECORD)
def record_lookup(request: HttpRequest) -> HttpResponse:
    """Find a graduate by 学号 or name to record for them."""
    actor = actor_of(request)
    query = request.GET.get("q", "").strip()[:30]
    results: list[Graduate] = []
    if query:
        graduates = scoped(Graduate, actor).select_related(
            "department", "major", "cohort", "destination__code"
        )
        exact = list(graduates.filter(student_no=query)[:2])
        if len(exact) == 1:
            return redirect("destinations:record", graduate_id=exact[0].pk)
        results = list(
            graduates.filter(Q(student_no__startswith=query) | Q(name__contains=query)).order_by(
                "student_no"
            )[:20]
        )
    return render(request, "destinations/record_lookup.html", {"query": query, "results": results})


# --- Evidence --------------------------------------------------------------------------------------
@takes_ids()
@requires(None)
@require_POST
def evidence_upload(request: HttpRequest, destination_id: int) -> HttpResponse:
    """Add a file to a record: the graduate (own, until the deadline) or staff who record."""
    actor = actor_of(request)
    if not (actor.has(Perm.DESTINATION_REPORT_OWN) or actor.has(Perm.DESTINATION_RECORD)):
        raise PermissionDenied(Perm.DESTINATION_RECORD)
    destination = selectors.destination_for_action(actor, destination_id)
    own = destination.graduate.user_id == actor.user_id
    back = (
        reverse("destinations:mine")
        if own and not actor.has(Perm.DESTINATION_VIEW)
        else (reverse("destinations:detail", args=[destination_id]))
    )
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.evidence_add(
            actor=actor,
            destination=destination,
            evidence_files=[(form.cleaned_data["kind"], form.cleaned_data["file"])],
            reason=form.cleaned_data.get("reason") or "",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已上传证明材料。"))
    return redirect(back)


@takes_ids()
@requires(None)
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """A file, to the graduate it belongs to and to staff whose scope covers the graduate.

    As an attachment, with nosniff; `?preview=1` shows an image (PNG/JPEG, checked by its bytes
    on upload) in the browser instead, under a sandboxing CSP, for the review queue. An
    import's file lists every graduate of the import: narrow roles get an extract with their row.
    """
    actor = actor_of(request)
    if not (actor.has(Perm.DESTINATION_VIEW) or actor.has(Perm.DESTINATION_REPORT_OWN)):
        raise PermissionDenied(Perm.DESTINATION_VIEW)
    evidence = selectors.evidence_for_download(actor, evidence_id)
    if evidence.kind == EvidenceKind.IMPORT_FILE and not actor.sees_whole_institution:
        data = import_extract(evidence, student_no=evidence.graduate.student_no)
        if data is None:
            raise Http404
        response: HttpResponse = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = extract_name(evidence.original_name, evidence.source_row or 0)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quote(filename)
    else:
        try:
            handle = default_storage.open(evidence.file.name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        preview = (
            request.GET.get("preview") == "1" and evidence.content_type in PREVIEW_CONTENT_TYPES
        )
        response = FileResponse(
            handle,
            as_attachment=not preview,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename)


# --- The cohort's policy ---------------------------------------------------------------------------
@takes_ids()
@requires(Perm.SETTINGS_MANAGE)
def policy(request: HttpRequest, cohort_year: int) -> HttpResponse:
    actor = actor_of(request)
    cohort = get_scoped_or_404(Cohort, actor, year=cohort_year)
    ref = selectors.reference_for(cohort)
    codes = selectors.top_level_codes(ref.policy)
    current = ref.policy
    form = PolicyForm(
        request.POST or None,
        codes=codes,
        initial={
            "signing_codes": current.signing_codes,
            "registration_deadline": current.registration_deadline,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_policy_update(
                actor=actor,
                cohort=cohort,
                signing_codes=form.cleaned_data["signing_codes"],
                registration_deadline=form.cleaned_data["registration_deadline"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("已保存%(year)s届的毕业去向政策。") % {"year": cohort.year})
            return redirect("destinations:policy", cohort_year=cohort.year)
    return render(
        request,
        "destinations/policy.html",
        {
            "cohort": cohort,
            "policy": current,
            "saved": current.pk is not None,
            "form": form,
            "cohorts": list(scoped(Cohort, actor).order_by("-year")),
            "queue_url": reverse("destinations:review_queue")
            + "?"
            + urlencode({"cohort": cohort.year}),
        },
    )


# --- Evidence rules and retention (the institution's settings) -----------------------------------
@takes_ids()
@requires(Perm.SETTINGS_MANAGE)
def evidence_policy(request: HttpRequest) -> HttpResponse:
    """The evidence each code requires here (national defaults, overridable per code) and how
    long evidence is kept after graduation."""
    actor = actor_of(request)
    code_set = selectors.current_code_set(actor)
    codes = selectors.top_level_codes_of(code_set)
    current = evidence_rules.policy_of(actor.institution_id)
    national = evidence_rules.national_rules(code_set.version)
    form = EvidencePolicyForm(request.POST or None, codes=codes, national=national, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_policy_update(
                actor=actor,
                code_set=code_set,
                required=form.overrides(),
                retention_years=form.cleaned_data["retention_years"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("已保存证明材料规则。"))
            return redirect("destinations:evidence_policy")
    return render(
        request,
        "destinations/evidence_policy.html",
        {"form": form, "code_set": code_set, "rows": form.rows()},
    )
