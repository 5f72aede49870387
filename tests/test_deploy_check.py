"""Production settings pass `qihang check --deploy`, and every response carries the security
headers (CSP with a nonce, no framing)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QIHANG_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "qihang.settings",
            "QIHANG_PRODUCTION": "1",
            "QIHANG_SECRET_KEY": secrets.token_urlsafe(50),
            "QIHANG_FIELD_KEY": secrets.token_urlsafe(32),
            "QIHANG_HASH_KEY": secrets.token_urlsafe(32),
            "QIHANG_ALLOWED_HOSTS": "qihang.example.edu.cn",
            "QIHANG_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        }
    )
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = subprocess.run(  # noqa: S603 — our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = production_env(tmp_path)
    del env["QIHANG_SECRET_KEY"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "QIHANG_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_with_a_nonce_and_deny_framing(school, client_for):
    for client, path in ((client_for(school.centre), "/graduates/"), (None, "/accounts/login/")):
        from django.test import Client

        response = (client or Client()).get(path)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
        assert match, policy
        assert f'nonce="{match.group(1)}"' in response.content.decode()
        assert "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_nonces_differ_between_responses(school):
    from django.test import Client

    first = Client().get("/accounts/login/")["Content-Security-Policy"]
    second = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert first != second


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids inline code: keep it out of every template we ship."""
    offenders = []
    for template in ROOT.glob("qihang/**/templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text
        ):
            offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline style or event handler")
    assert not offenders, offenders
