"""The agreement as a PDF (WeasyPrint through qihang.lib.pdf, Noto Sans CJK: the Chinese text is
embedded and can be extracted), with the SHA-256 each party signed and, once issued, the QR code
to its public verification page (qihang/documents). It is the evidence behind the code-10
destination a signed agreement writes."""

from __future__ import annotations

from typing import Any

from qihang.agreements.models import Agreement, Signature
from qihang.lib.pdf import html_to_pdf, qr_data_uri
from qihang.lib.places import division_full_name


def print_context(agreement: Agreement, *, verification_url: str = "") -> dict[str, Any]:
    return {
        "agreement": agreement,
        "graduate": agreement.graduate,
        "employer": agreement.employer,
        "institution": agreement.institution,
        "work_place": division_full_name(agreement.work_division) or agreement.work_division,
        "signatures": list(
            Signature.objects.filter(agreement=agreement).order_by("signed_at", "pk")
        ),
        "verification_url": verification_url,
        "qr": qr_data_uri(verification_url) if verification_url else "",
        "number": agreement.number,
    }


def agreement_pdf(agreement: Agreement, *, verification_url: str = "") -> bytes:
    """The PDF; with `verification_url` (documents.services.document_issue passes it) the page
    carries the QR code to it."""
    return html_to_pdf(
        "agreements/print/agreement.html",
        print_context(agreement, verification_url=verification_url),
    )
