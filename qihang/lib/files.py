"""Serving a private file (a licence, an evidence scan) from a permission-checked view, and\nthe display name of an uploaded file."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# What a browser may show inline: images (checked by their bytes on upload); a PDF is always
# downloaded, a PDF viewer being a browser's largest attack surface.
PREVIEW_CONTENT_TYPES = frozenset({"image/png", "image/jpeg"})


def clean_name(name: str) -> str:
    """A person's file name as safe display text: no path, no control characters."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (base or "file")[-200:]


def private_file_response(
    data: bytes, *, filename: str, content_type: str, preview: bool = False
) -> HttpResponse:
    """The bytes as an attachment (or an inline image preview), never cached, never sniffed,
    under a sandboxing CSP."""
    inline = preview and content_type in PREVIEW_CONTENT_TYPES
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(not inline, filename or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
