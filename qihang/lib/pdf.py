"""Printable documents: a Django template rendered to PDF by WeasyPrint, and QR codes for them.

Every PDF the platform makes (the printable résumé, issued documents such as the recommendation
form and the tripartite agreement) extends templates/print/base.html, which sets the page and
the Noto Sans CJK font (Debian's fonts-noto-cjk), so Chinese text is embedded and searchable.
"""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string


def html_to_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    import weasyprint  # imported here: it loads Pango on import, which only printing needs

    html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html).write_pdf()


def qr_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI for an <img> in a printed page. A full QR code,
    never a Micro QR (which segno.make picks for short data): phones read only QR."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=4, border=2)
