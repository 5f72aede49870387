"""Job search: jieba tokens, synonyms, filters, order and scoping, on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from qihang.institutions.scoping import build_actor
from qihang.institutions.services import share_create
from qihang.jobs.models import JobKind, JobStatus, SpecialtyTag
from qihang.search.models import JobSearchDocument
from qihang.search.selectors import JobFilters, division_prefix, job_search
from qihang.search.services import jobs_index
from qihang.search.tokens import document_tokens, query_terms
from tests.factories import make_employer, make_job

pytestmark = pytest.mark.django_db


def titles(actor, q="", **filters):
    return [job.title for job in job_search(actor, q, JobFilters(**filters)).jobs]


@pytest.fixture
def centre(school):
    return build_actor(school.centre, school.institution.pk)


@pytest.fixture
def graduate(school):
    return build_actor(school.graduate_user, school.institution.pk)


def test_music_terms_are_single_tokens():
    assert query_terms("大提琴") == ["大提琴"]
    assert "大提琴" in document_tokens("大提琴演奏员")
    assert "大提琴" in document_tokens("乐团招聘大提琴首席")
    assert "大提琴" not in document_tokens("小提琴演奏员")


def test_synonyms_are_read_as_their_canonical_word():
    assert query_terms("钢琴老师") == ["钢琴教师"]
    assert "钢琴教师" in document_tokens("招聘钢琴教师两名")
    assert query_terms("演奏家") == ["演奏员"]


def test_cello_finds_cellist_and_principal_but_not_violin(post, centre):
    post("大提琴演奏员")
    post("乐团招聘大提琴首席")
    post("小提琴演奏员")
    found = titles(centre, "大提琴")
    assert sorted(found) == ["乐团招聘大提琴首席", "大提琴演奏员"]


def test_piano_teacher_finds_piano_teacher_posting(post, centre):
    post("钢琴教师")
    post("声乐教师")
    assert titles(centre, "钢琴老师") == ["钢琴教师"]


def test_a_long_query_word_inside_a_longer_posting_word_is_found(post, centre):
    post("钢琴调律师")
    post("少儿钢琴陪练")
    post("招聘大提琴演奏员")
    post("小提琴演奏员")
    # jieba's search mode stops at three characters; the index goes on to every length, so the
    # four-character 钢琴调律 is a token of 钢琴调律师.
    assert "钢琴调律" in document_tokens("钢琴调律师")
    assert titles(centre, "钢琴调律") == ["钢琴调律师"]
    assert titles(centre, "大提琴演奏员") == ["招聘大提琴演奏员"]
    assert titles(centre, "大提琴") == ["招聘大提琴演奏员"]  # never 小提琴


def test_arts_vocabulary_of_folk_ensembles_and_posts(post, centre):
    post("民族乐团招聘二胡、扬琴演奏员")
    post("交响乐团招聘小号首席")
    post("中学音乐老师（编制内）")
    assert titles(centre, "民乐团") == ["民族乐团招聘二胡、扬琴演奏员"]
    assert titles(centre, "扬琴") == ["民族乐团招聘二胡、扬琴演奏员"]
    assert titles(centre, "音乐教师 编制") == ["中学音乐老师（编制内）"]


def test_all_words_must_match_and_place_names_are_indexed(post, centre):
    post("声乐教师", division="310104")
    post("声乐教师（苏州）", division="320508")
    assert titles(centre, "声乐 上海") == ["声乐教师"]
    assert titles(centre, "声乐 苏州") == ["声乐教师（苏州）"]


def test_title_outranks_description_then_recency(post, centre, school):
    tz = dt.UTC
    old = post(
        "乐团演奏员甲", description="大提琴声部", published_at=dt.datetime(2020, 5, 1, tzinfo=tz)
    )
    new = post(
        "乐团演奏员乙", description="大提琴声部", published_at=dt.datetime(2020, 6, 1, tzinfo=tz)
    )
    top = post("大提琴演奏员", published_at=dt.datetime(2020, 4, 1, tzinfo=tz))
    assert [j.pk for j in job_search(centre, "大提琴").jobs] == [top.pk, new.pk, old.pk]
    # Without words: most recent first.
    assert [j.pk for j in job_search(centre, "").jobs] == [new.pk, old.pk, top.pk]


def test_filters(post, centre):
    # The reference data (jobs migration 0003) has the cello already.
    cello, _ = SpecialtyTag.objects.get_or_create(code="cello", defaults={"name": "大提琴"})
    a = post(
        "演奏员甲",
        kind=JobKind.FULL_TIME,
        division="310104",
        degree_levels=["master"],
        salary_min=6000,
        salary_max=9000,
        deadline=dt.date(2020, 7, 31),
    )
    a.specialties.add(cello)
    jobs_index([a.pk])
    post(
        "演奏员乙",
        kind=JobKind.INTERNSHIP,
        division="320508",
        degree_levels=[],
        salary_min=2000,
        salary_max=3000,
        deadline=dt.date(2020, 6, 30),
    )
    post("演奏员丙", kind=JobKind.PART_TIME, division="310115", degree_levels=["bachelor"])
    assert titles(centre, "演奏员", kind="internship") == ["演奏员乙"]
    assert sorted(titles(centre, "演奏员", division="310000")) == ["演奏员丙", "演奏员甲"]
    assert titles(centre, "演奏员", division="320500") == ["演奏员乙"]
    assert sorted(titles(centre, "演奏员", degree="bachelor")) == ["演奏员丙", "演奏员乙"]
    assert sorted(titles(centre, "演奏员", degree="master")) == ["演奏员乙", "演奏员甲"]
    assert titles(centre, "演奏员", specialty="cello") == ["演奏员甲"]
    assert titles(centre, "", salary_min=5000) == ["演奏员甲"]
    assert sorted(titles(centre, "", open_on=dt.date(2020, 7, 15))) == ["演奏员丙", "演奏员甲"]
    # The specialty's name is in the index too.
    assert titles(centre, "大提琴") == ["演奏员甲"]


def test_division_prefix():
    assert division_prefix("310000") == "31"
    assert division_prefix("320500") == "3205"
    assert division_prefix("310104") == "310104"
    assert division_prefix("x") == ""


def test_scoping(post, school, other_school, centre, graduate):
    theirs = make_employer("江城歌剧院", serial=202, institution=other_school.institution)
    their_job = make_job(theirs, other_school.institution, title="江城大提琴首席")
    jobs_index([their_job.pk])
    post("大提琴演奏员")
    post("待审大提琴岗位", status=JobStatus.PENDING)
    assert sorted(titles(centre, "大提琴")) == ["大提琴演奏员", "待审大提琴岗位"]
    # Graduates see published jobs only.
    assert titles(graduate, "大提琴") == ["大提琴演奏员"]
    partner = build_actor(other_school.graduate_user, other_school.institution.pk)
    assert titles(partner, "大提琴") == ["江城大提琴首席"]


def test_a_shared_job_is_found_by_the_partner(post, school, other_school):
    from qihang.institutions.models import Pairing

    Pairing.objects.create(
        first=school.institution,
        second=other_school.institution,
        name="结对",
        starts_on=dt.date(2020, 1, 1),
    )
    job = post("大提琴首席")
    share_create(
        actor=build_actor(school.centre, school.institution.pk),
        obj=job,
        partner_id=other_school.institution.pk,
    )
    partner = build_actor(other_school.graduate_user, other_school.institution.pk)
    assert titles(partner, "大提琴") == ["大提琴首席"]


def test_index_follows_edits_and_deletes(post, centre):
    job = post("大提琴演奏员")
    job.title = "中提琴演奏员"
    job.save()
    jobs_index([job.pk])
    assert titles(centre, "大提琴") == []
    assert titles(centre, "中提琴") == ["中提琴演奏员"]
    pk = job.pk
    job.delete()
    jobs_index([pk])
    assert not JobSearchDocument.objects.filter(pk=pk).exists()
    assert titles(centre, "中提琴") == []


def test_count(post, centre):
    post("大提琴演奏员")
    post("大提琴首席")
    assert job_search(centre, "大提琴").count() == 2


def test_region_filter(post, centre):
    post("演奏员（上海）", division="310104")
    post("演奏员（北京）", division="110101")
    assert titles(centre, "演奏员", region="yangtze_delta") == ["演奏员（上海）"]
    assert titles(centre, "演奏员", region="jingjinji") == ["演奏员（北京）"]
    assert titles(centre, "演奏员", region="no-such-region") == []


def mirrors(job) -> bool:
    """The job's index row carries the job's current filter columns."""
    from qihang.jobs.models import Job
    from qihang.search.models import MIRRORED_FIELDS

    job = Job.objects.get(pk=job.pk)
    row = JobSearchDocument.objects.get(pk=job.pk)
    return all(
        getattr(row, f"{name}_id", getattr(row, name, None))
        == getattr(job, f"{name}_id", getattr(job, name, None))
        for name in MIRRORED_FIELDS
    )


def test_the_index_row_follows_the_job_through_its_services(school, orchestra, centre, graduate):
    """Searches filter on the index row's copies of the job's columns: every service that
    writes a job keeps them equal, so a graduate never finds a job that is no longer open."""
    from qihang.jobs import services

    job = services.job_create(
        actor=centre,
        employer=orchestra,
        institution_id=school.institution.pk,
        data={"title": "大提琴演奏员", "kind": JobKind.FULL_TIME, "division": "310104"},
        submit=True,
    )
    assert mirrors(job) and titles(graduate, "大提琴") == []  # pending
    services.job_transition(actor=centre, job=job, action="approve")
    assert mirrors(job) and titles(graduate, "大提琴") == ["大提琴演奏员"]
    assert titles(graduate, "大提琴", kind=JobKind.INTERNSHIP) == []
    services.job_update(
        actor=centre,
        job=job,
        data={"kind": JobKind.INTERNSHIP, "salary_min": 6000, "deadline": dt.date(2026, 6, 30)},
    )
    assert mirrors(job) and titles(graduate, "大提琴") == []  # back to review
    services.job_transition(actor=centre, job=job, action="approve")
    assert titles(graduate, "大提琴", kind=JobKind.INTERNSHIP, salary_min=6000) == ["大提琴演奏员"]
    services.jobs_close_expired(today=dt.date(2026, 7, 1))
    assert mirrors(job) and titles(graduate, "大提琴") == []


def test_a_revoked_share_hides_the_job_from_the_partner_again(post, school, other_school):
    from qihang.institutions.models import Pairing
    from qihang.jobs import services

    Pairing.objects.create(
        first=school.institution,
        second=other_school.institution,
        name="结对",
        starts_on=dt.date(2020, 1, 1),
    )
    job = post("大提琴首席")
    centre = build_actor(school.centre, school.institution.pk)
    share = services.job_share(actor=centre, job=job, partner_id=other_school.institution.pk)
    partner = build_actor(other_school.graduate_user, other_school.institution.pk)
    assert titles(partner, "大提琴") == ["大提琴首席"]
    services.job_unshare(actor=centre, job=job, share=share)
    assert titles(partner, "大提琴") == []


def test_pages_are_read_before_they_are_counted(post, centre, django_assert_num_queries):
    for i in range(5):
        post(f"大提琴演奏员{i}", published_at=dt.datetime(2026, 9, 1 + i, tzinfo=dt.UTC))
    results = job_search(centre, "大提琴").jobs
    with django_assert_num_queries(2):  # the index rows (counting all matches), their jobs
        page = results.page("2", 2)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (2, 5, 3)
    assert [j.title for j in page] == ["大提琴演奏员2", "大提琴演奏员1"]
    assert job_search(centre, "大提琴").jobs.page("x", 2).number == 1
    last = job_search(centre, "大提琴").jobs.page("9", 2)
    assert last.number == 3 and [j.title for j in last] == ["大提琴演奏员0"]
    assert job_search(centre, "圆号").jobs.page("1", 2).paginator.count == 0
    assert job_search(centre, "大提琴").jobs[4].title == "大提琴演奏员0"
    with pytest.raises(IndexError):
        job_search(centre, "大提琴").jobs[5]


def test_a_renamed_employer_is_found_by_its_new_name(post, orchestra, centre):
    post("大提琴首席")
    assert titles(centre, "东方") == ["大提琴首席"]
    orchestra.name = "上海爱乐乐团"
    orchestra.save(update_fields=["name", "updated_at"])
    assert titles(centre, "爱乐") == ["大提琴首席"]
    assert titles(centre, "东方") == []
    orchestra.save(update_fields=["description"])  # not the name: the index is left alone
    assert titles(centre, "爱乐") == ["大提琴首席"]
