"""The loaded demo: sizes, valid personal data, separate institutions, consistent destination
histories and periods, realistic rates, and logins that work. The demo is loaded once for the
module (tests/demo/conftest.py); every test only reads it."""

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Q
from django.test import Client
from django.urls import reverse
from stdnum.cn import ric, uscc

from qihang.accounts.models import User
from qihang.audit import triggers
from qihang.audit.models import AuditEvent
from qihang.demo import catalogue
from qihang.demo.generator import DEFAULT_TODAY, DEMO_LOAD_ACTION, DEMO_PASSWORD
from qihang.destinations.models import (
    ChangeAction,
    Destination,
    DestinationChange,
    DestinationPeriod,
    PeriodKind,
    ReviewStatus,
)
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import DestinationInvalid, Reference, clean_destination
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind
from qihang.graduates.services import id_number_digest
from qihang.institutions.models import Cohort, Department, Institution, Major, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.lib import validators
from qihang.reports import selectors

pytestmark = pytest.mark.django_db

DFCM, JCCM = "90001", "90002"
CUTOFF = dt.datetime(2020, 7, 16, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CONSERVATORY_DEPARTMENTS = {
    "作曲系", "指挥系", "音乐学系", "钢琴系", "声乐歌剧系", "管弦系", "民族音乐系",
    "现代器乐与打击乐系", "音乐工程系", "艺术管理系", "音乐教育系", "音乐戏剧系",
    "数字媒体艺术学院", "研究生部",
}  # fmt: skip


def cohort(code: str, year: int) -> Cohort:
    return Cohort.objects.get(institution__code=code, year=year)


def centre_actor(code: str):
    institution = Institution.objects.get(code=code)
    domain = "dfcm.example" if code == DFCM else "jccm.example"
    return build_actor(User.objects.get(email=f"centre@{domain}"), institution.pk)


def totals(code: str, year: int, as_of: dt.date, by: str = "department") -> dict:
    return selectors.cohort_stats(
        actor=centre_actor(code), cohort=cohort(code, year), by=by, as_of=as_of
    )


# --- sizes and structure --------------------------------------------------------------------------
def test_cohort_sizes_and_degree_split(demo):
    sizes = Counter(
        Graduate.objects.filter(cohort__year=2020).values_list(
            "cohort__institution__code", flat=True
        )
    )
    assert sizes == {DFCM: 729, JCCM: 450}
    assert Graduate.objects.filter(cohort=cohort(DFCM, 2019)).count() == 650
    assert Graduate.objects.filter(cohort=cohort(JCCM, 2019)).count() == 430
    levels = Counter(
        Graduate.objects.filter(cohort=cohort(DFCM, 2020)).values_list("degree_level", flat=True)
    )
    assert levels["bachelor"] > 0.7 * 729
    assert 0.15 < levels["master"] / 729 < 0.25
    assert 10 <= levels["doctor"] <= 30


def test_the_conservatory_has_its_departments_and_majors(demo):
    institution = Institution.objects.get(code=DFCM)
    assert institution.name == "东方音乐学院"
    names = set(Department.objects.filter(institution=institution).values_list("name", flat=True))
    assert names == CONSERVATORY_DEPARTMENTS
    performance = Major.objects.filter(institution=institution, name="音乐表演")
    assert performance.values("department").distinct().count() >= 5
    composition = Major.objects.filter(institution=institution, name="作曲与作曲技术理论")
    assert composition.values("department").distinct().count() == 2
    graduate_school = Major.objects.filter(institution=institution, department__name="研究生部")
    assert set(graduate_school.values_list("degree_level", flat=True)) == {"master", "doctor"}
    # Every department has graduates in both cohorts.
    for year in (2019, 2020):
        with_graduates = (
            Graduate.objects.filter(cohort=cohort(DFCM, year))
            .values_list("department__name", flat=True)
            .distinct()
        )
        assert set(with_graduates) == CONSERVATORY_DEPARTMENTS


def test_voice_parts_and_gender_mix(demo):
    graduates = Graduate.objects.filter(cohort=cohort(DFCM, 2020))
    women = graduates.filter(gender="F").count() / graduates.count()
    assert 0.52 < women < 0.7  # a conservatory: more women than men
    assert not graduates.filter(specialization__in=["女高音", "女中音"], gender="M").exists()
    assert not graduates.filter(
        specialization__in=["男高音", "男中音", "男低音"], gender="F"
    ).exists()
    lengths = Counter(len(name) for name in graduates.values_list("name", flat=True))
    assert lengths[3] > lengths[2] > 0  # mostly three characters, some two


# --- personal data --------------------------------------------------------------------------------
AGES = {"bachelor": (20, 26), "master": (23, 32), "doctor": (26, 41)}


def test_id_numbers_are_valid_and_agree_with_the_roster(demo):
    graduates = Graduate.objects.select_related("cohort")
    seen = set()
    for g in graduates:
        number = g.id_number.reveal_unlogged()
        assert ric.is_valid(number), number  # check digit, birth date, birth place
        assert g.id_number_digest == id_number_digest(number)
        assert (int(number[16]) % 2 == 1) == (g.gender == "M")
        assert number[:6] == g.origin_division
        assert g.origin_province == g.origin_division[:2] + "0000"
        born = ric.get_birth_date(number)
        age = (dt.date(g.cohort.year, 7, 1) - born).days / 365.25
        low, high = AGES[g.degree_level]
        assert low <= age <= high, (g.degree_level, age)
        validators.mobile_phone(g.phone.reveal_unlogged())
        validators.email(g.email)
        seen.add((g.cohort_id, number))
    assert len(seen) == graduates.count()


def test_origins_lean_to_the_region_and_include_key_groups(demo):
    graduates = Graduate.objects.filter(cohort=cohort(DFCM, 2020))
    provinces = Counter(graduates.values_list("origin_province", flat=True))
    assert provinces.most_common(1)[0][0] == "310000"
    delta = sum(provinces[p] for p in ("310000", "320000", "330000", "340000"))
    assert delta > 0.35 * graduates.count()
    assert len(provinces) >= 20
    wuhan = Counter(
        Graduate.objects.filter(cohort=cohort(JCCM, 2020)).values_list("origin_province", flat=True)
    )
    assert wuhan.most_common(1)[0][0] == "420000"
    ethnic = Counter(g.ethnicity.reveal_unlogged() for g in graduates.only("ethnicity"))
    assert ethnic["汉族"] > 0.85 * graduates.count() and len(ethnic) > 3
    assert set(graduates.values_list("origin_type", flat=True)) == {"urban", "rural"}


def test_key_groups(demo):
    kinds = defaultdict(set)
    code_of = {k.digest: k.code for k in KeyGroupKind.objects.all()}
    for graduate_id, digest in GraduateKeyGroup.objects.values_list("graduate_id", "kind_digest"):
        kinds[graduate_id].add(code_of[digest])
    for g in Graduate.objects.select_related("cohort"):
        hubei = g.cohort.year == 2020 and g.origin_province == "420000"
        assert ("hubei_2020" in kinds[g.pk]) == hubei
        assert ("ethnic_minority" in kinds[g.pk]) == (g.ethnicity.reveal_unlogged() != "汉族")
    counts = Counter(k for groups in kinds.values() for k in groups)
    total = Graduate.objects.count()
    assert counts["poverty_registered"] > 0 and counts["family_hardship"] > 0
    assert counts["disability"] < 0.01 * total
    key_rows = GraduateKeyGroup.objects.exclude(institution_id=F("graduate__institution_id"))
    assert not key_rows.exists()


# --- institutions are separate -----------------------------------------------------------------------
def test_the_two_institutions_data_are_separate(demo):
    for model in (Destination, DestinationChange, DestinationPeriod, GraduateKeyGroup):
        assert not model.objects.exclude(institution_id=F("graduate__institution_id")).exists()
    assert not Graduate.objects.exclude(institution_id=F("department__institution_id")).exists()
    assert not Graduate.objects.exclude(institution_id=F("major__institution_id")).exists()
    assert not Graduate.objects.exclude(institution_id=F("cohort__institution_id")).exists()
    # Every person acting on a record belongs to the record's institution.
    for model, field in ((DestinationChange, "actor"), (Destination, "submitted_by")):
        rows = model.objects.exclude(**{f"{field}__isnull": True})
        foreign = rows.exclude(**{f"{field}__memberships__institution_id": F("institution_id")})
        assert not foreign.exists()
    jccm_staff = User.objects.filter(email__endswith="@jccm.example")
    assert jccm_staff.exists()
    assert not Membership.objects.filter(user__in=jccm_staff, institution__code=DFCM).exists()
    outsider = User.objects.get(email="centre@jccm.example")
    assert build_actor(outsider, Institution.objects.get(code=DFCM).pk) is None


# --- destination histories and periods -----------------------------------------------------------------
def test_periods_are_consistent(demo):
    by_graduate_kind = defaultdict(list)
    for p in DestinationPeriod.objects.order_by("valid_from", "pk"):
        by_graduate_kind[(p.graduate_id, p.kind)].append(p)
    destinations = {
        d.graduate_id: d
        for d in Destination.objects.select_related("code__parent", "official_code__parent")
    }
    for (graduate_id, kind), periods in by_graduate_kind.items():
        assert sum(p.valid_to is None for p in periods) == 1  # one open period, the last
        assert periods[-1].valid_to is None
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert earlier.valid_to == later.valid_from  # closed when the next one opened
            assert earlier.valid_to > earlier.valid_from
        destination = destinations[graduate_id]
        if kind == PeriodKind.OFFICIAL:
            assert destination.official_code_id is not None
            assert periods[-1].code == destination.official_code.reporting_code
        else:
            assert periods[-1].code == destination.code.reporting_code
            assert periods[-1].employer_province == destination.employer_province
    # Official periods only for records approved at least once, opened at each approval.
    approvals = Counter(
        DestinationChange.objects.filter(action=ChangeAction.APPROVE).values_list(
            "graduate_id", flat=True
        )
    )
    official = Counter(
        g for (g, kind), ps in by_graduate_kind.items() if kind == PeriodKind.OFFICIAL for _ in ps
    )
    assert official == approvals
    reports = Counter(
        DestinationChange.objects.filter(
            action__in=[ChangeAction.SUBMIT, ChangeAction.RECORD]
        ).values_list("graduate_id", flat=True)
    )
    reported = Counter(
        g for (g, kind), ps in by_graduate_kind.items() if kind == PeriodKind.REPORTED for _ in ps
    )
    assert reported == reports
    never_approved = Destination.objects.filter(official_code__isnull=True)
    assert not DestinationPeriod.objects.filter(
        kind=PeriodKind.OFFICIAL, graduate__in=never_approved.values("graduate")
    ).exists()


def test_records_agree_with_their_history(demo):
    changes = defaultdict(list)
    for c in DestinationChange.objects.order_by("at", "pk"):
        changes[c.destination_id].append(c)
    for d in Destination.objects.all():
        history = changes[d.pk]
        assert history[0].action in (ChangeAction.SUBMIT, ChangeAction.RECORD)
        assert history[0].version == 1 and history[-1].version == d.version
        assert history[-1].after.get("status") == d.status
        assert d.updated_at == history[-1].at
        assert [c.at for c in history] == sorted({c.at for c in history})  # strictly in time
        if d.status == ReviewStatus.APPROVED:
            assert history[-1].action == ChangeAction.APPROVE and d.approved_at == history[-1].at
            assert d.official_code_id == d.code_id
        if d.status == ReviewStatus.RETURNED:
            assert d.return_reason and history[-1].reason == d.return_reason
        # Reasons where the services require them: staff changing a record, any change of an
        # approved destination.
        official = False
        for c in history:
            if c.action == ChangeAction.RECORD and c.version > 1:
                assert c.reason
            if c.action == ChangeAction.SUBMIT and official and set(c.after) - {"status"}:
                assert c.reason
            official = official or c.action == ChangeAction.APPROVE


def test_every_record_passes_the_destination_rules(demo):
    references = {}
    for d in Destination.objects.select_related("code", "employer_nature", "cohort"):
        if d.cohort_id not in references:
            references[d.cohort_id] = Reference.load(policy_for(d.cohort), d.cohort.year)
        raw = {
            "code": d.code.code,
            "employer_name": d.employer_name,
            "employer_credit_code": d.employer_credit_code,
            "employer_nature": d.employer_nature.code if d.employer_nature else "",
            "employer_division": d.employer_division,
            "employer_country": d.employer_country,
            "agreement_no": d.agreement_no,
            "signed_on": d.signed_on,
            "note": d.note,
            "confirmed_not_internship": d.confirmed_not_internship,
        }
        try:
            clean_destination(raw, references[d.cohort_id], today=d.submitted_at.date())
        except DestinationInvalid as exc:
            pytest.fail(f"{d.graduate_id} {raw}: {exc.errors}")
        if d.employer_credit_code:
            assert uscc.is_valid(d.employer_credit_code)
    agreements = Destination.objects.exclude(agreement_no="").values_list(
        "institution_id", "agreement_no"
    )
    assert len(set(agreements)) == len(agreements)  # 专人专号


def test_nothing_is_dated_after_the_demo_day(demo):
    assert not DestinationChange.objects.filter(at__gte=CUTOFF).exists()
    assert not DestinationPeriod.objects.filter(
        Q(valid_from__gte=CUTOFF) | Q(valid_to__gte=CUTOFF)
    ).exists()
    assert not Destination.objects.filter(updated_at__gte=CUTOFF).exists()
    assert not Graduate.objects.filter(created_at__gte=CUTOFF).exists()
    later = AuditEvent.objects.filter(at__gte=CUTOFF).exclude(action=DEMO_LOAD_ACTION)
    assert not later.exists()


def test_the_audit_log_has_every_action(demo):
    for action in (
        ChangeAction.SUBMIT,
        ChangeAction.RECORD,
        ChangeAction.REVIEW,
        ChangeAction.RETURN,
    ):
        assert AuditEvent.objects.filter(action=f"destination.{action}").count() == (
            DestinationChange.objects.filter(action=action).count()
        )
    # One entry per approved record, on the record's own trail, batch approvals included.
    approvals = AuditEvent.objects.filter(action="destination.approve")
    assert (
        approvals.count() == DestinationChange.objects.filter(action=ChangeAction.APPROVE).count()
    )
    assert not approvals.filter(target_id="").exists()
    # The career centre approves in batches: most entries say how large theirs was.
    batched = [e.data.get("batch", 1) for e in approvals]
    assert sum(1 for n in batched if n > 1) > len(batched) / 2


# --- the season -------------------------------------------------------------------------------------------
def test_the_demo_audit_log_verifies_and_shows_tampering(demo):
    """`qihang verify_audit` passes on the demo; a reviewer who drops the triggers and edits
    an entry by raw SQL sees the command fail naming that entry."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chains intact" in out.getvalue()
    assert f"{DFCM} " in out.getvalue() and f"{JCCM} " in out.getvalue()
    victim = AuditEvent.objects.filter(
        institution__code=DFCM, action="destination.approve"
    ).order_by("seq")[10]
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET summary = 'nothing to see' WHERE id = %s", [victim.pk]
        )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"entry {victim.pk} (seq {victim.seq}) does not match its hash" in out.getvalue()


def test_2020_is_mid_season(demo):
    for code in (DFCM, JCCM):
        statuses = Counter(
            Destination.objects.filter(cohort=cohort(code, 2020)).values_list("status", flat=True)
        )
        assert statuses[ReviewStatus.APPROVED] > statuses[ReviewStatus.DEPARTMENT_REVIEWED] > 0
        assert statuses[ReviewStatus.SUBMITTED] > 0
    assert Destination.objects.filter(
        cohort=cohort(DFCM, 2020), status=ReviewStatus.RETURNED
    ).exists()
    unknown = Graduate.objects.filter(cohort=cohort(DFCM, 2020), destination__isnull=True)
    assert 10 < unknown.count() < 150


def test_realistic_rates_emerge(demo):
    now = totals(DFCM, 2020, DEFAULT_TODAY)["total"]
    assert 0.5 < now["placement_rate"] < 0.9
    assert now["signing_rate"] < now["placement_rate"] <= now["knowledge_rate"]
    year_ago = totals(DFCM, 2019, DEFAULT_TODAY.replace(year=2019))["total"]
    assert year_ago["placement_rate"] > now["placement_rate"]  # 2020 runs late (COVID-19)
    wuhan = totals(JCCM, 2020, DEFAULT_TODAY)["total"]
    assert wuhan["placement_rate"] < now["placement_rate"]  # Wuhan's lockdown, later still
    final = totals(DFCM, 2019, dt.date(2019, 12, 31))
    assert final["total"]["placement_rate"] > 0.85
    ranking = sorted(final["rows"], key=lambda r: -r["signing_rate"])
    assert {r["label"] for r in ranking[:3]} == {"指挥系", "作曲系", "现代器乐与打击乐系"}


def test_2019_is_complete(demo):
    for code in (DFCM, JCCM):
        pending = Destination.objects.filter(cohort=cohort(code, 2019)).exclude(
            status=ReviewStatus.APPROVED
        )
        assert not pending.exists()
        end = totals(code, 2019, dt.date(2019, 12, 31))["total"]
        assert end["knowledge_rate"] > 0.98


def test_destination_mixes_fit_the_departments(demo):
    def shares(department: str) -> Counter:
        codes = Destination.objects.filter(
            cohort=cohort(DFCM, 2019), graduate__department__name=department
        ).values_list("code__parent__code", "code__code")
        return Counter(parent or code for parent, code in codes)

    piano = shares("钢琴系")
    assert (piano["85"] + piano["76"]) / sum(piano.values()) > 0.3  # abroad and freelance
    education = Destination.objects.filter(
        cohort=cohort(DFCM, 2019), graduate__department__name="音乐教育系"
    )
    in_schools = education.filter(Q(employer_nature__code="22") | Q(code__code="504"))
    assert in_schools.count() / education.count() > 0.3
    troupes = Destination.objects.filter(employer_name__endswith="交响乐团")
    assert troupes.filter(graduate__department__name="管弦系").exists()
    assert Destination.objects.filter(code__code="85", employer_name__contains="音乐学院").exists()


# --- logins -------------------------------------------------------------------------------------------------
def test_every_demo_login_signs_in(demo, production_hashers):
    """The demo hashes with the production hasher (Argon2), loaded before the test's settings."""
    assert {login.role for login in demo} >= {
        str(Role.CAREER_CENTRE.label),
        str(Role.DEPARTMENT_STAFF.label),
        str(Role.TEACHER.label),
        str(Role.LEADERSHIP.label),
        str(Role.GRADUATE.label),
        "平台管理员",
    }
    for login in demo:
        assert login.password == DEMO_PASSWORD
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login
        user = User.objects.get(pk=client.session["_auth_user_id"])
        if login.role == str(Role.GRADUATE.label):
            assert user.graduate.student_no == login.username  # signed in with the 学号
        else:
            assert user.email == login.username


def test_demo_graduates_show_what_the_table_says(demo):
    graduates = {
        login.look_at: Graduate.objects.get(student_no=login.username)
        for login in demo
        if login.role == str(Role.GRADUATE.label)
    }
    by_kind = {}
    for look_at, graduate in graduates.items():
        destination = Destination.objects.filter(graduate=graduate).first()
        by_kind[look_at[:4]] = (graduate, destination)
    none, _ = by_kind["尚未登记"]
    assert not Destination.objects.filter(graduate=none).exists()
    assert none.mentor is not None and none.mentor.email == "mentor@dfcm.example"
    _, returned = by_kind["去向被院"]
    assert returned.status == ReviewStatus.RETURNED and "公章" in returned.return_reason
    _, approved = by_kind["已审批的"]
    assert approved.status == ReviewStatus.APPROVED and approved.employer_name == "东方交响乐团"
    assert approved.code.code == "10" and approved.agreement_no
    _, pending = by_kind["已填报、"]
    assert pending.status == ReviewStatus.DEPARTMENT_REVIEWED
    assert pending.institution.code == JCCM


def test_mentor_and_department_staff_scope(demo):
    mentor = User.objects.get(email="mentor@dfcm.example")
    mentees = Graduate.objects.filter(mentor=mentor)
    assert 5 <= mentees.count() <= 12
    assert set(mentees.values_list("department__name", flat=True)) == {"钢琴系"}
    composition = Membership.objects.get(user__email="composition@dfcm.example")
    assert set(composition.departments.values_list("name", flat=True)) == {"作曲系", "指挥系"}
    for spec in catalogue.DFCM.departments:
        reviewers = Membership.objects.filter(
            institution__code=DFCM, role=Role.DEPARTMENT_STAFF, departments__name=spec.name
        )
        assert reviewers.count() == 1


def test_the_readme_lists_the_demo_logins(demo):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    assert DEMO_PASSWORD in section
    for login in demo:
        assert f"`{login.username}`" in section, login.username


def test_demo_graduates_can_still_report_and_correct(demo):
    """Registration stays open for the demo's 2020 cohort, so the demo logins work today."""
    from qihang.destinations import services

    for login in demo:
        if login.role != str(Role.GRADUATE.label) or login.institution != "东方音乐学院":
            continue
        graduate = Graduate.objects.get(student_no=login.username, institution__code=DFCM)
        current = Destination.objects.filter(graduate=graduate).first()
        if current is not None and current.status == ReviewStatus.APPROVED:
            continue
        actor = build_actor(graduate.user, graduate.institution_id)
        destination = services.destination_submit(
            actor=actor, graduate=graduate, data={"code": "76", "note": "线上钢琴教学"}
        )
        assert destination.status == ReviewStatus.SUBMITTED


def test_graduates_abroad_study_in_real_countries_some_on_the_belt_and_road(demo):
    abroad = Destination.objects.filter(code__code="85")
    countries = Counter(abroad.values_list("employer_country", flat=True))
    assert abroad.exists() and "" not in countries and "CN" not in countries
    assert set(countries) <= {c for *_rest, c in catalogue.ABROAD}
    assert len(countries) >= 5  # Germany, Austria, the UK, the USA, Russia …
    # Records in China say so, and their periods carry the same country.
    assert not Destination.objects.exclude(employer_division="").filter(employer_country="")
    assert not DestinationPeriod.objects.exclude(employer_division="").filter(employer_country="")
    rows = {r["key"]: r for r in totals(DFCM, 2020, dt.date(2020, 7, 15), by="region")["rows"]}
    assert rows["belt_and_road"]["total"] > 0
