"""`qihang serve`: the production server (gunicorn) for this deployment.

Defaults suit one machine behind nginx (docs/deployment.md): it listens on the loopback,
runs 2 × CPU cores + 1 synchronous workers (nginx buffers slow clients, so a worker is busy
only while Django works), replaces a worker stuck past the timeout, and recycles workers
after a number of requests so memory taken by a large export goes back to the system.
Static files are served by WhiteNoise from STATIC_ROOT: run `qihang collectstatic` after each
upgrade, or pass --collectstatic.
"""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication


def cpu_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return settings.QIHANG_WORKERS or 2 * cpu_cores() + 1


class QihangServer(BaseApplication):
    """gunicorn configured from a dict, serving qihang.wsgi.application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from qihang.wsgi import application

        warm_up()
        return application


def warm_up() -> None:
    """What every worker would otherwise do on its first requests, done once in the master
    before the workers are forked (preload_app): import every view through the URL
    resolver, load the translation catalogues and jieba's dictionary (a second or two of CPU
    each). Workers recycled after max_requests start warm too. Nothing here opens a database
    connection, so nothing is shared across the fork."""
    from django.urls import get_resolver
    from django.utils import translation

    from qihang.search.tokens import tokenizer

    get_resolver().url_patterns  # noqa: B018 — imports the URLconf and every view
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("")
    tokenizer()


class Command(BaseCommand):
    help = "Run the production server (gunicorn, static files by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=None,
            help="address to listen on, host:port or unix:/path (default QIHANG_BIND, "
            "127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default QIHANG_WORKERS, or 2 × CPU cores + 1)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=None,
            help="seconds before a silent worker is replaced (default QIHANG_WORKER_TIMEOUT, 60)",
        )
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help="run `collectstatic --noinput` first (hashed, compressed copies in STATIC_ROOT)",
        )

    def handle(
        self,
        *args: Any,
        bind: str | None,
        workers: int | None,
        timeout: int | None,
        collectstatic: bool,
        **options: Any,
    ) -> None:
        if collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.check_static_files()
        if settings.DEBUG:
            self.stderr.write(
                "DEBUG is on: error pages show code and settings. "
                "Set QIHANG_PRODUCTION=1 (or QIHANG_DEBUG=0) for a real deployment."
            )
        timeout = timeout or settings.QIHANG_WORKER_TIMEOUT
        config: dict[str, Any] = {
            "bind": [bind or settings.QIHANG_BIND],
            "workers": workers or default_workers(),
            "worker_class": "sync",
            # The application is loaded (and warmed up) once, before the workers fork.
            "preload_app": True,
            "timeout": timeout,
            "graceful_timeout": timeout,
            "keepalive": 5,
            "max_requests": 1000,
            "max_requests_jitter": 100,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "qihang",
            # gunicorn's runtime control socket lives in $HOME by default: a service account may
            # have none, and two servers on one machine would share it.
            "control_socket_disable": True,
        }
        if Path("/dev/shm").is_dir():  # noqa: S108 — the heartbeat files gunicorn's docs advise
            config["worker_tmp_dir"] = "/dev/shm"  # noqa: S108
        # Workers are forked from this process: none may inherit its database connection.
        connections.close_all()
        QihangServer(config).run()

    def check_static_files(self) -> None:
        """Refuse to start on hashed-names storage without its manifest: every page would fail."""
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return
        manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
        if not manifest.exists():
            raise CommandError(
                f"{manifest} is missing: run `qihang collectstatic --noinput` first "
                "(or `qihang serve --collectstatic`)."
            )
