"""Pages of the documents app: the public verification page (anyone with the QR code), and the
issued documents of the graduates one sees (a graduate: their own), with the PDF download and,
for the centre, revocation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qihang.documents import selectors, services
from qihang.documents.models import DocumentKind
from qihang.documents.workflow import DOCUMENT_LIFECYCLE
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, public, requires, takes_ids
from qihang.lib.files import private_file_response
from qihang.lib.ratelimit import over_limit

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
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("文件已作废，扫码核验将显示无效。"))
    return redirect("documents:detail", document_id=document.pk)
