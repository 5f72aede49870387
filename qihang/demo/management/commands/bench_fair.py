"""`qihang bench_fair --users 1000 --seats 200 [--json FILE]`: a job fair under load.

On PostgreSQL (the production database; SQLite serialises every writer, so there is no race
to measure), in a scratch database (qihang.lib.scratch: created and migrated first, dropped at
the end with everything in it; `--in-place` uses the current database, for the tests): creates
an institution with `--users` graduates who are signed in, a
verified employer with published jobs to browse, and a job fair of `--seats` seats; starts the
production server (`qihang serve`: gunicorn, DEBUG off) on a free local port; drives it with
locust (qihang/demo/fairload.py, in a process of its own) — each graduate searches jobs, lists
the events, registers for the fair, searches again and opens their tickets; then reads the
seat count back from the database, checks it (exactly min(users, seats) seated, the rest on
the waiting list, the counter equal to the seated rows, every answer the server gave
accounted for), stops the server and prints the figures.

`--json FILE` writes {"users", "capacity", "seats_taken", "waitlisted", "requests", "errors",
"p50_ms", "p95_ms", "p99_ms", "throughput_rps"} (and a few more keys). The command fails
(non-zero exit) on any request error or a seat count that does not add up.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.utils import timezone

from qihang.accounts.models import User
from qihang.employers.models import Employer, EmployerStanding, StandingStatus
from qihang.events import services as event_services
from qihang.events.models import (
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Room,
)
from qihang.graduates.models import Graduate
from qihang.graduates.services import roster_sync
from qihang.institutions.models import (
    Cohort,
    DegreeLevel,
    Department,
    Institution,
    Major,
    Membership,
)
from qihang.institutions.roles import Role
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY, build_actor
from qihang.institutions.services import institution_create, membership_grant
from qihang.jobs.models import Job, JobKind, JobStatus
from qihang.lib.scratch import add_in_place_argument, benchmark_database
from qihang.search.services import jobs_index

JOB_TITLES = [
    "交响乐团小提琴演奏员", "民族乐团二胡演奏员", "中学音乐教师", "钢琴艺术指导", "合唱团声乐演员",
    "艺术管理专员", "录音工程师", "音乐教育培训教师", "剧院演出运营", "上海歌剧院合唱演员",
]  # fmt: skip
SESSION_BACKEND = "qihang.accounts.backends.IdentifierBackend"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(db: dict[str, Any]) -> str:
    """postgres://user:password@host:port/name of a Django database's settings."""
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def _credit_code(serial: int) -> str:
    from stdnum.cn import uscc

    base = f"91310000MA{serial:07d}"[:17]
    return base + uscc.calc_check_digit(base)


class FairData:
    """The benchmark's institution, its graduates (signed in), jobs and the fair."""

    def __init__(self, *, users: int, seats: int) -> None:
        self.users, self.seats = users, seats
        self.institution: Institution | None = None
        self.user_ids: list[int] = []
        self.employer: Employer | None = None
        self.event: Event | None = None
        self.session_keys: list[str] = []

    def create(self) -> None:
        code = f"8{secrets.randbelow(10**8):08d}"
        while Institution.objects.filter(code=code).exists():
            code = f"8{secrets.randbelow(10**8):08d}"
        inst = self.institution = institution_create(code=code, name="负载测试学校（临时）")
        today = timezone.localdate()
        cohort = Cohort.objects.create(
            institution=inst, year=today.year + 1 if today.month >= 9 else today.year
        )
        department = Department.objects.create(institution=inst, name="管弦系")
        major = Major.objects.create(
            institution=inst,
            department=department,
            degree_level=DegreeLevel.BACHELOR,
            name="音乐表演",
        )
        centre = User.objects.create_user(username=f"bench-fair-centre-{code}", password=None)
        self.user_ids.append(centre.pk)
        membership_grant(institution=inst, user=centre, role=Role.CAREER_CENTRE, audit=False)

        # Graduates, their accounts and memberships in bulk (an unusable password each: they
        # are signed in through the session rows below, never through the form).
        unusable = make_password(None)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench-fair-{code}-{i}",
                    password=unusable,
                    display_name=f"学生{i}",
                )
                for i in range(self.users)
            ]
        )
        self.user_ids.extend(u.pk for u in users)
        Membership.objects.bulk_create(
            [Membership(institution=inst, user=u, role=Role.GRADUATE) for u in users]
        )
        Graduate.objects.bulk_create(
            [
                Graduate(
                    institution=inst,
                    cohort=cohort,
                    student_no=f"F{cohort.year}{i:06d}",
                    name=f"学生{i}",
                    gender="F" if i % 3 else "M",
                    id_number=f"bench-fair-{code}-{i}",  # unique stand-in: its digest is unique
                    degree_level=major.degree_level,
                    department=department,
                    major=major,
                    origin_division="310104",
                    origin_province="310000",
                    phone="",
                    user=u,
                )
                for i, u in enumerate(users)
            ]
        )
        roster_sync(
            institution_id=inst.pk,
            at=timezone.now() - dt.timedelta(days=60),
            cohort_ids=[cohort.pk],
        )

        # Jobs to browse: one verified employer, its published postings, indexed for search.
        serial = secrets.randbelow(10**7)
        while Employer.objects.filter(credit_code=_credit_code(serial)).exists():
            serial = secrets.randbelow(10**7)
        self.employer = Employer.objects.create(
            name=f"负载测试乐团（临时）{code}", credit_code=_credit_code(serial), division="310104"
        )
        EmployerStanding.objects.create(
            institution=inst, employer=self.employer, status=StandingStatus.VERIFIED
        )
        jobs = [
            Job.objects.create(
                institution=inst,
                employer=self.employer,
                title=f"{title}{n or ''}",
                kind=JobKind.FULL_TIME,
                status=JobStatus.PUBLISHED,
                division="310104",
            )
            for n in range(3)
            for title in JOB_TITLES
        ]
        jobs_index(j.pk for j in jobs)

        # The fair, created and approved by the centre through the service (its room booked).
        room = Room.objects.create(institution=inst, name="大礼堂", seats=max(self.seats, 1))
        actor = build_actor(centre, inst.pk)
        starts = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
        starts += dt.timedelta(days=7)
        self.event = event_services.event_create(
            actor=actor,
            room=room,
            data={
                "kind": EventKind.JOB_FAIR,
                "title": "负载测试双选会",
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=3),
                "capacity": self.seats,
            },
        )

        # One signed-in session per graduate, as the login view would have left it.
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = SESSION_BACKEND
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[SESSION_INSTITUTION_KEY] = inst.pk
            session.create()
            self.session_keys.append(session.session_key or "")

    def counts(self) -> dict[str, int]:
        assert self.event is not None
        rows = Registration.objects.filter(event=self.event)
        return {
            "seats_taken": Event.objects.get(pk=self.event.pk).seats_taken,
            "seated_rows": rows.filter(status=RegistrationStatus.SEATED).count(),
            "waitlisted": rows.filter(status=RegistrationStatus.WAITLISTED).count(),
            "registrations": rows.count(),
        }


class Command(BaseCommand):
    help = "Load-test a job fair: N signed-in graduates registering for M seats while browsing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=1000)
        parser.add_argument("--seats", type=int, default=200)
        parser.add_argument(
            "--spawn-rate", type=float, default=5.0, help="graduates arriving per second"
        )
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
        parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
        add_in_place_argument(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_fair measures the production database: run it on PostgreSQL "
                "(DATABASE_URL=postgres://…); SQLite serialises writers, there is no race."
            )
        if opts["users"] < 1 or opts["seats"] < 1 or opts["spawn_rate"] <= 0:
            raise CommandError("--users and --seats must be at least 1, --spawn-rate above 0")
        data = FairData(users=opts["users"], seats=opts["seats"])
        self.stdout.write(
            f"{opts['users']} 名毕业生，{opts['seats']} 个名额；每秒到达 {opts['spawn_rate']:g} 人"
        )
        with benchmark_database(self, "fair", in_place=opts["in_place"]):
            started = time.perf_counter()
            data.create()
            self.stdout.write(f"生成数据用时 {time.perf_counter() - started:.1f} s")
            with tempfile.TemporaryDirectory(prefix="qihang-bench-fair-") as tmp:
                load = self._run(data, Path(tmp), opts)
            figures = self._figures(data, load)
            self._print(figures)
        if opts["json"]:
            Path(opts["json"]).write_text(
                json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        problems = self._problems(figures)
        if problems:
            raise CommandError("；".join(problems))

    # --- the run ---------------------------------------------------------------------------
    def _run(self, data: FairData, tmp: Path, opts: dict[str, Any]) -> dict[str, Any]:
        assert data.event is not None
        sessions = tmp / "sessions.txt"
        sessions.write_text("\n".join(data.session_keys))
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        # The server works on this command's database with this process's keys (the sessions
        # written above are signed with SECRET_KEY), whatever the environment says.
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "QIHANG_SECRET_KEY": settings.SECRET_KEY,
            "QIHANG_FIELD_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "QIHANG_HASH_KEY": settings.FIELD_HASH_KEY,
            "QIHANG_DEBUG": "0",  # production pages and static files; no HTTPS on the loopback
            "QIHANG_STATIC_ROOT": str(tmp / "static"),
            "QIHANG_ALLOWED_HOSTS": "127.0.0.1",
        }
        server_cmd = [sys.executable, "-m", "qihang", "serve", "--collectstatic"]
        server_cmd += ["--bind", f"127.0.0.1:{port}"]
        if opts["workers"]:
            server_cmd += ["--workers", str(opts["workers"])]
        # The server and the load generator open their own connections; this one must not be
        # held in a transaction meanwhile.
        connections.close_all()
        with open(tmp / "server.log", "wb") as log:
            server = subprocess.Popen(server_cmd, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
            try:
                self._wait_until_up(host, server, tmp / "server.log")
                self.stdout.write(f"服务器已启动：{host}（gunicorn，DEBUG 关闭）")
                out = tmp / "load.json"
                load_cmd = [sys.executable, "-m", "qihang.demo.fairload", "--host", host]
                load_cmd += ["--sessions", str(sessions), "--event", str(data.event.pk)]
                load_cmd += ["--users", str(data.users), "--spawn-rate", str(opts["spawn_rate"])]
                load_cmd += ["--session-cookie", settings.SESSION_COOKIE_NAME]
                load_cmd += ["--csrf-cookie", settings.CSRF_COOKIE_NAME, "--out", str(out)]
                result = subprocess.run(load_cmd, capture_output=True, text=True)  # noqa: S603
                if result.returncode != 0 or not out.exists():
                    raise CommandError(f"locust failed:\n{result.stderr[-3000:]}")
                return json.loads(out.read_text())
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()

    def _wait_until_up(self, host: str, server: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"the server stopped:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(host + "/accounts/login/", timeout=2):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise CommandError(f"the server did not answer within 180 s:\n{log.read_text()[-3000:]}")

    # --- the figures -----------------------------------------------------------------------
    def _figures(self, data: FairData, load: dict[str, Any]) -> dict[str, Any]:
        counts = data.counts()
        return {
            "users": data.users,
            "capacity": data.seats,
            "seats_taken": counts["seats_taken"],
            "waitlisted": counts["waitlisted"],
            "requests": load["requests"],
            "errors": load["errors"],
            "p50_ms": load["p50_ms"],
            "p95_ms": load["p95_ms"],
            "p99_ms": load["p99_ms"],
            "throughput_rps": load["throughput_rps"],
            "max_ms": load["max_ms"],
            "seconds": load["seconds"],
            "seated_rows": counts["seated_rows"],
            "registrations": counts["registrations"],
            "answered": load["answered"],
            "per_request": load["per_request"],
            "failures": load["failures"],
            "database": connection.vendor,
            "date": timezone.localdate().isoformat(),
        }

    def _problems(self, f: dict[str, Any]) -> list[str]:
        problems = []
        expected = min(f["users"], f["capacity"])
        if f["seats_taken"] != expected or f["seated_rows"] != expected:
            problems.append(
                f"名额不符：应为 {expected}，计数器 {f['seats_taken']}，已报名记录 {f['seated_rows']}"
            )
        if f["seated_rows"] + f["waitlisted"] != f["registrations"]:
            problems.append("有既非已报名也非候补的报名记录")
        answered = f["answered"]
        if (
            answered.get("seated") != f["seated_rows"]
            or answered.get("waitlisted") != f["waitlisted"]
        ):
            problems.append(f"服务器的答复与数据库不符：{answered}")
        if f["errors"]:
            problems.append(f"{f['errors']} 个请求出错：{f['failures'][:3]}")
        return problems

    def _print(self, f: dict[str, Any]) -> None:
        w = self.stdout.write
        w(
            f"请求 {f['requests']}，出错 {f['errors']}，用时 {f['seconds']} s，吞吐 {f['throughput_rps']} 次/秒"
        )
        w(
            f"响应时间 p50 {f['p50_ms']} ms，p95 {f['p95_ms']} ms，p99 {f['p99_ms']} ms，最长 {f['max_ms']:.0f} ms"
        )
        w(
            f"名额 {f['capacity']}，已报名 {f['seats_taken']}（记录 {f['seated_rows']}），候补 {f['waitlisted']}"
        )
        for name, entry in f["per_request"].items():
            w(f"  {name}: {entry['requests']} 次，出错 {entry['errors']}，p95 {entry['p95_ms']} ms")
