"""Demo data for search and matching (issue 7): the index of every demo job, job preferences of
some graduates, and a couple of mentors' pushes. Called by qihang/demo/channels.py after the
employers' and jobs' steps."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.jobs.models import JobKind, JobStatus
from qihang.search import selectors
from qihang.search.models import JobPreference
from qihang.search.services import job_push, jobs_reindex_all

# What graduates of a music school wish for: places (division codes), regions, keywords.
WISHES = [
    (["310000"], ["yangtze_delta"], "乐团 演奏员"),
    (["320500", "330100"], [], "音乐教育 教师"),
    (["310000", "320100"], ["yangtze_delta"], "合唱 声乐"),
    ([], ["greater_bay_area"], "钢琴 伴奏"),
    (["110000"], ["jingjinji"], "艺术管理"),
]
SPECIALIZATIONS = ["大提琴", "小提琴", "钢琴", "声乐", "音乐教育", "二胡", "长笛"]
PUSH_NOTES = [
    "这个岗位和你的方向很对口，建议尽快投递。",
    "单位是我们的老合作方，可以找我写推荐信。",
]


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    rng = random.Random(seed + 7)
    indexed = jobs_reindex_all()
    graduates = list(
        Graduate.objects.filter(user__isnull=False)
        .select_related("major")
        .order_by("institution_id", "student_no")[:60]
    )
    preferences = []
    for graduate in graduates[:40]:
        divisions, regions, keywords = rng.choice(WISHES)
        if not graduate.specialization:
            graduate.specialization = rng.choice(SPECIALIZATIONS)
            graduate.save(update_fields=["specialization"])
        preferences.append(
            JobPreference(
                institution_id=graduate.institution_id,
                graduate=graduate,
                divisions=divisions,
                regions=regions,
                kinds=rng.choice([[JobKind.FULL_TIME], [JobKind.FULL_TIME, JobKind.PART_TIME], []]),
                salary_min=rng.choice([None, 5000, 6000, 8000]),
                keywords=keywords,
            )
        )
    JobPreference.objects.bulk_create(preferences, ignore_conflicts=True)
    pushes = 0
    mentored = [g for g in graduates if g.mentor_id is not None]
    for graduate in mentored[:4]:
        mentor = build_actor(graduate.mentor, graduate.institution_id)
        if mentor is None or not mentor.has("job.push"):
            continue
        jobs = selectors.searchable_jobs(mentor).filter(status=JobStatus.PUBLISHED)
        job = jobs.order_by("pk").first()
        if job is None:
            continue
        job_push(actor=mentor, job=job, graduate=graduate, note=rng.choice(PUSH_NOTES))
        pushes += 1
    if log:
        log(f"search: {indexed} jobs indexed, {len(preferences)} preferences, {pushes} pushes")
