"""Recordings and videos: uploads checked by their bytes, or links to an allowed platform.

Used by résumé portfolios (qihang.resumes) and recorded guidance lectures (qihang.guidance).
An upload is accepted by its first bytes (mp3, m4a/mp4, wav, ogg, webm), with an extension that
agrees, and at most settings.QIHANG_MAX_MEDIA_BYTES — the same policy as evidence files
(qihang.destinations.evidence), with the media signatures. A link must be https to a platform
of the allow-list (data/platforms.json, data with a version), so that a page never sends its
reader to an arbitrary site.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from qihang.lib.files import clean_name

# What an upload is (the values of resumes.models.MediaKind).
AUDIO = "audio"
VIDEO = "video"

PLATFORMS_FILE = Path(__file__).parent / "data" / "platforms.json"


@dataclass(frozen=True)
class Platform:
    code: str
    name: str
    hosts: tuple[str, ...]


@cache
def platforms() -> tuple[Platform, ...]:
    data = json.loads(PLATFORMS_FILE.read_text(encoding="utf-8"))
    return tuple(Platform(p["code"], p["name"], tuple(p["hosts"])) for p in data["platforms"])


def platform_of(url: str) -> Platform:
    """The allowed platform `url` points to (ValidationError on the field "url" otherwise)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        host, port, parts = "", None, None
    if parts is None or parts.scheme != "https" or not host:
        raise ValidationError({"url": _("链接必须以 https:// 开头。")})
    if port not in (None, 443) or parts.username or parts.password:
        raise ValidationError({"url": _("链接不能带端口号或用户名。")})
    for platform in platforms():
        if any(host == h or host.endswith("." + h) for h in platform.hosts):
            return platform
    names = "、".join(p.name for p in platforms())
    raise ValidationError(
        {
            "url": _("不支持“%(host)s”的链接；可用的平台：%(names)s。")
            % {"host": host, "names": names}
        }
    )


@dataclass(frozen=True)
class MediaSignature:
    content_type: str
    kind: str  # AUDIO / VIDEO
    extensions: frozenset[str]


def sniff_media(head: bytes, extension: str) -> MediaSignature | None:
    """What the first bytes are, given the extension where the container is ambiguous (an MP4
    box is audio as .m4a, video as .mp4; Ogg and WebM likewise)."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MediaSignature("audio/mpeg", AUDIO, frozenset({".mp3"}))
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return MediaSignature("audio/wav", AUDIO, frozenset({".wav"}))
    if len(head) >= 8 and head[4:8] == b"ftyp":
        if extension == ".m4a":
            return MediaSignature("audio/mp4", AUDIO, frozenset({".m4a"}))
        return MediaSignature("video/mp4", VIDEO, frozenset({".mp4", ".m4v"}))
    if head.startswith(b"OggS"):
        if extension in (".ogv",):
            return MediaSignature("video/ogg", VIDEO, frozenset({".ogv"}))
        return MediaSignature("audio/ogg", AUDIO, frozenset({".ogg", ".oga", ".opus"}))
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaSignature("video/webm", VIDEO, frozenset({".webm"}))
    return None


@dataclass(frozen=True)
class CheckedMedia:
    data: bytes
    original_name: str
    content_type: str
    kind: str
    extension: str
    size: int


def check_media(file: File) -> CheckedMedia:
    """Refuse anything but a non-empty recording or video within the size cap."""
    name = clean_name(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    limit = settings.QIHANG_MAX_MEDIA_BYTES
    if size == 0:
        raise ValidationError({"file": _("文件“%(name)s”是空文件。") % {"name": name}})
    if size > limit:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”过大（%(size)s），不能超过%(limit)s。")
                % {"name": name, "size": _megabytes(size), "limit": _megabytes(limit)}
            }
        )
    file.seek(0)
    head = file.read(16)
    extension = PurePath(name).suffix.lower()
    found = sniff_media(head, extension)
    if found is None:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”不是MP3、M4A/MP4、WAV、OGG或WebM文件（按文件内容判断）。")
                % {"name": name}
            }
        )
    if extension not in found.extensions:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”的扩展名与内容不符（内容是%(type)s），请检查后重新上传。")
                % {"name": name, "type": found.content_type}
            }
        )
    file.seek(0)
    data = file.read()
    return CheckedMedia(data, name, found.content_type, found.kind, extension, size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
