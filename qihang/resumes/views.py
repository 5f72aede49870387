"""Pages of the résumés app, for three audiences:

- the graduate (RESUME_OWN): edit their résumé and portfolio (htmx adds and removes rows),
  upload a PDF and recordings, switch the consent, see who looked;
- staff who look after the graduate (RESUME_VIEW), through scoping on Graduate;
- employers (RESUME_BROWSE): consenting graduates of institutions where they are verified,
  decided by selectors.resume_visible_to_employer on every request. Every staff and employer
  read is logged (audit SensitiveRead), shown to the graduate.

Media and PDFs are served only here, never from a public URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, actor_of, requires, takes_ids
from qihang.lib.files import private_file_response
from qihang.resumes import selectors, services
from qihang.resumes.forms import MediaUploadForm, PdfForm, ProfileForm, row_form
from qihang.resumes.models import ReadPart
from qihang.resumes.printing import printable_name, printable_pdf
from qihang.resumes.sections import BY_KEY, Section

PAGE_SIZE = 30


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _section(key: str) -> Section:
    section = BY_KEY.get(key)
    if section is None:
        raise Http404
    return section


# --- The graduate's own ------------------------------------------------------------------------
def _own_context(actor: Actor, **extra: Any) -> dict[str, Any]:
    graduate = selectors.own_graduate(actor)
    view = selectors.resume_view(graduate)
    forms = {s.key: row_form(s) for s in BY_KEY.values()}
    forms.update(extra.pop("forms", {}))
    return {
        "view": view,
        "resume_parts": [(p, forms[p.key]) for p in view.resume_sections],
        "portfolio_parts": [(p, forms[p.key]) for p in view.portfolio_sections],
        "profile_form": extra.pop("profile_form", None) or ProfileForm(instance=view.resume),
        "pdf_form": PdfForm(),
        "media_form": extra.pop("media_form", None) or MediaUploadForm(),
        "consents": selectors.consent_history(view.resume),
        **extra,
    }


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "resumes/mine.html", _own_context(actor_of(request)))


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def profile(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    resume = services.resume_of(selectors.own_graduate(actor))
    form = ProfileForm(request.POST, instance=resume)
    if form.is_valid():
        services.resume_update(actor=actor, resume=resume, data=form.cleaned_data)
        messages.success(request, _("简历已保存。"))
        return redirect("resumes:mine")
    return render(request, "resumes/mine.html", _own_context(actor, profile_form=form), status=400)


def _section_response(
    request: HttpRequest, actor: Actor, section: Section, *, form: Any = None, status: int = 200
) -> HttpResponse:
    if not _is_htmx(request):
        if status != 200:
            return render(
                request,
                "resumes/mine.html",
                _own_context(actor, forms={section.key: form}),
                status=status,
            )
        return redirect(f"{reverse('resumes:mine')}#section-{section.key}")
    context = _own_context(actor, forms={section.key: form} if form is not None else {})
    part = next(
        p
        for p in (*context["view"].resume_sections, *context["view"].portfolio_sections)
        if p.key == section.key
    )
    form = form if form is not None else row_form(section)
    return render(
        request, "resumes/mine.html#section", {**context, "part": part, "form": form}, status=status
    )


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def row_add(request: HttpRequest, section: str) -> HttpResponse:
    actor = actor_of(request)
    found = _section(section)
    resume = services.resume_of(selectors.own_graduate(actor))
    form = row_form(found, request.POST)
    if form.is_valid():
        try:
            services.resume_row_add(
                actor=actor, resume=resume, section=found, data=form.cleaned_data
            )
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
    if form.errors:
        return _section_response(request, actor, found, form=form, status=400)
    return _section_response(request, actor, found)


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def row_remove(request: HttpRequest, section: str, row_id: int) -> HttpResponse:
    actor = actor_of(request)
    found = _section(section)
    resume = services.resume_of(selectors.own_graduate(actor))
    row = found.model._default_manager.filter(resume=resume, pk=row_id).first()
    if row is None:
        raise Http404
    services.resume_row_remove(actor=actor, resume=resume, section=found, row=row)
    return _section_response(request, actor, found)


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def pdf_upload(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    resume = services.resume_of(selectors.own_graduate(actor))
    form = PdfForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.resume_pdf_upload(actor=actor, resume=resume, file=form.cleaned_data["pdf"])
        except ValidationError as exc:
            form.add_error("pdf", exc.message_dict.get("pdf") or exc.messages)
    if form.errors:
        context = _own_context(actor)
        context["pdf_form"] = form
        return render(request, "resumes/mine.html", context, status=400)
    messages.success(request, _("PDF简历已上传。"))
    return redirect("resumes:mine")


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def media_upload(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    resume = services.resume_of(selectors.own_graduate(actor))
    form = MediaUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.resume_media_upload(
                actor=actor,
                resume=resume,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
    if form.errors:
        return render(
            request, "resumes/mine.html", _own_context(actor, media_form=form), status=400
        )
    messages.success(request, _("录音或录像已上传。"))
    return redirect("resumes:mine")


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    choice = request.POST.get("discoverable")
    if choice not in ("on", "off"):
        messages.error(
            request, _("请选择允许或不允许用人单位查看（discoverable 须为 on 或 off）。")
        )
        return redirect("resumes:mine")
    resume = services.resume_of(selectors.own_graduate(actor))
    services.resume_consent_set(actor=actor, resume=resume, granted=choice == "on")
    if choice == "on":
        messages.success(request, _("已允许本校认证的用人单位查看你的简历和作品集。"))
    else:
        messages.success(request, _("已撤回授权：用人单位从现在起不能再查看你的简历和作品集。"))
    return redirect("resumes:mine")


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_GET
def reads(request: HttpRequest) -> HttpResponse:
    """Who looked at my résumé."""
    actor = actor_of(request)
    resume = selectors.resume_for_reading(selectors.own_graduate(actor))
    page = Paginator(selectors.reads_of(resume), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "resumes/reads.html", {"page": page, "parts": ReadPart.choices})


def _pdf(graduate: Graduate) -> HttpResponse:
    resume = selectors.resume_for_reading(graduate)
    if not resume.pdf_file:
        raise Http404
    return private_file_response(
        services.stored_bytes(resume.pdf_file),
        filename=resume.pdf_name,
        content_type="application/pdf",
    )


def _media(graduate: Graduate, media_id: int) -> HttpResponse:
    item = selectors.media_of(selectors.resume_for_reading(graduate), media_id)
    return private_file_response(
        services.stored_bytes(item.file),
        filename=item.original_name,
        content_type=item.content_type,
    )


def _print(graduate: Graduate) -> HttpResponse:
    view = selectors.resume_view(graduate)
    return private_file_response(
        printable_pdf(view), filename=printable_name(view), content_type="application/pdf"
    )


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_GET
def own_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(selectors.own_graduate(actor_of(request)))


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_GET
def own_media(request: HttpRequest, media_id: int) -> HttpResponse:
    return _media(selectors.own_graduate(actor_of(request)), media_id)


@takes_ids()
@requires(Perm.RESUME_OWN)
@require_GET
def own_print(request: HttpRequest) -> HttpResponse:
    return _print(selectors.own_graduate(actor_of(request)))


# --- Staff and employers: read, logged ---------------------------------------------------------
def _reader(request: HttpRequest, graduate_id: int, part: str) -> tuple[Actor, Graduate]:
    """The graduate the reader may see (staff: scoping; employers: the consent rule), with
    the read logged."""
    actor = actor_of(request)
    if actor.is_employer:
        graduate = selectors.graduate_for_employer(actor, graduate_id)
    else:
        graduate = selectors.graduate_for_staff(actor, graduate_id)
    resume = selectors.resume_for_reading(graduate)
    if resume.pk is not None:  # nothing to read, nothing to log
        services.resume_read_record(actor=actor, resume=resume, part=part)
    return actor, graduate


def _detail(request: HttpRequest, graduate_id: int, *, audience: str) -> HttpResponse:
    _actor, graduate = _reader(request, graduate_id, ReadPart.RESUME)
    return render(
        request,
        "resumes/detail.html",
        {"view": selectors.resume_view(graduate), "audience": audience},
    )


@takes_ids()
@requires(Perm.RESUME_VIEW)
@require_GET
def staff_detail(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _detail(request, graduate_id, audience="staff")


@takes_ids()
@requires(Perm.RESUME_VIEW)
@require_GET
def staff_pdf(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _pdf(_reader(request, graduate_id, ReadPart.PDF)[1])


@takes_ids()
@requires(Perm.RESUME_VIEW)
@require_GET
def staff_media(request: HttpRequest, graduate_id: int, media_id: int) -> HttpResponse:
    return _media(_reader(request, graduate_id, ReadPart.MEDIA)[1], media_id)


@takes_ids()
@requires(Perm.RESUME_VIEW)
@require_GET
def staff_print(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _print(_reader(request, graduate_id, ReadPart.PRINTABLE)[1])


@takes_ids()
@requires(Perm.RESUME_BROWSE)
@require_GET
def employer_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    q = request.GET.get("q", "")
    page = Paginator(selectors.employer_graduates(actor, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "resumes/employer_list.html", {"page": page, "q": q})


@takes_ids()
@requires(Perm.RESUME_BROWSE)
@require_GET
def employer_detail(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _detail(request, graduate_id, audience="employer")


@takes_ids()
@requires(Perm.RESUME_BROWSE)
@require_GET
def employer_pdf(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _pdf(_reader(request, graduate_id, ReadPart.PDF)[1])


@takes_ids()
@requires(Perm.RESUME_BROWSE)
@require_GET
def employer_media(request: HttpRequest, graduate_id: int, media_id: int) -> HttpResponse:
    return _media(_reader(request, graduate_id, ReadPart.MEDIA)[1], media_id)


@takes_ids()
@requires(Perm.RESUME_BROWSE)
@require_GET
def employer_print(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _print(_reader(request, graduate_id, ReadPart.PRINTABLE)[1])


@takes_ids()
@requires(Perm.RESUME_VIEW)
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """The résumés of the graduates the member of staff looks after (scoping decides who)."""
    actor = actor_of(request)
    q = request.GET.get("q", "")
    page = Paginator(selectors.staff_resumes(actor, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "resumes/staff_list.html", {"page": page, "q": q})
