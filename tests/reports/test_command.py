"""`qihang stats`: the JSON structure and the readable table."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.reports.conftest import T_DATE

pytestmark = pytest.mark.django_db

ROW_FIELDS = {
    "key",
    "label",
    "total",
    "known",
    "placed",
    "signed",
    "placement_rate",
    "signing_rate",
    "knowledge_rate",
    "by_code",
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_structure(world):
    out = run(
        "--institution", "90001", "--cohort", "2020", "--by", "degree",
        "--as-of", T_DATE.isoformat(), "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert {"institution", "cohort", "by", "definitions", "rows", "total"} <= set(data)
    assert data["institution"] == {"code": "90001", "name": "东方音乐学院"}
    assert (data["cohort"], data["by"], data["kind"]) == (2020, "degree", "official")
    assert data["as_of"] == "2020-06-30T23:59:59.999999+08:00"
    definitions = data["definitions"]
    assert definitions["signing_codes"] == ["10", "11"]
    assert definitions["signing_definition"] == "签约率 = 代码 10、11 ÷ 毕业生总数"
    assert definitions["counted"] == "已审批"
    assert definitions["code_set"] == "2020"
    assert "80" in definitions["placed_codes"] and "71" not in definitions["placed_codes"]
    [row] = data["rows"]
    assert set(row) == ROW_FIELDS and set(data["total"]) == ROW_FIELDS
    assert (row["key"], row["label"]) == ("bachelor", "本科")
    assert (row["total"], row["known"], row["placed"], row["signed"]) == (6, 4, 3, 2)
    assert (row["placement_rate"], row["signing_rate"], row["knowledge_rate"]) == (
        0.5,
        0.3333,
        0.6667,
    )
    assert row["by_code"]["10"] == 1 and row["by_code"]["72"] == 0
    assert data["total"]["label"] == "合计"


def test_json_reported_and_by_department(world):
    data = json.loads(
        run(
            "--institution",
            "90001",
            "--cohort",
            "2020",
            "--as-of",
            "2020-06-30",
            "--kind",
            "reported",
            "--json",
        )
    )
    assert data["by"] == "department"
    assert [r["label"] for r in data["rows"]] == ["钢琴系", "声乐歌剧系"]
    assert data["total"]["placed"] == 5
    assert data["definitions"]["counted"] == "已填报"


def test_readable_table(world):
    out = run(
        "--institution", "90001", "--cohort", "2020", "--by", "gender", "--as-of", "2020-06-30"
    )
    assert "90001 东方音乐学院 · 2020届 · 按性别 · 截至 2020-06-30 24:00 · 已审批口径" in out
    assert "签约率 = 代码 10、11 ÷ 毕业生总数" in out
    lines = out.splitlines()
    total = next(line for line in lines if line.startswith("合计"))
    assert total.split() == ["合计", "6", "4", "3", "2", "50.00%", "33.33%", "66.67%"]


def test_errors_name_what_is_wrong(world):
    with pytest.raises(CommandError, match="99999"):
        run("--institution", "99999", "--cohort", "2020")
    with pytest.raises(CommandError, match="1999"):
        run("--institution", "90001", "--cohort", "1999")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--institution", "90001", "--cohort", "2020", "--as-of", "30/06/2020")
    # The end of 9999-12-31 is past the largest datetime: refused in words, not a traceback.
    with pytest.raises(CommandError, match="1950-01-01 至 2099-12-31"):
        run("--institution", "90001", "--cohort", "2020", "--as-of", "9999-12-31")


def test_rebuild_rates_summary(world):
    from django.db import connection

    out = io.StringIO()
    call_command("rebuild_rates_summary", "--check", stdout=out)
    if connection.vendor != "postgresql":
        assert "无需汇总表" in out.getvalue()
        return
    assert "逐周 0，累计 0，在册记录 0" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_periodtotal SET holding = holding + 1")
    with pytest.raises(CommandError, match="rebuild_rates_summary"):
        call_command("rebuild_rates_summary", "--check", stdout=io.StringIO())
    call_command("rebuild_rates_summary", stdout=io.StringIO())
    call_command("rebuild_rates_summary", "--check", stdout=io.StringIO())
