"""The printable résumé: the structured résumé and portfolio as a PDF, made with WeasyPrint
in the Noto Sans CJK font (Debian's fonts-noto-cjk), so that Chinese text is embedded and
searchable in the file."""

from __future__ import annotations

from django.template.loader import render_to_string

from qihang.resumes.selectors import ResumeView


def printable_pdf(view: ResumeView) -> bytes:
    import weasyprint  # imported here: it loads Pango on import, which only this needs

    html = render_to_string("resumes/print.html", {"view": view})
    return weasyprint.HTML(string=html).write_pdf()


def printable_name(view: ResumeView) -> str:
    return f"{view.graduate.name}_简历.pdf"
