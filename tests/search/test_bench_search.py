"""qihang bench_search on a small world: the output's shape (in place: in the test's database)."""

import json

import pytest
from django.core.management import call_command

from qihang.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_bench_search_prints_and_writes_figures(tmp_path, capsys):
    out = tmp_path / "bench.json"
    call_command("bench_search", jobs=200, runs=3, json_file=str(out), in_place=True)
    printed = capsys.readouterr().out
    assert "200 jobs" in printed and "bare p95" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["jobs"] == 200 and report["runs"] == 3
    names = [q["name"] for q in report["queries"]]
    assert names[:4] == ["大提琴", "钢琴老师", "声乐 上海", "音乐教育 实习"]
    for query in report["queries"]:
        assert {
            "count",
            "p50_ms",
            "p95_ms",
            "bare_p50_ms",
            "bare_p95_ms",
            "ratio_p95",
            "sql_p50_ms",
            "sql_p95_ms",
        } <= set(query)
        assert query["sql_p50_ms"] <= query["p50_ms"]
    assert report["queries"][0]["count"] > 0
    assert Job.objects.filter(institution__code="99871").count() == 200


def test_search_reindex(post, capsys):
    from qihang.search.models import JobSearchDocument

    job = post("大提琴演奏员")
    JobSearchDocument.objects.all().delete()
    call_command("search_reindex")
    assert "indexed 1 jobs" in capsys.readouterr().out
    assert JobSearchDocument.objects.filter(pk=job.pk).exists()
