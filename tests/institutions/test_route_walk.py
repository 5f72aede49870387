"""Walk every URL pattern as an outsider, as a lower role, as a department officer of another
department and as nobody at all.

New routes are covered without editing this file: each route is found through the resolver, its
object parameters are filled from OBJECT_PARAMETERS, and it must declare what it needs with
`requires(...)` or `public` and which object ids it reads from its POST body or query string
with `scoping.takes_ids(...)`. A route whose parameter is not listed here, or a view without a
declaration, fails the test, so the person adding it decides how it is scoped.

The ids a view declares are sent as another institution's objects (by the career centre of
this one) and as objects of another department (by a department officer); whatever the view
answers, nothing of the other side may change, show up in the answer, or come to be referenced
from this side.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from qihang.accounts.models import User
from qihang.accounts.services import api_token_create
from qihang.audit.models import AuditChainHead, AuditEvent
from qihang.institutions.models import Membership
from qihang.institutions.roles import EMPLOYER_ROLE_PERMISSIONS, ROLE_PERMISSIONS, Role
from qihang.institutions.scoping import ALL, NONE, ObjectId, build_actor, scoped
from tests.factories import School

# URL parameter -> how to find an object of a school that the parameter names.
OBJECT_PARAMETERS: dict[str, Callable[[School], Any]] = {
    "graduate_id": lambda s: s.graduates[0].pk,
    "destination_id": lambda s: s.fixtures["destination"].pk,
    "evidence_id": lambda s: s.fixtures["evidence"].pk,
    "job_id": lambda s: s.fixtures["import_job"].pk,
    "department_id": lambda s: s.departments[0].pk,
    "membership_id": lambda s: s.fixtures["membership"].pk,
    # Both test schools have cohort 2020; walk_fixtures gives each a year of its own.
    "cohort_year": lambda s: s.fixtures.get("cohort_year", s.cohort.year),
    # Employers are global, but each test school has one of its own (walk_fixtures), with a
    # posting there; the other school's are another employer's objects.
    "employer_id": lambda s: s.fixtures["employer"].pk,
    "posting_id": lambda s: s.fixtures["posting"].pk,
    "contact_id": lambda s: s.fixtures["contact"].pk,
    "interaction_id": lambda s: s.fixtures["interaction"].pk,
    "alumnus_id": lambda s: s.fixtures["alumnus"].pk,
    # applications: graduates[0]'s application to the school's walk posting
    "application_id": lambda s: s.fixtures["application"].pk,
    # resumes (issue 8): a row and an uploaded recording of graduates[0]'s résumé.
    "row_id": lambda s: s.fixtures["resume_row"].pk,
    "media_id": lambda s: s.fixtures["resume_media"].pk,
    # events app
    "event_id": lambda s: s.fixtures["event"].pk,
    "room_id": lambda s: s.fixtures["room"].pk,
    "registration_id": lambda s: s.fixtures["registration"].pk,
    # appointments
    "slot_id": lambda s: s.fixtures["slot"].pk,
    "appointment_id": lambda s: s.fixtures["appointment"].pk,
    "project_id": lambda s: s.fixtures["project"].pk,  # ventures
    # guidance
    "course_id": lambda s: s.fixtures["course"].pk,
    "lecture_id": lambda s: s.fixtures["lecture"].pk,
    "material_id": lambda s: s.fixtures["material"].pk,
    # verification (issue 9)
    "round_id": lambda s: s.fixtures["verification_round"].pk,
    "sample_id": lambda s: s.fixtures["verification_sample"].pk,
    "agreement_id": lambda s: s.fixtures["agreement"].pk,  # agreements (issue 9)
    "document_id": lambda s: s.fixtures["document"].pk,  # documents
    "recommendation_id": lambda s: s.fixtures["recommendation"].pk,
    # reporting (issue 9)
    "run_id": lambda s: s.fixtures["report_run"].pk,
    "correction_id": lambda s: s.fixtures["correction"].pk,
    "window_id": lambda s: s.fixtures["check_window"].pk,
    "key_group_id": lambda s: s.fixtures["key_group"].pk,  # key groups (issue 10)
    "referral_id": lambda s: s.fixtures["referral"].pk,  # wellbeing (issue 10)
    "step_id": lambda s: s.fixtures["plan_step"].pk,  # key-group assistance (issue 10)
}

# The same parameters naming an object of the school's second department (声乐歌剧系), for a
# department officer of the first; every object parameter is listed here or in
# NOT_DEPARTMENT_OBJECTS, so whoever adds one decides whether departments narrow it.
OTHER_DEPARTMENT_PARAMETERS: dict[str, Callable[[School], Any]] = {
    "graduate_id": lambda s: s.graduates[2].pk,
    "destination_id": lambda s: s.fixtures["other_department_destination"].pk,
    "evidence_id": lambda s: s.fixtures["other_department_evidence"].pk,
    "department_id": lambda s: s.departments[1].pk,
    "alumnus_id": lambda s: s.fixtures["other_department_alumnus"].pk,
    "application_id": lambda s: s.fixtures["other_department_application"].pk,  # applications
    # events app
    "registration_id": lambda s: s.fixtures["other_department_registration"].pk,
    "appointment_id": lambda s: s.fixtures["other_department_appointment"].pk,  # appointments
    "project_id": lambda s: s.fixtures["other_department_project"].pk,  # ventures
    "sample_id": lambda s: s.fixtures["other_department_verification_sample"].pk,  # verification
    "agreement_id": lambda s: s.fixtures["other_department_agreement"].pk,  # agreements
    "document_id": lambda s: s.fixtures["other_department_document"].pk,  # documents
    "recommendation_id": lambda s: s.fixtures["other_department_recommendation"].pk,
    "correction_id": lambda s: s.fixtures["other_department_correction"].pk,  # reporting
    "key_group_id": lambda s: s.fixtures["other_department_key_group"].pk,  # key groups
    "step_id": lambda s: s.fixtures["other_department_plan_step"].pk,  # assistance
}
NOT_DEPARTMENT_OBJECTS = {
    "referral_id",  # wellbeing: only the psychological counsellor role (whole institution)
    "job_id",
    "membership_id",
    "cohort_year",
    "employer_id",
    "posting_id",
    # Relationship records are every staff member's with EMPLOYER_VIEW.
    "contact_id",
    "interaction_id",
    # resumes (issue 8): reached only with the graduate's own account or through graduate_id.
    "row_id",
    "media_id",
    # events app: events and rooms are the whole institution's.
    "event_id",
    "room_id",
    "slot_id",  # appointments: an adviser's slot is the whole institution's to book
    # guidance: every member of staff reads every course; managing one is the service's check.
    "course_id",
    "lecture_id",
    "material_id",
    "round_id",  # verification: rounds are the institution's; their samples are narrowed
    "run_id",  # reporting: report runs are the career centre's
    "window_id",  # reporting: a check window is the whole cohort's
}

# Parameters that are not objects of a tenant (formats, tokens): a fixed, valid value.
PLAIN_PARAMETERS: dict[str, str] = {
    "uidb64": "MQ",
    "token": "set-password",
    "fmt": "xlsx",
    "path": "x",
    # Guard rules are platform-wide reference data (GUARD_MANAGE only, no institution role).
    "rule_id": "1",
    # resumes (issue 8): a résumé section (resumes.sections.SECTIONS); row_id is a skill.
    "section": "skills",
    "park_id": "1",  # ventures: the parks directory is platform-wide reference data
}

API_PREFIX = "api/"

EMPLOYER_PERMISSIONS = frozenset().union(*EMPLOYER_ROLE_PERMISSIONS.values())


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        else:
            yield pattern, entry


def routes() -> list[tuple[str, URLPattern]]:
    return [(p, e) for p, e in walk(get_resolver()) if not p.startswith(API_PREFIX)]


def build(pattern: str, school: School) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name in OBJECT_PARAMETERS:
            return str(OBJECT_PARAMETERS[name](school))
        if name in PLAIN_PARAMETERS:
            return PLAIN_PARAMETERS[name]
        raise AssertionError(f"{pattern}: add parameter {name!r} to OBJECT_PARAMETERS")

    return "/" + PARAMETER.sub(fill, pattern)


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def has_object_parameter(pattern: str) -> bool:
    return any(m.group(2) in OBJECT_PARAMETERS for m in PARAMETER.finditer(pattern))


def view_of(entry: URLPattern) -> Any:
    return entry.callback


def holder_of(entry: URLPattern, school: School) -> User:
    """Who of `school` holds the route's permission: the career centre (the strongest role),
    or for routes of graduates and of employer accounts, the school's graduate or employer
    account (the centre holds neither's permissions)."""
    permission = getattr(view_of(entry), "required_permission", None)
    if permission in EMPLOYER_PERMISSIONS:
        return school.fixtures["employer_user"]
    if permission is not None and permission not in ROLE_PERMISSIONS[Role.CAREER_CENTRE]:
        if permission in ROLE_PERMISSIONS[Role.GRADUATE]:
            return school.graduate_user
        if permission in ROLE_PERMISSIONS[Role.PSYCH_COUNSELLOR]:
            return school.fixtures["psych_user"]
    return school.centre


def request(client, url: str) -> int:
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response.status_code


@pytest.fixture
def world(school, other_school, walk_fixtures):
    walk_fixtures(school)
    walk_fixtures(other_school)
    return school, other_school


def test_every_route_declares_access():
    undeclared = [
        p
        for p, e in routes()
        if not hasattr(view_of(e), "required_permission")
        and not getattr(view_of(e), "is_public", False)
    ]
    assert not undeclared, f"views without requires(...) or public: {undeclared}"


@pytest.mark.django_db
def test_outsider_gets_404_for_objects_of_another_institution(world, client_for):
    mine, theirs = world
    checked = []
    for pattern, entry in routes():
        if not has_object_parameter(pattern):
            continue
        # The strongest role, in the wrong institution (or this school's graduate or employer
        # account for their own routes).
        url = build(pattern, theirs)
        status = request(client_for(holder_of(entry, mine)), url)
        assert status == 404, f"{url} ({pattern}) answered {status} to another institution"
        checked.append(url)
    assert checked, "no route with an object parameter was walked"


@pytest.mark.django_db
def test_lower_roles_get_403(world, client_for):
    mine, _theirs = world
    personas = {
        Role.GRADUATE: mine.graduate_user,
        Role.TEACHER: mine.teacher,
        Role.LEADERSHIP: mine.leader,
        Role.DEPARTMENT_STAFF: mine.dept_staff,
    }
    checked = 0
    for pattern, entry in routes():
        permission = getattr(view_of(entry), "required_permission", None)
        if permission is None:
            continue
        for role, user in personas.items():
            if permission in ROLE_PERMISSIONS[role]:
                continue
            url = build(pattern, mine)
            status = request(client_for(user), url)
            assert status == 403, f"{url} as {role} answered {status}, expected 403"
            checked += 1
    assert checked > 0


@pytest.mark.django_db
def test_employer_accounts_get_403_on_staff_routes(world, client_for):
    mine, _theirs = world
    client = client_for(mine.fixtures["employer_user"])
    checked = 0
    for pattern, entry in routes():
        permission = getattr(view_of(entry), "required_permission", None)
        if permission is None or permission in EMPLOYER_PERMISSIONS:
            continue
        url = build(pattern, mine)
        status = request(client, url)
        assert status == 403, f"{url} as an employer answered {status}, expected 403"
        checked += 1
    assert checked > 0


@pytest.mark.django_db
def test_employers_get_404_for_another_employers_objects(world, client_for):
    mine, theirs = world
    client = client_for(mine.fixtures["employer_user"])
    for pattern, entry in routes():
        permission = getattr(view_of(entry), "required_permission", None)
        if permission not in EMPLOYER_PERMISSIONS or not has_object_parameter(pattern):
            continue
        url = build(pattern, theirs)
        status = request(client, url)
        assert status == 404, f"{url} ({pattern}) answered {status} to another employer"


@pytest.fixture
def shared_world(world):
    """The two schools paired; the other school shares its employer and posting with mine."""
    import datetime as dt

    from qihang.institutions.models import Pairing
    from qihang.institutions.services import share_create

    mine, theirs = world
    first, second = sorted([mine.institution, theirs.institution], key=lambda i: i.pk)
    Pairing.objects.create(first=first, second=second, starts_on=dt.date(2020, 1, 1))
    sharer = build_actor(theirs.centre, theirs.institution.pk)
    for name in ("employer", "posting"):
        share_create(actor=sharer, obj=theirs.fixtures[name], partner_id=mine.institution.pk)
    return mine, theirs


@pytest.mark.django_db
def test_a_partner_changes_nothing_it_was_shared(shared_world, client_for):
    """Shared objects are the partner's to read, never to edit, review, close or share on."""
    mine, theirs = shared_world
    shared = [theirs.fixtures["employer"], theirs.fixtures["posting"]]

    def state() -> Any:
        rows = [snapshot(type(o)._default_manager.filter(pk=o.pk)) for o in shared]
        return rows, institution_state(theirs)

    before = state()
    client = client_for(mine.centre)
    for pattern, _entry in routes():
        if not ({"employer_id", "posting_id"} & {m.group(2) for m in PARAMETER.finditer(pattern)}):
            continue
        url = build(pattern, theirs)
        client.get(url)
        client.post(url, plain_body(theirs))
    assert state() == before


# --- Declarations -------------------------------------------------------------------------------
def is_public(entry: URLPattern) -> bool:
    return getattr(view_of(entry), "is_public", False)


def declared_ids(entry: URLPattern) -> dict[str, ObjectId] | None:
    return getattr(view_of(entry), "object_ids", None)


def allowed_methods(view: Any) -> set[str] | None:
    """The methods a view is limited to by Django's require_http_methods (None: any)."""
    func = view
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            return set(cell.cell_contents)
        func = getattr(func, "__wrapped__", None)
    return None


def test_every_view_declares_the_ids_it_reads():
    undeclared = [p for p, e in routes() if not is_public(e) and declared_ids(e) is None]
    assert undeclared == [], f"views without scoping.takes_ids(...): {undeclared}"


def test_declared_ids_name_real_models_and_fields():
    for pattern, entry in routes():
        for name, decl in (declared_ids(entry) or {}).items():
            assert isinstance(decl, ObjectId), f"{pattern}: {name}"
            model = apps.get_model(decl.model)  # raises if the declaration is wrong
            if decl.field != "pk":
                model._meta.get_field(decl.field)


@pytest.mark.django_db
def test_views_that_are_not_public_send_nobody_to_sign_in(world):
    mine, _theirs = world
    checked = 0
    for pattern, entry in routes():
        if is_public(entry):
            continue
        url = build(pattern, mine)
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            location = response.get("Location", "")
            assert (response.status_code, location.partition("?")[0]) == (
                302,
                "/accounts/login/",
            ), f"{method.upper()} {url} answered {response.status_code} to nobody"
            checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_post_only_views_answer_get_with_405(world, client_for):
    mine, _theirs = world
    post_only = [(p, e) for p, e in routes() if allowed_methods(view_of(e)) == {"POST"}]
    assert len(post_only) > 5
    for pattern, entry in post_only:
        url = build(pattern, mine)
        assert client_for(holder_of(entry, mine)).get(url).status_code == 405, f"GET {url}"


# --- What the other side owns, and whether it moved ---------------------------------------------
def our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("qihang.")]


def has_institution(model: type[models.Model]) -> bool:
    return any(f.name == "institution" for f in model._meta.concrete_fields)


def department_path(model: type[models.Model]) -> str | None:
    scope = getattr(model, "scope", None)
    path = getattr(scope, "department", NONE)
    return None if path in (ALL, NONE) else path


def snapshot(qs: models.QuerySet) -> list[tuple]:
    return list(qs.order_by("pk").values_list())


# Audit rows one institution's action writes into another's log, so that each institution an
# account belongs to sees what others did with it.
NOTICES = ("membership.invited_elsewhere", "membership.granted_elsewhere")


def institution_state(school: School) -> dict[str, Any]:
    """Every row the school owns, and the accounts it holds (global fields included)."""
    state: dict[str, Any] = {}
    for model in our_models():
        if model is AuditEvent:
            # Notices of an invitation are written here on purpose (NOTICES).
            state["audit"] = snapshot(
                AuditEvent.objects.filter(institution=school.institution).exclude(
                    action__in=NOTICES
                )
            )
        elif model is AuditChainHead:
            continue  # follows the log: a notice written here (NOTICES) advances it
        elif has_institution(model):
            state[model._meta.label] = snapshot(
                model._default_manager.filter(institution=school.institution)
            )
    people = User.objects.filter(memberships__institution=school.institution).distinct()
    state["people"] = snapshot(User.objects.filter(pk__in=people.values("pk")))
    # What their people agreed to anywhere: an invitation elsewhere is not membership.
    state["memberships of their people"] = snapshot(
        Membership.objects.filter(user__in=people.values("pk"), invitation="")
    )
    state["departments of memberships"] = list(
        Membership.departments.through.objects.filter(
            membership__institution=school.institution
        ).values_list("membership_id", "department_id")
    )
    return state


def department_state(school: School, department: Any) -> dict[str, Any]:
    """Every row that belongs to one department of the school."""
    return {
        model._meta.label: snapshot(
            model._default_manager.filter(
                institution=school.institution, **{department_path(model): department.pk}
            )
        )
        for model in our_models()
        if has_institution(model) and department_path(model)
    }


def foreign_references(school: School) -> list[str]:
    """Rows of `school` that point at another institution's row, or at an account with no
    membership of any kind at `school` nor of an employer working with it (audit rows name
    actors of other institutions on purpose and are left out)."""
    from qihang.employers.models import EmployerMember

    found = []
    # The school's people, and the accounts of employers working with it (a standing here):
    # an application's messages go to the employer's accounts.
    members = (
        Membership.objects.filter(institution=school.institution)
        .values("user_id")
        .union(
            EmployerMember.objects.filter(
                employer__standings__institution=school.institution
            ).values("user_id")
        )
    )
    for model in our_models():
        if not has_institution(model) or model._meta.app_label == "audit":
            continue
        rows = model._default_manager.filter(institution=school.institution)
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.name == "institution":
                continue
            target = field.related_model
            if target is User:
                bad = rows.filter(**{f"{field.name}__isnull": False}).exclude(
                    **{f"{field.name}__in": members}
                )
                if model is Membership and field.name == "invited_by":
                    bad = bad.none()
            elif has_institution(target):
                bad = rows.exclude(**{f"{field.name}__institution": school.institution}).filter(
                    **{f"{field.name}__isnull": False}
                )
            else:
                continue
            if bad.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def traces(school: School, graduates: list[Any], users: list[User]) -> list[str]:
    """Strings that would only appear in an answer that shows these people."""
    return [g.student_no for g in graduates] + [u.display_name for u in users if u.display_name]


# --- The values a walk sends --------------------------------------------------------------------
def rows_of(decl: ObjectId, school: School, *, unlike: School | None = None) -> list[Any]:
    """The objects a declaration names in `school` (for a field other than pk, only those whose
    value does not also name an object of `unlike`: both test schools have a cohort 2020)."""
    model = apps.get_model(decl.model)
    if model is User:
        rows = list(
            User.objects.filter(memberships__institution=school.institution)
            .distinct()
            .order_by("pk")
        )
        if unlike is not None:
            theirs = set(
                Membership.objects.filter(institution=unlike.institution).values_list(
                    "user_id", flat=True
                )
            )
            rows = [u for u in rows if u.pk not in theirs]
        return rows
    if not has_institution(model):
        return [school.institution] if model is type(school.institution) else []
    rows = list(model._default_manager.filter(institution=school.institution).order_by("pk"))
    if unlike is not None and decl.field != "pk":
        taken = set(
            model._default_manager.filter(institution=unlike.institution).values_list(
                decl.field, flat=True
            )
        )
        rows = [r for r in rows if getattr(r, decl.field) not in taken]
    return rows


def value_of(decl: ObjectId, obj: Any) -> str:
    return decl.fmt.format(value=getattr(obj, decl.field), obj=obj)


def own_value(decl: ObjectId, user: User, school: School) -> str | None:
    """A value of the actor's own that the view accepts, sent beside the one being tried, so
    that a view needing several ids gets as far as using the foreign one."""
    model = apps.get_model(decl.model)
    if model is User:
        teacher = school.teacher  # the one kind of person views take by id (mentors)
        return value_of(decl, teacher)
    if not has_institution(model):
        return value_of(decl, school.institution)
    actor = build_actor(user, school.institution.pk)
    try:
        obj = scoped(model, actor).order_by("pk").first()
    except TypeError:  # a model without `scope`
        obj = model._default_manager.filter(institution=school.institution).order_by("pk").first()
    return None if obj is None else value_of(decl, obj)


def plain_body(theirs: School) -> dict[str, str]:
    """Fields views need besides ids. The e-mail is a person of the other institution: adding
    them must not touch their account either."""
    return {
        "email": theirs.centre.email,
        "display_name": "走查",
        "name": "走查",
        "roles": Role.TEACHER,
        "title": "走查",
        "reason": "走查核对",
        "field": "id_number",
        "answer": "accept",
        "code": "76",
        "note": "走查",
    }


@pytest.fixture
def people(world):
    """Names and addresses no other persona shares, so an answer that shows a person of the
    other side (or another department) is recognisable."""
    for school, tag in zip(world, ("东方", "江城"), strict=True):
        for role in ("centre", "dept_staff", "teacher", "leader", "graduate_user"):
            user = getattr(school, role)
            user.display_name = f"{tag}{role}人"
            user.email = f"{role}@{school.institution.code}.example"
            user.save(update_fields=["display_name", "email"])
        # Something for token revocation to name.
        api_token_create(actor=build_actor(school.centre, school.institution.pk), name="走查")
    return world


def attempts(entry: URLPattern, decl_rows: Callable[[ObjectId], list[Any]], own: Callable):
    """(parameter, method, data) for every declared id of a view, each tried with every object
    `decl_rows` names, the view's other ids being the actor's own."""
    declared = declared_ids(entry) or {}
    methods = allowed_methods(view_of(entry)) or {"GET", "POST"}
    for name, decl in declared.items():
        companions = {
            other: own(d) for other, d in declared.items() if other != name and own(d) is not None
        }
        for obj in decl_rows(decl):
            for method in sorted(methods & {"GET", "POST"}):
                yield name, method, {**companions, name: value_of(decl, obj)}


def send(client: Client, method: str, url: str, data: dict[str, str]):
    return client.get(url, data) if method == "GET" else client.post(url, data)


@pytest.mark.django_db
def test_ids_of_another_institution_in_bodies_and_query_strings_change_and_show_nothing(
    people, client_for
):
    mine, theirs = people
    client = client_for(mine.centre)
    extra = plain_body(theirs)
    their_people = list(User.objects.filter(memberships__institution=theirs.institution).distinct())
    marks = traces(theirs, theirs.graduates, their_people)
    addresses = {u.email for u in their_people}
    before = institution_state(theirs)
    tried = 0
    for pattern, entry in routes():
        if is_public(entry):
            continue
        url = build(pattern, mine)
        views_attempts = list(
            attempts(
                entry,
                lambda d: rows_of(d, theirs, unlike=mine),
                lambda d: own_value(d, mine.centre, mine),
            )
        )
        # Once with no ids at all: the plain fields alone (an e-mail of theirs) must not reach
        # their accounts either.
        views_attempts.append(("-", "POST", {}))
        for name, method, data in views_attempts:
            mail.outbox.clear()
            response = send(client, method, url, {**extra, **data})
            where = f"{method} {url} {name}={data.get(name)!r} answered {response.status_code}"
            assert institution_state(theirs) == before, f"{where}: their data changed"
            assert foreign_references(mine) == [], f"{where}: our rows point at theirs"
            body = "" if response.streaming else response.content.decode(errors="replace")
            # Messages shown on the page a redirect leads to count as shown.
            body += " ".join(str(m) for m in get_messages(response.wsgi_request))
            shown = [m for m in marks if m in body]
            assert shown == [], f"{where}: shows {shown}"
            links = [
                m.to
                for m in mail.outbox
                if set(m.to) & addresses and "/accounts/invitation/" in m.body
            ]
            assert links == [], f"{where}: sent a set-password link to their people"
            tried += 1
    assert tried > 40


@pytest.mark.django_db
def test_a_department_officer_cannot_reach_another_department_through_ids(people, client_for):
    mine, _theirs = people
    officer = mine.dept_staff  # 钢琴系 only
    other_department = mine.departments[1]
    client = client_for(officer)
    outside = [g for g in mine.graduates if g.department_id == other_department.pk]
    marks = [g.student_no for g in outside]
    before = department_state(mine, other_department)
    tried = 0

    def rows_in_other_department(decl: ObjectId) -> list[Any]:
        model = apps.get_model(decl.model)
        path = department_path(model) if has_institution(model) else None
        if path is None:
            return []
        return list(
            model._default_manager.filter(
                institution=mine.institution, **{path: other_department.pk}
            ).order_by("pk")
        )

    for pattern, entry in routes():
        if is_public(entry):
            continue
        permission = getattr(view_of(entry), "required_permission", None)
        if permission is not None and permission not in ROLE_PERMISSIONS[Role.DEPARTMENT_STAFF]:
            continue  # 403 before any id is read (test_lower_roles_get_403)
        url = build(pattern, mine)
        for name, method, data in attempts(
            entry, rows_in_other_department, lambda d: own_value(d, officer, mine)
        ):
            response = send(client, method, url, data)
            where = f"{method} {url} {name}={data.get(name)!r} answered {response.status_code}"
            assert department_state(mine, other_department) == before, f"{where}: changed it"
            body = "" if response.streaming else response.content.decode(errors="replace")
            body += " ".join(str(m) for m in get_messages(response.wsgi_request))
            shown = [m for m in marks if m in body]
            assert shown == [], f"{where}: shows {shown}"
            tried += 1
    assert tried > 5


@pytest.mark.django_db
def test_get_never_writes(people, client_for):
    """A GET changes nothing but the audit log (exports and reads are recorded): a POST-only
    action reachable by GET could be triggered by a link or an image on any page."""
    mine, _theirs = people

    def everything() -> dict[str, Any]:
        return {
            m._meta.label: snapshot(m._default_manager.all())
            for m in our_models()
            if m._meta.app_label != "audit"
        }

    client = client_for(mine.centre)
    before = everything()
    for pattern, _entry in routes():
        url = build(pattern, mine)
        status = client.get(url).status_code
        assert everything() == before, f"GET {url} ({status}) wrote to the database"


def test_every_object_parameter_says_whether_departments_narrow_it():
    decided = set(OTHER_DEPARTMENT_PARAMETERS) | NOT_DEPARTMENT_OBJECTS
    assert sorted(set(OBJECT_PARAMETERS) - decided) == []


@pytest.fixture
def other_department(world):
    """A record with evidence in the school's second department, which its first department's
    officer must not reach."""
    from django.core.files.base import ContentFile

    from qihang.destinations.services import destination_record
    from tests.conftest import TINY_PNG

    mine, _theirs = world
    destination = destination_record(
        actor=build_actor(mine.centre, mine.institution.pk),
        graduate=mine.graduates[2],
        data={"code": "76", "note": "自由职业演奏"},
        evidence_files=[("statement", ContentFile(TINY_PNG, name="声明.png"))],
    )
    mine.fixtures["other_department_destination"] = destination
    mine.fixtures["other_department_evidence"] = destination.evidence.get()
    return world


@pytest.mark.django_db
def test_a_department_officer_gets_404_for_objects_of_another_department(
    other_department, client_for
):
    mine, _theirs = other_department
    client = client_for(mine.dept_staff)  # 钢琴系 only
    checked = []
    for pattern, entry in routes():
        names = [m.group(2) for m in PARAMETER.finditer(pattern)]
        if not any(n in OTHER_DEPARTMENT_PARAMETERS for n in names):
            continue
        permission = getattr(view_of(entry), "required_permission", None)
        expected = (
            403
            if permission is not None and permission not in ROLE_PERMISSIONS[Role.DEPARTMENT_STAFF]
            else 404
        )

        def fill(match: re.Match[str]) -> str:
            name = match.group(2)
            if name in OTHER_DEPARTMENT_PARAMETERS:
                return str(OTHER_DEPARTMENT_PARAMETERS[name](mine))
            return str(OBJECT_PARAMETERS.get(name, lambda s: PLAIN_PARAMETERS[name])(mine))

        url = "/" + PARAMETER.sub(fill, pattern)
        status = request(client, url)
        assert status == expected, f"{url} ({pattern}) answered {status}, expected {expected}"
        checked.append(url)
    assert len(checked) > 5
