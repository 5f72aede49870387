"""Serving a private file (a licence, an evidence scan, a recording) from a permission-checked
view, and the display name of an uploaded file."""

from __future__ import annotations

import re
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


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def private_media_response(
    data: bytes, *, filename: str, content_type: str, range_header: str = ""
) -> HttpResponse:
    """A recording for an HTML5 <audio>/<video>: like private_file_response, and answering a
    single byte range (206) as players ask for (Safari plays nothing without it); a range
    that cannot be satisfied is a 416."""
    size = len(data)
    match = _RANGE.match((range_header or "").strip())
    if match is None or not any(match.groups()):
        response = private_file_response(data, filename=filename, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = private_file_response(
        data[start : end + 1], filename=filename, content_type=content_type
    )
    response.status_code = 206
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
