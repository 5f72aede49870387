"""`qihang demo [--reset] [--seed N] [--today YYYY-MM-DD] [--scale INSTITUTIONS GRADUATES]`

Loads the demo into the configured database, prints the demo logins, and exits:
东方音乐学院 (90001: 729 graduates in 2020, 650 in 2019) and the paired Wuhan conservatory
江城音乐学院 (90002), their staff, and destinations as of `--today` (default 2020-07-15:
mid-season for 2020, 2019 complete). Loading twice is refused (the logins are printed again);
`--reset` rebuilds the database — every table dropped, migrated afresh — then loads the demo
again. The audit log has no deletion path (docs/audit.md), so the demo's data cannot be removed
row by row: it goes with the database. `--reset` therefore first checks that the database holds
nothing but demo data (the demo's and `--scale` institutions, their accounts) and refuses,
naming the first foreign institution or account, otherwise.

`--scale N G` instead loads N institutions of G graduates per cohort (2019 and 2020), codes
91001…, for a province-sized data set; `--scale … --reset` rebuilds the database first (the
demo schools go too).
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from qihang.demo import generator
from qihang.demo.generator import SCALE_FIRST_CODE, SCALE_NAME, DemoError, DemoLogin
from qihang.institutions.models import Institution
from qihang.lib.scratch import rebuild_database


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期，而不是“{value}”") from None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins: list[DemoLogin]) -> str:
    """The logins as an aligned plain-text table (CJK characters count double)."""
    header = ("角色", "学校", "用户名（学号或邮箱）", "密码", "看什么")
    rows = [header] + [
        (login.role, login.institution, login.username, login.password, login.look_at)
        for login in logins
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        cells = [_pad(row[i], widths[i]) for i in range(4)] + [row[4]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 12)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load the demo data (two conservatories, staff, graduates, destinations) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "rebuild the database (every table dropped, migrated afresh), then load again; "
                "refused unless it holds nothing but demo data. With --scale: the demo schools "
                "go too"
            ),
        )
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument(
            "--today",
            type=_date,
            default=generator.DEFAULT_TODAY,
            help="the demo's day: nothing after it is written (default 2020-07-15)",
        )
        parser.add_argument(
            "--scale",
            nargs=2,
            type=int,
            metavar=("INSTITUTIONS", "GRADUATES"),
            help=(
                "load INSTITUTIONS generated institutions of GRADUATES per cohort instead "
                "(with --reset the database is rebuilt first: the demo schools go too)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"]:
            self._scale(*options["scale"], options)
            return
        started = time.perf_counter()
        try:
            if options["reset"]:
                self._rebuild()
            elif generator.demo_present():
                self._already_loaded()
                return
            logins = generator.load_demo(
                seed=options["seed"], today=options["today"], log=self._log(options)
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载（{connection.vendor}，{seconds:.1f} 秒；种子 {options['seed']}，"
                f"演示日期 {options['today'].isoformat()}）。"
            )
        )
        self._print_logins(logins, options["today"])

    def _rebuild(self, *, scale: bool = False) -> None:
        """Check that only demo data is there (DemoError otherwise), then rebuild the database:
        the audit log has no deletion path, so the demo goes with the whole database."""
        generator.check_only_demo()
        seconds = rebuild_database()
        what = "演示学校和规模测试学校" if scale else "演示学校"
        self.stdout.write(
            f"已删除演示数据（{what}及其账号）：数据库已重建"
            f"（删除全部数据表并重新迁移，{seconds:.1f} 秒）。"
        )

    def _log(self, options: dict[str, Any]) -> Any:
        return self.stdout.write if options["verbosity"] >= 1 else None

    def _already_loaded(self) -> None:
        state = generator.demo_state() or {}
        when = f"（种子 {state['seed']}，演示日期 {state['today']}）" if state else ""
        self.stdout.write(
            self.style.WARNING(
                f"演示数据已经加载{when}，没有重复加载。"
                "如需重新加载，请运行：qihang demo --reset"
                "（会重建数据库：删除全部数据后重新加载；数据库中只有演示数据时才可以）。"
            )
        )
        logins = [
            DemoLogin(**{**item, "password": generator.DEMO_PASSWORD})
            for item in state.get("logins", [])
        ]
        if logins:
            self._print_logins(logins, dt.date.fromisoformat(state["today"]))

    def _print_logins(self, logins: list[DemoLogin], today: dt.date) -> None:
        self.stdout.write("")
        self.stdout.write("演示账号（毕业生用学号登录，工作人员用邮箱登录）：")
        self.stdout.write(logins_table(logins))
        self.stdout.write(
            "就业指导中心、心理咨询老师和平台管理员输入密码后还需动态验证码："
            "运行 qihang demo_otp 邮箱 显示验证器当前的验证码（演示用的密钥是公开的）。"
        )
        self.stdout.write("")
        self.stdout.write(
            f"数据截至演示日期 {today.isoformat()}：2020届正值就业季（部分去向待审核、被退回或尚未登记），"
            "2019届已全部完成。看板的“截至日期”选该日，即可与去年同期对比。"
        )

    # --- a province-sized data set ---------------------------------------------------------------
    def _scale(self, institutions: int, graduates: int, options: dict[str, Any]) -> None:
        if institutions < 1 or graduates < 1:
            raise CommandError("--scale 的学校数和每届毕业生数都应为正整数")
        codes = [str(SCALE_FIRST_CODE + n) for n in range(institutions)]
        existing = list(Institution.objects.filter(code__in=codes))
        foreign = [i for i in existing if not i.name.startswith(SCALE_NAME)]
        if foreign:
            raise CommandError(
                f"学校代码 {foreign[0].code} 已被“{foreign[0].name}”使用，不是规模测试数据。"
            )
        if existing and not options["reset"]:
            raise CommandError(
                f"已有 {len(existing)} 所规模测试学校（代码 {SCALE_FIRST_CODE} 起）。"
                "如需重新生成，请加 --reset（会重建数据库，两所演示学校也一并删除）。"
            )
        if options["reset"]:
            try:
                self._rebuild(scale=True)
            except DemoError as exc:
                raise CommandError(str(exc)) from None
        started = time.perf_counter()
        for n, code in enumerate(codes, start=1):
            begun = time.perf_counter()
            with transaction.atomic():
                generator.generate_institution(
                    code,
                    f"{SCALE_NAME}{n:02d}",
                    graduates_per_cohort=graduates,
                    seed=options["seed"] + n,
                    today=options["today"],
                    log=self._log(options),
                )
            self.stdout.write(
                f"{SCALE_NAME}{n:02d}（{code}）：每届 {graduates} 名，"
                f"{time.perf_counter() - begun:.1f} 秒"
            )
        total = institutions * graduates * 2
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {institutions} 所学校、{total} 名毕业生，用时 "
                f"{time.perf_counter() - started:.1f} 秒。工作人员账号：centre@i<代码>.example，"
                f"密码 {generator.DEMO_PASSWORD}。"
            )
        )
