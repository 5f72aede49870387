"""The printable résumé: the structured résumé and portfolio as a PDF (qihang.lib.pdf: WeasyPrint
in the Noto Sans CJK font, so that Chinese text is embedded and searchable in the file)."""

from __future__ import annotations

from qihang.lib.pdf import html_to_pdf
from qihang.resumes.selectors import ResumeView


def printable_pdf(view: ResumeView) -> bytes:
    return html_to_pdf("resumes/print.html", {"view": view})


def printable_name(view: ResumeView) -> str:
    return f"{view.graduate.name}_简历.pdf"
