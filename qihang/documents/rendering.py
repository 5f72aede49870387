"""Rendering an issued document: a template (extending print/base.html, which sets the CJK font)
to PDF, with the QR code to the document's verification URL.

    render = renderer("documents/print/recommendation.html", {"form": form})
    document_issue(..., render=render)

The template receives `verification_url` and `qr` (an SVG data: URI) besides its context, and
includes documents/print/_verification.html where the code should go.
"""

from __future__ import annotations

from typing import Any

from qihang.documents.services import Render
from qihang.lib.pdf import html_to_pdf, qr_data_uri


def renderer(template_name: str, context: dict[str, Any]) -> Render:
    def render(verification_url: str) -> bytes:
        return html_to_pdf(
            template_name,
            {**context, "verification_url": verification_url, "qr": qr_data_uri(verification_url)},
        )

    return render
