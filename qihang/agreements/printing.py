"""The agreement as a PDF (WeasyPrint, Noto Sans CJK: the Chinese text is embedded and can be
extracted), with the SHA-256 each party signed. It is the evidence behind the code-10
destination a signed agreement writes."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from qihang.agreements.models import Agreement, Signature
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
    }


def agreement_pdf(agreement: Agreement, *, verification_url: str = "") -> bytes:
    import weasyprint  # imported here: it loads Pango on import, which only printing needs

    html = render_to_string(
        "agreements/print/agreement.html",
        print_context(agreement, verification_url=verification_url),
    )
    return weasyprint.HTML(string=html).write_pdf()
