"""qihang import_jobs: CSV/xlsx/JSON feeds, place names resolved, de-duplication, updates by
(source, external id), all-or-nothing errors with row and column, dry runs, --publish."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from qihang.employers.models import Employer, EmployerStanding
from qihang.jobs.models import Job
from tests.factories import make_credit_code, make_employer

HEADER = "外部编号,单位名称,统一社会信用代码,岗位名称,岗位类型,工作地点,学历要求,专业要求,薪资,招聘人数,截止日期,岗位描述,联系方式"
SOURCE = "上海市高校毕业生就业网"


def write_csv(tmp_path, rows, name="feed.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(path, *extra):
    from io import StringIO

    out = StringIO()
    try:
        call_command(
            "import_jobs",
            str(path),
            "--institution",
            "90001",
            "--source",
            SOURCE,
            "--json",
            *extra,
            stdout=out,
        )
    except CommandError:
        pass
    return json.loads(out.getvalue())


@pytest.fixture
def verified(school):
    return make_employer("上海歌剧院", serial=31, institution=school.institution)


def row(
    ext, code, title="声乐演员（男高音）", place="上海市徐汇区", salary="8k-12k", extra_desc=""
):
    return f"{ext},上海歌剧院,{code},{title},全职,{place},本科及以上,声乐表演,{salary},2,2026-12-31,歌剧院招聘{extra_desc},021-64000000"


@pytest.mark.django_db
def test_json_report_is_exact_and_rows_are_resolved(school, verified, tmp_path):
    new_code = make_credit_code(32)
    path = write_csv(
        tmp_path,
        [
            row("A1", verified.credit_code),
            row("A2", verified.credit_code, title="钢琴伴奏", place="江苏省苏州市", salary="面议"),
            f"A3,苏州交响乐团,{new_code},圆号演奏员,实习,320500,硕士,,10000元/月,若干,2026/11/30,乐团实习,",
            row("A4", verified.credit_code, title="合唱演员", extra_desc="，限女性，需缴纳培训费"),
        ],
    )
    report = run(path, "--publish")
    assert list(report) == [
        "ok",
        "created",
        "updated",
        "duplicates",
        "flagged",
        "errors",
        "warnings",
    ]
    assert (report["ok"], report["created"], report["updated"], report["duplicates"]) == (
        True,
        4,
        0,
        0,
    )
    assert report["errors"] == []
    assert [(f["row"], f["external_id"]) for f in report["flagged"]] == [(5, "A4")]
    assert any("性别" in r for r in report["flagged"][0]["reasons"])
    jobs = {j.external_id: j for j in Job.objects.filter(source=SOURCE)}
    a1, a2, a3, a4 = (jobs[k] for k in ("A1", "A2", "A3", "A4"))
    assert (a1.division, a1.salary_min, a1.salary_max, a1.degree_levels, a1.status) == (
        "310104",
        8000,
        12000,
        ["bachelor", "master", "doctor"],
        "published",
    )
    assert (a2.division, a2.salary_min, a2.status) == ("320500", None, "published")
    # A new employer: registered with a pending standing here, its posting held.
    employer = Employer.objects.get(credit_code=new_code)
    assert (
        EmployerStanding.objects.get(employer=employer, institution=school.institution).status
        == "pending"
    )
    assert (a3.kind, a3.headcount, a3.salary_min, a3.status) == (
        "internship",
        None,
        10000,
        "pending",
    )
    assert any(w["row"] == 4 and "认证" in w["message"] for w in report["warnings"])
    assert (a4.status, bool(a4.flags)) == ("pending", True)


@pytest.mark.django_db
def test_dedup_across_sources_and_update_by_external_id(school, verified, tmp_path):
    run(write_csv(tmp_path, [row("A1", verified.credit_code)]))
    # The same posting from another source is a duplicate; the same id again is an update.
    from io import StringIO

    out = StringIO()
    call_command(
        "import_jobs",
        str(write_csv(tmp_path, [row("X9", verified.credit_code)], "b.csv")),
        "--institution",
        "90001",
        "--source",
        "国家大学生就业服务平台",
        "--json",
        stdout=out,
    )
    other = json.loads(out.getvalue())
    assert (other["created"], other["duplicates"]) == (0, 1)
    again = run(
        write_csv(tmp_path, [row("A1", verified.credit_code, salary="9000-13000")], "c.csv")
    )
    assert (again["created"], again["updated"], again["duplicates"]) == (0, 1, 0)
    job = Job.objects.get(external_id="A1")
    assert (job.salary_min, job.salary_max, job.version) == (9000, 13000, 2)
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_errors_name_row_and_column_and_nothing_is_written(school, verified, tmp_path):
    path = write_csv(
        tmp_path,
        [
            row("A1", verified.credit_code),
            row("A2", "91310000MA0000000X", place="火星市"),
            f"A3,上海歌剧院,{verified.credit_code},,临时工,上海市,小学,,很多钱,-1,明天,,",
        ],
    )
    report = run(path)
    assert report["ok"] is False and report["created"] == 0
    found = {(e["row"], e["column"]) for e in report["errors"]}
    assert {
        (3, "统一社会信用代码"),
        (3, "工作地点"),
        (4, "岗位名称"),
        (4, "岗位类型"),
        (4, "学历要求"),
        (4, "薪资"),
        (4, "招聘人数"),
        (4, "截止日期"),
    } <= found
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_writes_nothing(school, tmp_path):
    path = write_csv(tmp_path, [row("A1", make_credit_code(40))])
    report = run(path, "--dry-run")
    assert (report["ok"], report["created"]) == (True, 1)
    assert (
        Job.objects.count() == 0
        and not Employer.objects.filter(credit_code=make_credit_code(40)).exists()
    )


@pytest.mark.django_db
def test_json_feed_with_a_mapping_file(school, verified, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            {
                "items": [
                    {
                        "id": "N1",
                        "company": "上海歌剧院",
                        "uscc": verified.credit_code,
                        "job": "钢琴教师",
                        "city": "上海市",
                        "pay": "1万-1.5万",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "external_id": "id",
                "employer_name": "company",
                "credit_code": "uscc",
                "title": "job",
                "place": "city",
                "salary": "pay",
            }
        ),
        encoding="utf-8",
    )
    report = run(feed, "--mapping", str(mapping))
    assert (report["ok"], report["created"]) == (True, 1)
    job = Job.objects.get()
    assert (job.external_id, job.division, job.salary_min, job.salary_max, job.status) == (
        "N1",
        "310000",
        10000,
        15000,
        "pending",
    )


@pytest.mark.django_db
def test_xlsx_feed_and_formula_text(school, verified, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "B1",
            "上海歌剧院",
            verified.credit_code,
            '\'=HYPERLINK("x")',
            "兼职",
            "310104",
            "",
            "",
            "",
            1,
            None,
            "",
            "",
        ]
    )
    path = tmp_path / "feed.xlsx"
    book.save(path)
    report = run(path)
    assert report["ok"] is True
    assert Job.objects.get().title == '=HYPERLINK("x")'


@pytest.mark.django_db
def test_hostile_and_wrong_files_are_refused(school, tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text("{not json", encoding="utf-8")
    assert run(bad)["errors"][0]["row"] == 0
    missing = tmp_path / "x.csv"
    missing.write_text("岗位名称\n钢琴教师\n", encoding="utf-8")
    report = run(missing)
    assert report["ok"] is False and report["errors"][0]["row"] == 1
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(b"PK\x03\x04not really a workbook")
    assert run(bomb)["ok"] is False


@pytest.mark.django_db
def test_an_employer_registered_elsewhere_is_joined_not_duplicated(school, other_school, tmp_path):
    from qihang.audit.models import AuditEvent

    # Registered by the other school (or by itself there): one organisation per credit code.
    theirs = make_employer("江城交响乐团", serial=33, institution=other_school.institution)
    path = write_csv(
        tmp_path,
        [
            f"B1,江城乐团（招聘网写法）,{theirs.credit_code},小号演奏员,全职,上海市徐汇区,本科,,面议,1,,招聘,"
        ],
    )
    report = run(path)
    assert (report["ok"], report["created"]) == (True, 1)
    assert Employer.objects.filter(credit_code=theirs.credit_code).count() == 1
    theirs.refresh_from_db()
    assert theirs.name == "江城交响乐团"  # the organisation's own profile is left alone
    assert Job.objects.get(external_id="B1").employer_id == theirs.pk
    here = EmployerStanding.objects.get(employer=theirs, institution=school.institution)
    assert here.status == "pending"
    assert not any("新单位已登记" in w["message"] for w in report["warnings"])
    # Audited here, as this institution recording an organisation registered elsewhere.
    assert AuditEvent.objects.filter(
        institution=school.institution, action="employer.record", target_id=str(here.pk)
    ).exists()
    # A new code is registered as a self-registration is.
    new_code = make_credit_code(34)
    run(write_csv(tmp_path, [row("B2", new_code)], name="second.csv"))
    new = Employer.objects.get(credit_code=new_code)
    assert AuditEvent.objects.filter(
        institution=school.institution,
        action="employer.register",
        target_id=str(EmployerStanding.objects.get(employer=new).pk),
        data__credit_code=new_code,
    ).exists()
