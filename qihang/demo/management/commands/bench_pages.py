"""`qihang bench_pages [--runs 5] [--json FILE]`: queries and time per page on the demo data.

Run after `qihang demo`. Signs in as the demo's career centre, a department's staff, a graduate
with applications, registrations and appointments, and an employer's administrator, and
requests each of their pages of the Internet+ services (jobs, résumés, applications, events,
appointments, entrepreneurship) and the dashboard through Django's test client: the status
(200 expected), the queries of one request, and the median and fastest time of --runs runs
after a warm-up (DEBUG off). Detail pages use the first object of the persona's own list.
Reads only; nothing is written but sessions.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from qihang.accounts.models import User
from qihang.applications.models import Application
from qihang.demo.clients import signed_in_client
from qihang.demo.management.commands.bench_dashboard import _timed
from qihang.employers.models import EmployerMember
from qihang.events.models import Event, Registration
from qihang.graduates.models import Graduate
from qihang.guidance import selectors as guidance_selectors
from qihang.guidance.models import Course, CourseStatus
from qihang.institutions.models import Membership
from qihang.institutions.scoping import build_actor

CENTRE = "centre@dfcm.example"
DEPARTMENT = "piano@dfcm.example"
EMPLOYER = "dongfang-so@employer.example"


def _pages() -> list[tuple[str, User, str]]:
    try:
        centre = User.objects.get(username=CENTRE)
        department = User.objects.get(username=DEPARTMENT)
        employer_user = User.objects.get(username=EMPLOYER)
    except User.DoesNotExist as exc:
        raise CommandError("没有演示数据：请先运行 `qihang demo`。") from exc
    institution = Membership.objects.filter(user=centre).first().institution
    # The graduate with an account and the most applications (the demo's busiest).
    graduate = (
        Graduate.objects.filter(institution=institution, user__isnull=False)
        .annotate(n=Count("applications"))
        .order_by("-n", "pk")
        .first()
    )
    if graduate is None:
        raise CommandError("演示数据中没有投递过申请的毕业生账号。")
    employer = EmployerMember.objects.get(user=employer_user).employer
    application = Application.objects.filter(graduate=graduate).order_by("pk").first()
    employer_application = (
        Application.objects.filter(employer=employer, job__institution=institution)
        .order_by("pk")
        .first()
    )
    event = Event.objects.filter(institution=institution).order_by("-starts_at").first()
    registration = Registration.objects.filter(graduate=graduate).order_by("pk").first()

    pages: list[tuple[str, User, str]] = [
        ("就业中心", centre, reverse("reports:dashboard")),
        ("就业中心", centre, reverse("jobs:list")),
        ("就业中心", centre, reverse("jobs:review_queue")),
        ("就业中心", centre, reverse("resumes:staff_list")),
        ("就业中心", centre, reverse("applications:staff_list")),
        ("就业中心", centre, reverse("applications:employers")),
        ("就业中心", centre, reverse("events:list")),
        ("就业中心", centre, reverse("events:requests")),
        ("就业中心", centre, reverse("events:funnel")),
        ("就业中心", centre, reverse("appointments:overview")),
        ("就业中心", centre, reverse("ventures:staff_list")),
        ("就业中心", centre, reverse("ventures:parks")),
        ("就业中心", centre, reverse("guidance:list")),  # guidance
        ("院系", department, reverse("applications:staff_list")),
        ("院系", department, reverse("resumes:staff_list")),
        ("院系", department, reverse("events:list")),
        ("毕业生", graduate.user, reverse("jobs:browse")),
        ("毕业生", graduate.user, reverse("resumes:mine")),
        ("毕业生", graduate.user, reverse("applications:mine")),
        ("毕业生", graduate.user, reverse("events:upcoming")),
        ("毕业生", graduate.user, reverse("events:tickets")),
        ("毕业生", graduate.user, reverse("appointments:book")),
        ("毕业生", graduate.user, reverse("appointments:mine")),
        ("毕业生", graduate.user, reverse("ventures:mine")),
        ("毕业生", graduate.user, reverse("guidance:catalogue")),  # guidance
        ("单位", employer_user, reverse("employer_applications:list")),
        ("单位", employer_user, reverse("events:portal_list")),
        ("单位", employer_user, reverse("resumes:employer_list")),
    ]
    if event is not None:
        pages += [
            ("就业中心", centre, reverse("events:detail", args=[event.pk])),
            ("就业中心", centre, reverse("events:attendance", args=[event.pk])),
            ("就业中心", centre, reverse("events:registrations", args=[event.pk])),
        ]
    # guidance: the school's latest published course as the centre, and the first course of
    # the graduate's catalogue as the graduate.
    course = (
        Course.objects.filter(institution=institution, status=CourseStatus.PUBLISHED)
        .order_by("-pk")
        .first()
    )
    if course is not None:
        pages.append(("就业中心", centre, reverse("guidance:detail", args=[course.pk])))
    own = guidance_selectors.catalogue(
        actor=build_actor(graduate.user, institution.pk), graduate=graduate
    ).first()
    if own is not None:
        pages.append(("毕业生", graduate.user, reverse("guidance:course", args=[own.pk])))
    if application is not None:
        pages.append(
            ("毕业生", graduate.user, reverse("applications:detail", args=[application.pk]))
        )
        pages.append(
            ("就业中心", centre, reverse("applications:staff_detail", args=[application.pk]))
        )
    if registration is not None:
        pages.append(("毕业生", graduate.user, reverse("events:ticket", args=[registration.pk])))
    if employer_application is not None:
        pages.append(
            (
                "单位",
                employer_user,
                reverse("employer_applications:detail", args=[employer_application.pk]),
            )
        )
    return pages


class Command(BaseCommand):
    help = "每个页面的查询数和耗时（演示数据，就业中心、院系、毕业生、用人单位）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--json", dest="json_path", default="")

    def handle(self, *args: Any, runs: int, json_path: str, **options: Any) -> None:
        rows = []
        self.stdout.write(f"{runs} 次（预热 1 次）：中位数 / 最快，毫秒；查询数")
        with override_settings(DEBUG=False):
            for who, user, path in _pages():
                client = signed_in_client(user)
                status = client.get(path).status_code
                if status != 200:
                    raise CommandError(f"{path}（{who}）返回 {status}")
                median, best, queries = _timed(lambda c=client, p=path: c.get(p), runs)
                rows.append(
                    {"who": who, "path": path, "queries": queries, "median_ms": round(median, 1)}
                )
                self.stdout.write(
                    f"  {median:7.1f} / {best:7.1f} ms  {queries:3d} 次查询  GET {path}（{who}）"
                )
        if json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                json.dump(rows, out, ensure_ascii=False, indent=2)
