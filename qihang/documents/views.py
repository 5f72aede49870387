"""Pages of the documents app: the public verification page (anyone with the QR code), and the
issued documents of the graduates one sees (a graduate: their own), with the PDF download and,
for the centre, revocation."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qihang.documents import dossier_display, selectors, services
from qihang.documents.forms import AssessForm, DossierForm, ReasonForm, RecommendationApplyForm
from qihang.documents.models import DOSSIER_FIELDS, DocumentKind, RecommendationStatus
from qihang.documents.workflow import DOCUMENT_LIFECYCLE, RECOMMENDATION
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, public, requires, takes_ids
from qihang.lib.feedback import refusal, refuse_on_form
from qihang.lib.files import private_file_response
from qihang.lib.ratelimit import over_limit
from qihang.lib.tabular import write_xlsx

# Verifications per client address per minute: a front desk checking a pile of forms is far
# below it; a script trying tokens is stopped (the tokens are unguessable anyway).
VERIFICATIONS_PER_MINUTE = getattr(settings, "QIHANG_VERIFICATIONS_PER_MINUTE", 60)


@public
@require_GET
@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    if over_limit(
        f"verify:{request.META.get('REMOTE_ADDR', '')}",
        limit=VERIFICATIONS_PER_MINUTE,
        seconds=60,
    ):
        response = render(request, "documents/verify.html", {"limited": True}, status=429)
    else:
        response = render(
            request, "documents/verify.html", {"result": selectors.verification(token)}
        )
    # The token is the whole secret: never sent on as a referrer, never indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@takes_ids()
@requires(Perm.DOCUMENT_VIEW)
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    kind = request.GET.get("kind", "")
    documents = selectors.documents_for(actor)
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    return render(
        request,
        "documents/list.html",
        {"documents": documents[:500], "kind": kind, "kinds": DocumentKind.choices},
    )


@takes_ids()
@requires(Perm.DOCUMENT_VIEW)
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = actor_of(request)
    document = selectors.document_for(actor, document_id)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "chain": selectors.document_chain(document),
            "can_revoke": DOCUMENT_LIFECYCLE.can(document, actor, "revoke"),
        },
    )


@takes_ids()
@requires(Perm.DOCUMENT_VIEW)
@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = actor_of(request)
    document = selectors.document_for(actor, document_id)
    return private_file_response(
        services.document_bytes(actor=actor, document=document),
        filename=f"{document.get_kind_display()}_{document.number}.pdf",
        content_type="application/pdf",
    )


@takes_ids()
@requires(Perm.DOCUMENT_MANAGE)
@require_POST
def document_revoke(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = actor_of(request)
    document = selectors.document_for(actor, document_id)
    try:
        services.document_revoke(
            actor=actor, document=document, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("文件已作废，扫码核验将显示无效。"))
    return redirect("documents:detail", document_id=document.pk)


# --- The recommendation form ---------------------------------------------------------------------
@takes_ids()
@requires(Perm.RECOMMENDATION_APPLY)
@require_http_methods(["GET", "POST"])
def recommendation_mine(request: HttpRequest) -> HttpResponse:
    """The graduate's form: fill in and submit (again after a return); then its progress."""
    actor = actor_of(request)
    graduate = selectors.own_graduate(actor)
    recommendation = selectors.recommendation_of(graduate)
    editable = recommendation is None or RECOMMENDATION.can(recommendation, actor, "submit")
    form = RecommendationApplyForm(request.POST or None, instance=recommendation)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("推荐表已提交，审核期间不能修改。"))
            return redirect("documents:recommendation_mine")
        if form.is_valid():
            try:
                services.recommendation_submit(
                    actor=actor,
                    graduate=graduate,
                    self_assessment=form.cleaned_data["self_assessment"],
                    intentions=form.cleaned_data["intentions"],
                    honours=form.cleaned_data["honours"],
                )
            except ValidationError as exc:
                refuse_on_form(form, exc)
            else:
                messages.success(request, _("申请已提交，请等待院系评议。"))
                return redirect("documents:recommendation_mine")
    return render(
        request,
        "documents/recommendation_mine.html",
        {
            "graduate": graduate,
            "recommendation": recommendation,
            "form": form,
            "editable": editable,
        },
        status=400 if form.errors else 200,
    )


@takes_ids()
@requires(Perm.RECOMMENDATION_ASSESS)
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    return render(
        request,
        "documents/recommendation_list.html",
        {
            "recommendations": selectors.recommendations_for(actor, status=status)[:500],
            "status": status,
            "statuses": RecommendationStatus.choices,
        },
    )


def _recommendation_page(request, actor, recommendation, *, assess_form=None, status=200):
    return render(
        request,
        "documents/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "graduate": recommendation.graduate,
            "actions": {a.name for a in RECOMMENDATION.available(recommendation, actor)},
            "can_reissue": recommendation.document is not None
            and DOCUMENT_LIFECYCLE.can(recommendation.document, actor, "reissue"),
            "assess_form": assess_form
            or AssessForm(
                initial={
                    "department_comments": recommendation.department_comments,
                    "level": recommendation.level,
                }
            ),
        },
        status=status,
    )


@takes_ids()
@requires(Perm.RECOMMENDATION_ASSESS)
@require_GET
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    actor = actor_of(request)
    recommendation = selectors.recommendation_for(actor, recommendation_id)
    return _recommendation_page(request, actor, recommendation)


@takes_ids()
@requires(Perm.RECOMMENDATION_ASSESS)
@require_POST
def recommendation_act(request: HttpRequest, recommendation_id: int, action: str) -> HttpResponse:
    """assess / return / approve / reissue, each checked by its service (the workflow table)."""
    actor = actor_of(request)
    recommendation = selectors.recommendation_for(actor, recommendation_id)
    try:
        if action == "assess":
            form = AssessForm(request.POST)
            if not form.is_valid():
                return _recommendation_page(
                    request, actor, recommendation, assess_form=form, status=400
                )
            services.recommendation_assess(
                actor=actor,
                recommendation=recommendation,
                comments=form.cleaned_data["department_comments"],
                level=form.cleaned_data["level"],
            )
            messages.success(request, _("院系意见已提交，等待就业指导中心审批。"))
        elif action in {"return", "reissue"}:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            if action == "return":
                services.recommendation_return(
                    actor=actor, recommendation=recommendation, reason=reason
                )
                messages.success(request, _("已退回，毕业生可修改后重新提交。"))
            else:
                services.recommendation_reissue(
                    actor=actor, recommendation=recommendation, reason=reason
                )
                messages.success(request, _("已补发新的推荐表，原件已作废。"))
        elif action == "approve":
            services.recommendation_approve(actor=actor, recommendation=recommendation)
            messages.success(request, _("推荐表已签发。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    return redirect("documents:recommendation_detail", recommendation_id=recommendation.pk)


# --- 档案 and 户口 ----------------------------------------------------------------------------------
def _dossier_context(actor, graduate, *, form=None) -> dict:
    dossier = selectors.dossier_of(graduate)
    can_edit = actor.has(Perm.DOSSIER_EDIT)
    return {
        "graduate": graduate,
        "dossier": dossier,
        "rows": dossier_display.rows(dossier),
        "changes": [
            (c, dossier_display.change_rows(c)) for c in selectors.dossier_changes(dossier)
        ],
        "can_edit": can_edit,
        "form": form or (DossierForm(instance=dossier) if can_edit else None),
        "report_card": graduate.cohort.year <= 2022,
    }


@takes_ids()
@requires(Perm.DESTINATION_REPORT_OWN)  # the graduate's own, as part of their destination
@require_GET
def dossier_mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.own_graduate(actor)
    return render(
        request, "documents/dossier.html", {**_dossier_context(actor, graduate), "own": True}
    )


@takes_ids()
@requires(Perm.DOSSIER_VIEW)
@require_GET
def dossier_detail(request: HttpRequest, graduate_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.graduate_for(actor, graduate_id)
    return render(request, "documents/dossier.html", _dossier_context(actor, graduate))


@takes_ids()
@requires(Perm.DOSSIER_EDIT)
@require_POST
def dossier_edit(request: HttpRequest, graduate_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.graduate_for(actor, graduate_id)
    form = DossierForm(request.POST, instance=selectors.dossier_of(graduate))
    if form.is_valid():
        try:
            services.dossier_update(
                actor=actor,
                graduate=graduate,
                data={n: form.cleaned_data[n] for n in DOSSIER_FIELDS},
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("档案与户口信息已保存。"))
            return redirect("documents:dossier", graduate_id=graduate.pk)
    return render(
        request, "documents/dossier.html", _dossier_context(actor, graduate, form=form), status=400
    )


@takes_ids()
@requires(Perm.DOSSIER_EDIT)
@require_GET
def dossier_export(request: HttpRequest) -> HttpResponse:
    """档案/户口 of the graduates one sees (?cohort=2020) as xlsx: a file beside the destination
    export, one row per graduate (empty columns where nothing is recorded yet)."""
    actor = actor_of(request)
    cohort = request.GET.get("cohort", "")
    cohort_year = int(cohort) if cohort.isdigit() else None
    graduates = list(selectors.dossiers_for_export(actor, cohort_year=cohort_year))
    headers = [str(_("学号")), str(_("姓名")), str(_("院系")), str(_("届别"))] + [
        dossier_display.label(n) for n in DOSSIER_FIELDS
    ]
    rows = []
    for g in graduates:
        dossier = getattr(g, "dossier", None)
        values = [v for _label, v in dossier_display.rows(dossier)] or [""] * len(DOSSIER_FIELDS)
        rows.append([g.student_no, g.name, g.department.name, g.cohort.year, *values])
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, sheet_title="档案与户口")
    services.dossier_export_recorded(actor=actor, count=len(rows), cohort_year=cohort_year)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"档案与户口_{cohort_year or '全部'}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response
