"""`qihang serve` is a production server: gunicorn with DEBUG off, static files by WhiteNoise
(hashed names, gzip, cached for ever) and a real sign-in through the form with its CSRF token.

The server runs as nginx would see it (docs/deployment.md): production settings, behind a proxy
that terminates HTTPS and says so in X-Forwarded-Proto.
"""

import gzip
import http.client
import os
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django_otp.oath import TOTP

from qihang.web.management.commands.serve import cpu_cores, default_workers

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Qihang-test-2020"  # tests.factories.make_user's
TOTP_KEY = "3132333435363738393031323334353637383930"  # the career centre's authenticator
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """The server's own database: on the PostgreSQL server of this run when there is one (a
    fresh database, dropped afterwards), else an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'qihang'}_serve_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(tmp_path: Path, database_url: str) -> dict[str, str]:
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
            "QIHANG_ALLOWED_HOSTS": "127.0.0.1",
            "QIHANG_BEHIND_PROXY": "1",
            "QIHANG_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database_url,
            "QIHANG_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        }
    )
    return env


def qihang(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments
        [sys.executable, "-m", "qihang", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


class Browser:
    """Just enough of a browser: cookies (Secure ones too, the proxy speaks HTTPS to the
    visitor) and the headers nginx adds."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, **headers: str
    ) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        origin = f"https://127.0.0.1:{self.port}"
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = origin
            sent["Referer"] = origin + path
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[Browser]:
    env = production_env(tmp_path, database_url)
    qihang(env, "migrate", "--no-input", "-v0")
    snippet = (
        "import django; django.setup();"
        "from tests.factories import make_school;"
        "make_school('90001', '东方音乐学院', prefix='s');"
        # The career centre signs in with a second factor (accounts.mfa): its authenticator.
        "from django_otp.plugins.otp_totp.models import TOTPDevice;"
        "from qihang.accounts.models import User;"
        f"TOTPDevice.objects.create(user=User.objects.get(username='s-centre'), name='phone',"
        f" confirmed=True, key='{TOTP_KEY}')"
    )
    made = subprocess.run(  # noqa: S603
        [sys.executable, "-c", snippet], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    # Port 0: the system picks a free port and gunicorn's log says which.
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "qihang", "serve", "--collectstatic", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    port = None
    deadline = time.monotonic() + 120
    try:
        while port is None:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail("the server did not start:\n" + "".join(log))
            log.append(line)
            if match := LISTENING.search(line):
                port = int(match.group(1))
            if process.poll() is not None and lines.empty():
                pytest.fail("the server exited:\n" + "".join(log))
        yield Browser(port)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_production_server_serves_pages_static_files_and_signs_in(server):
    # The login page, from a production configuration (no debug pages, security headers).
    response, content = server.request("GET", "/accounts/login/")
    assert response.status == 200
    assert response.headers["Server"].startswith("gunicorn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "nonce-" in response.headers["Content-Security-Policy"]
    html = content.decode()
    assert "csrftoken" in server.cookies

    # A static file under its hashed name (the template asked the manifest for it): compressed
    # on request and cached for ever.
    css = re.search(r'href="(/static/qihang/app\.[0-9a-f]{12}\.css)"', html)
    assert css, html
    response, content = server.request("GET", css.group(1), **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["Vary"] == "Accept-Encoding"
    plain = (ROOT / "qihang" / "static" / "qihang" / "app.css").read_bytes()
    assert gzip.decompress(content) == plain
    # The unhashed name is served too, but only briefly cached: its content may change.
    response, _ = server.request("GET", "/static/qihang/app.css")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"

    # Sign in through the form, with the CSRF token the page carried.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, html
    response, _ = server.request(
        "POST",
        "/accounts/login/",
        form={
            "csrfmiddlewaretoken": token.group(1),
            "username": "s-centre",
            "password": PASSWORD,
        },
    )
    assert response.status == 302, response.headers
    assert "sessionid" in server.cookies
    # The second factor: the pages wait for the authenticator's code.
    response, _ = server.request("GET", "/graduates/")
    assert response.status == 302 and "/accounts/mfa/verify/" in response.headers["Location"]
    response, content = server.request("GET", response.headers["Location"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content.decode())
    code = f"{TOTP(bytes.fromhex(TOTP_KEY)).token():06d}"
    response, _ = server.request(
        "POST",
        "/accounts/mfa/verify/",
        form={"csrfmiddlewaretoken": token.group(1), "code": code},
    )
    assert response.status == 302, response.headers
    response, content = server.request("GET", "/graduates/")
    assert response.status == 200
    page = content.decode()
    assert "李明" in page and "s2020001" in page

    # The API's docs load their own (hashed) Swagger UI files, no CDN.
    response, content = server.request("GET", "/api/v1/docs")
    assert response.status == 200
    bundle = re.search(
        r'src="(/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', content.decode()
    )
    assert bundle, content.decode()
    assert server.request("GET", bundle.group(1))[0].status == 200

    # Without the token the same form is refused: CSRF protection is on.
    anonymous = Browser(server.port)
    response, _ = anonymous.request(
        "POST", "/accounts/login/", form={"username": "s-centre", "password": PASSWORD}
    )
    assert response.status == 403

    # DEBUG is off: an unknown page is a plain 404, not Django's debug page.
    response, content = server.request("GET", "/no-such-page/")
    assert response.status == 404
    assert b"URLconf" not in content


def test_serve_refuses_to_start_without_collected_static_files(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "qihang", "serve", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=production_env(tmp_path, f"sqlite:///{tmp_path / 'serve.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "run `qihang collectstatic --noinput` first" in result.stderr


def test_default_workers_follow_the_cores(settings):
    settings.QIHANG_WORKERS = 0
    assert default_workers() == 2 * cpu_cores() + 1
    settings.QIHANG_WORKERS = 3
    assert default_workers() == 3
