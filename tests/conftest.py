import datetime
import os

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from qihang import settings as project_settings
from qihang.demo.clients import signed_in_client
from tests.factories import School, make_employer, make_job, make_school, make_user

# Hypothesis: local runs explore (random examples, failures replayed from .hypothesis/); CI runs
# are deterministic. "ci" draws the same examples every run (derandomize), keeps no database of
# failures between runs (a clone has none, and a stale one must not decide the next run), prints
# the blob that reproduces a failure, and allows for a busy two-core machine: a generous
# deadline, and no health check that depends on how fast data happens to be generated.
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=datetime.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default")
)


def pytest_collection_modifyitems(items):
    """Every transactional test restores the database it found (serialized_rollback). One that
    does not makes its flush re-create the content types under new ids, and the next
    serialized test on the same xdist worker then fails at set-up on a duplicate content type."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: transaction=True needs serialized_rollback=True (tests/conftest.py)"
            )


# The smallest valid PNG (1×1 transparent pixel): evidence files in tests.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow and tests create dozens of personas; the production hasher
    is asserted by tests/accounts/test_login.py::test_passwords_are_hashed_with_argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits count in the cache, and ids repeat between tests: each test starts empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def message_outbox(settings, tmp_path):
    """The SMS and WeChat file backends write here, never into the real data directory."""
    settings.QIHANG_MESSAGE_OUTBOX_DIR = tmp_path / "messages"
    # reporting (issue 9): the local report backend's directory too.
    settings.QIHANG_REPORTING_OUTBOX_DIR = tmp_path / "reporting"
    return settings.QIHANG_MESSAGE_OUTBOX_DIR


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …`: at the end of the block, run what the code registered with
    transaction.on_commit (the outbox's delivery task), as a real commit would. Tests run in
    a transaction that never commits, so without it no message leaves the outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


@pytest.fixture
def school(db, request) -> School:
    return _evidence_rules_relaxed(request, make_school("90001", "东方音乐学院", prefix="a"))


@pytest.fixture
def other_school(db, request) -> School:
    return _evidence_rules_relaxed(request, make_school("90002", "江城音乐学院", prefix="b"))


def _evidence_rules_relaxed(request, school: School) -> School:
    """Tests that approve records without files (most of them: they test other things) run
    with the test schools configured to require no evidence, as a career centre may configure
    a code; tests marked `evidence_rules` keep the national defaults."""
    if not request.node.get_closest_marker("evidence_rules"):
        from qihang.destinations.models import DestinationCode, EvidencePolicy

        codes = DestinationCode.objects.values_list("code", flat=True).distinct()
        EvidencePolicy.objects.update_or_create(
            institution=school.institution, defaults={"required": {c: [] for c in codes}}
        )
    return school


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user; for someone who must confirm
    a TOTP code (accounts.mfa: the career centre, psychological counsellors, platform
    administrators), with a device bound and this session's code confirmed
    (tests/accounts/test_mfa.py signs in without it)."""

    def make(user) -> Client:
        return signed_in_client(user)

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """Evidence and import files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def walk_fixtures(media_root):
    """walk_fixtures(school): the objects route parameters name (tests/institutions/
    test_route_walk.py OBJECT_PARAMETERS), made through the services where there is one."""
    from django.core.files.base import ContentFile

    from qihang.destinations.policy import policy_for
    from qihang.destinations.services import destination_submit
    from qihang.imports.models import ImportJob, ImportKind
    from qihang.institutions.models import Membership
    from qihang.institutions.roles import Role
    from qihang.institutions.scoping import build_actor
    from qihang.institutions.services import cohort_get_or_create
    from qihang.notifications.kinds import Kind
    from qihang.notifications.services import notify

    def make(school: School) -> School:
        graduate = school.graduates[0]
        # The test cohort is 2020; keep its registration open whatever today is.
        policy = policy_for(school.cohort)
        policy.registration_deadline = None
        policy.save(update_fields=["registration_deadline"])
        actor = build_actor(school.graduate_user, school.institution.pk)
        destination = destination_submit(
            actor=actor,
            graduate=graduate,
            data={"code": "76", "note": "自由职业演奏"},
            evidence_files=[("statement", ContentFile(TINY_PNG, name="声明.png"))],
        )
        school.fixtures["destination"] = destination
        school.fixtures["evidence"] = destination.evidence.get()
        school.fixtures["import_job"] = ImportJob.objects.create(
            institution=school.institution,
            kind=ImportKind.DESTINATIONS,
            cohort=school.cohort,
            file="imports/walk.xlsx",
            original_name="walk.xlsx",
            created_by=school.centre,
        )
        school.fixtures["membership"] = Membership.objects.get(
            institution=school.institution, user=school.centre, role=Role.CAREER_CENTRE
        )
        # Both test schools have a 2020 cohort, so a year alone would name an object of the
        # outsider's own school: give each school a cohort year of its own for the walk.
        year = 2010 + int(school.institution.code) % 10
        cohort_get_or_create(institution=school.institution, year=year)
        school.fixtures["cohort_year"] = year
        # An employer working with this school only, its account, and its published job.
        serial = int(school.institution.code)
        employer_user = make_user(f"employer-{serial}")
        employer = make_employer(
            f"走查乐团{serial}", serial=serial, institution=school.institution, user=employer_user
        )
        school.fixtures["employer"] = employer
        school.fixtures["employer_user"] = employer_user
        school.fixtures["posting"] = make_job(employer, school.institution, posted_by=school.centre)
        # A message for each persona, for the inbox's mark-read ids.
        school.fixtures["notifications"] = notify(
            recipients=[school.centre, school.dept_staff, school.graduate_user],
            kind=Kind.DESTINATION_APPROVED,
            subject="走查通知",
            body="走查",
            link="/destinations/mine/",
            institution_id=school.institution.pk,
        )
        # Relationship records with that employer, and an alumnus in each department (graduates
        # of the walk's earlier cohort), made through the employers services.
        from qihang.employers.models import Alumnus, Contact, Interaction
        from qihang.employers.services import alumnus_save, contact_save, interaction_save
        from tests.factories import make_graduate

        centre = build_actor(school.centre, school.institution.pk)
        school.fixtures["contact"] = contact_save(
            actor=centre,
            contact=Contact(institution=school.institution, employer=employer, name="乐团人事"),
        )
        school.fixtures["interaction"] = interaction_save(
            actor=centre,
            interaction=Interaction(
                institution=school.institution,
                employer=employer,
                kind="visit",
                happened_on=datetime.date(2020, 5, 6),
                staff=school.centre,
            ),
        )
        old_cohort = cohort_get_or_create(institution=school.institution, year=year)
        for key, major in (
            ("alumnus", school.majors[0]),
            ("other_department_alumnus", school.majors[1]),
        ):
            old = make_graduate(
                institution=school.institution,
                cohort=old_cohort,
                major=major,
                student_no=f"{school.institution.code}{key[:5]}{major.pk}",
                name="往届校友",
            )
            school.fixtures[key] = alumnus_save(
                actor=centre, alumnus=Alumnus(institution=school.institution, graduate=old)
            )
        # applications: graduates[0] applies to the walk posting; a graduate of the second
        # department has one too (for the other-department walk).
        from django.utils import timezone

        from qihang.applications.models import Application
        from qihang.applications.services import application_submit

        school.fixtures["application"] = application_submit(
            actor=actor, job=school.fixtures["posting"], note="走查申请"
        )
        school.fixtures["other_department_application"] = Application.objects.create(
            institution=school.institution,
            job=school.fixtures["posting"],
            graduate=school.graduates[2],
            employer=employer,
            submitted_at=timezone.now(),
        )
        # resumes (issue 8): graduates[0]'s résumé with a skill and an uploaded recording.
        from qihang.resumes.sections import BY_KEY
        from qihang.resumes.services import resume_media_upload, resume_of, resume_row_add

        resume = resume_of(graduate)
        school.fixtures["resume_row"] = resume_row_add(
            actor=actor, resume=resume, section=BY_KEY["skills"], data={"name": "视奏"}
        )
        school.fixtures["resume_media"] = resume_media_upload(
            actor=actor,
            resume=resume,
            title="走查录音",
            file=ContentFile(b"ID3\x04\x00" + b"\x00" * 64, name="walk.mp3"),
        )
        # events app: a room, the employer's approved info session in it, the graduate's
        # registration, and one of a graduate of the second department.
        from qihang.events.models import Registration, Room
        from qihang.events.services import event_create, new_code, registration_create

        start = datetime.datetime.combine(
            datetime.date.today() + datetime.timedelta(days=30),  # noqa: DTZ011
            datetime.time(14, 0),
            tzinfo=datetime.UTC,
        )
        school.fixtures["room"] = Room.objects.create(
            institution=school.institution, name="走查音乐厅", seats=100
        )
        school.fixtures["event"] = event_create(
            actor=centre,
            data={
                "kind": "info_session",
                "title": "走查宣讲会",
                "starts_at": start,
                "ends_at": start + datetime.timedelta(hours=1),
                "capacity": 50,
            },
            room=school.fixtures["room"],
            employer=employer,
        )
        school.fixtures["registration"] = registration_create(
            actor=build_actor(school.graduate_user, school.institution.pk),
            event=school.fixtures["event"],
            graduate=graduate,
        )
        school.fixtures["other_department_registration"] = Registration.objects.create(
            institution=school.institution,
            event=school.fixtures["event"],
            graduate=school.graduates[2],
            status="seated",
            code=new_code(),
        )
        # appointments: the centre advises; a slot booked by graduates[0] and one by graduates[2]
        # (the other department), through the services.
        from tests.appointments.helpers import walk_appointments

        walk_appointments(school)
        # ventures: a project led by graduates[0], one by graduates[2] (the other department).
        from tests.ventures.helpers import walk_ventures

        walk_ventures(school)
        # guidance: a published course with a recorded lecture, a PDF, attendance and feedback.
        from tests.guidance.helpers import walk_guidance

        walk_guidance(school)
        # verification (issue 9): a round with graduates[0]'s and graduates[2]'s samples.
        from tests.verification.helpers import walk_verification

        walk_verification(school)
        # agreements (issue 9): the walk employer's offers to graduates[0] and graduates[2].
        from tests.agreements.helpers import walk_agreements

        walk_agreements(school)
        # documents (issue 9): an issued document of graduates[0] and one of graduates[2].
        from tests.documents.helpers import walk_documents

        walk_documents(school)
        # reporting (issue 9): a report run and a correction request in each department.
        from tests.reporting.helpers import walk_reporting

        walk_reporting(school)
        # key groups (issue 10): a suggestion for graduates[0] and one for graduates[2].
        from qihang.graduates import keygroups

        for key, graduate in (
            ("key_group", school.graduates[0]),
            ("other_department_key_group", school.graduates[2]),
        ):
            keygroups.suggest(
                institution_id=school.institution.pk,
                at=timezone.now(),
                roster={graduate.pk: {"subsistence": "测试"}},
                profile={},
            )
            school.fixtures[key] = graduate.key_groups.get()
        # wellbeing (issue 10): a psychological counsellor, and graduates[0]'s referral.
        from tests.wellbeing.helpers import walk_wellbeing

        walk_wellbeing(school)
        # key-group assistance (issue 10): files with a plan step in each department.
        from tests.assistance.helpers import walk_assistance

        walk_assistance(school)
        return school

    return make
