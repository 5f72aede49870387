"""Every string the code marks for translation has an English entry.

makemessages runs on a copy of the source tree, against a copy of the English catalogue (a
settings module of its own points LOCALE_PATHS there), so the real catalogue is never rewritten.
An entry makemessages had to add (empty) or guess (fuzzy) is a string without English.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qihang

PACKAGE = Path(qihang.__file__).parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs GNU gettext")


def _entries(po: Path, flag: str) -> list[str]:
    msgattrib = shutil.which("msgattrib") or "msgattrib"
    out = subprocess.run(  # noqa: S603 — gettext's own tool, fixed arguments
        [msgattrib, flag, "--no-location", "--no-wrap", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line[len("msgid ") :] for line in out.splitlines() if line.startswith('msgid "')][1:]


def test_every_marked_string_has_english(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        PACKAGE,
        source,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.mo", "vendor"),
    )
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(CATALOGUE, locale / "django.po")
    (tmp_path / "catalogue_settings.py").write_text(
        f"from qihang.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(tmp_path / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "catalogue_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "-v0"],
        cwd=source,
        env=env,
        check=True,
    )
    po = locale / "django.po"
    missing = _entries(po, "--untranslated") + _entries(po, "--only-fuzzy")
    assert not missing, "strings without English in django.po:\n" + "\n".join(missing)
