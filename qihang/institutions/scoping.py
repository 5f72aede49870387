"""The one mechanism that scopes every query and object lookup to what an actor may see.

Views and selectors never filter by institution themselves: they call `scoped()` or
`get_scoped_or_404()`, which apply the institution filter and the row rules the model declares
in its `scope` attribute. An object the actor may not see behaves exactly like a missing one
(404); an action the actor's roles do not allow is refused with 403 by `requires()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Final

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from qihang.institutions.roles import (
    EMPLOYER_ROLE_PERMISSIONS,
    PLATFORM_ADMIN_PERMISSIONS,
    ROLE_PERMISSIONS,
    WHOLE_INSTITUTION_ROLES,
    Perm,
    Role,
)

ALL: Final = "__all__"  # the role sees every row of the institution
NONE: Final = "__none__"  # the role sees no row


@dataclass(frozen=True)
class Scope:
    """Row rules for the narrow roles; whole-institution roles always see every row.

    `department`, `mentor` and `own` are ALL, NONE, or a lookup path from the model to: a
    Department (department staff), the mentor User (teacher) and the graduate's own User
    (graduate). `employer` is the path to the employers.Employer an employer actor acts for
    (NONE: employers see no row); employer actors are not bound to one institution, so for them
    only this rule applies.

    `tenant` is the path to the owning institution: "institution" for tenant tables, or a path
    through a relation for global rows an institution holds (an employer is the institution's
    once it has a standing there). `shared` rows also belong to every institution they are
    shared with through institutions.Share (revocable; the partner's row rules apply as if the
    row were its own). `shared_as` names the model whose shares count (a label such as
    "jobs.job") for a row that mirrors another model's under the same primary key, such as a
    job's search index row; by default the model's own.
    """

    department: str = NONE
    mentor: str = NONE
    own: str = NONE
    employer: str = NONE
    tenant: str | tuple[str, ...] = "institution"
    shared: bool = False
    shared_as: str = ""


@dataclass(frozen=True)
class Actor:
    """Who acts, and where: a member of one institution (`institution_id`), or an employer
    account acting for one organisation (`employer_id`, across institutions; then
    `institution_id` is None and only employer permissions are held)."""

    user_id: int
    institution_id: int | None
    roles: frozenset[str]
    department_ids: frozenset[int] = frozenset()
    is_platform_admin: bool = False
    perms: frozenset[str] = field(default=frozenset())
    employer_id: int | None = None

    def has(self, perm: Perm | str) -> bool:
        return perm in self.perms

    def require(self, perm: Perm | str) -> None:
        if perm not in self.perms:
            raise PermissionDenied(perm)

    @property
    def sees_whole_institution(self) -> bool:
        if self.employer_id is not None:
            return False
        return self.is_platform_admin or bool(self.roles & WHOLE_INSTITUTION_ROLES)

    @property
    def is_graduate_only(self) -> bool:
        return self.roles == {Role.GRADUATE} and not self.is_platform_admin

    @property
    def is_employer(self) -> bool:
        return self.employer_id is not None


def _employer_actor(user: Any, employer_id: int | None) -> Actor | None:
    """The actor of an employer account for `employer_id` (or its first organisation)."""
    from django.apps import apps

    member_model = apps.get_model("employers", "EmployerMember")
    members = member_model.objects.filter(user=user, is_active=True).order_by("employer_id", "id")
    if employer_id is not None:
        members = members.filter(employer_id=employer_id)
    member = members.first()
    if member is None:
        return None
    return Actor(
        user_id=user.pk,
        institution_id=None,
        roles=frozenset(),
        perms=frozenset(EMPLOYER_ROLE_PERMISSIONS[member.role]),
        employer_id=member.employer_id,
    )


def system_actor(institution_id: int) -> Actor:
    """The institution's whole-institution reader for commands and tasks (statistics,
    reminders): the career centre's role and permissions, no person (user_id 0)."""
    return Actor(
        user_id=0,
        institution_id=institution_id,
        roles=frozenset({Role.CAREER_CENTRE}),
        perms=frozenset(ROLE_PERMISSIONS[Role.CAREER_CENTRE]),
    )


def build_actor(
    user: Any, institution_id: int | None, *, employer_id: int | None = None
) -> Actor | None:
    """Actor for `user` acting in `institution_id` (or their first institution), or for the
    employer `employer_id` when given (an account that is only an employer's acts for its first
    organisation)."""
    from qihang.institutions.models import Membership

    if not user.is_authenticated or not user.is_active:
        return None
    if employer_id is not None:
        return _employer_actor(user, employer_id)
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .order_by("institution_id", "id")
        .prefetch_related("departments")
    )
    if institution_id is None and memberships:
        institution_id = memberships[0].institution_id
    if institution_id is None and not user.is_platform_admin:
        return _employer_actor(user, None)
    if institution_id is None:
        if user.is_platform_admin:
            from qihang.institutions.models import Institution

            institution_id = Institution.objects.order_by("id").values_list("id", flat=True).first()
        if institution_id is None:
            return None
    mine = [m for m in memberships if m.institution_id == institution_id]
    if not mine and not user.is_platform_admin:
        return None
    roles = frozenset(m.role for m in mine)
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS[role]
    if user.is_platform_admin:
        perms |= PLATFORM_ADMIN_PERMISSIONS
    departments = frozenset(
        d.id for m in mine if m.role == Role.DEPARTMENT_STAFF for d in m.departments.all()
    )
    return Actor(
        user_id=user.pk,
        institution_id=institution_id,
        roles=roles,
        department_ids=departments,
        is_platform_admin=user.is_platform_admin,
        perms=frozenset(perms),
    )


def _scope_of(model: type[models.Model]) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} has no `scope`: it cannot be read through scoping")
    return scope


def _rule(path: str, value: Any) -> models.Q:
    if path == ALL:
        # Not Q(): an empty Q disappears when OR-ed (Q(pk__in=[]) | Q() == Q(pk__in=[])).
        return models.Q(pk__isnull=False)
    if path == NONE:
        return models.Q(pk__in=[])
    return models.Q(**{path: value})


def _tenant_rule(
    model: type[models.Model], scope: Scope, institution_id: int, *, include_shared: bool = True
) -> models.Q:
    """Rows the institution holds: its own (or reached through `scope.tenant`) and, for
    shared models, those another institution shares with it now."""
    paths = (scope.tenant,) if isinstance(scope.tenant, str) else scope.tenant
    q = models.Q(pk__in=[])
    for path in paths:
        if "__" not in path:
            q |= models.Q(**{f"{path}_id": institution_id})
        else:
            # Through a to-many relation: a subquery, so that no row comes back twice.
            holders = model._default_manager.filter(**{path: institution_id})
            q |= models.Q(pk__in=holders.values("pk"))
    if scope.shared and include_shared:
        from django.apps import apps

        shares = (
            apps.get_model("institutions", "Share")
            .objects.active()
            .filter(partner_id=institution_id, kind=scope.shared_as or model._meta.label_lower)
        )
        q |= models.Q(pk__in=shares.values("object_id"))
    return q


def visibility(model: type[models.Model], actor: Actor, *, include_shared: bool = True) -> models.Q:
    """The filter that limits `model` to rows `actor` may see (without `include_shared`: only
    the rows its institution holds itself, not those a partner shares with it)."""
    scope = _scope_of(model)
    if actor.employer_id is not None:
        # An employer sees its own organisation's rows, at whichever institution they are.
        if scope.employer == NONE:
            return models.Q(pk__in=[])
        return models.Q(**{scope.employer: actor.employer_id})
    assert actor.institution_id is not None
    q = _tenant_rule(model, scope, actor.institution_id, include_shared=include_shared)
    if actor.sees_whole_institution:
        return q
    allowed = models.Q(pk__in=[])
    if Role.DEPARTMENT_STAFF in actor.roles:
        path = scope.department
        if path in (ALL, NONE):
            allowed |= _rule(path, None)
        else:
            allowed |= models.Q(**{f"{path}__in": sorted(actor.department_ids)})
    if Role.TEACHER in actor.roles:
        allowed |= _rule(scope.mentor, actor.user_id)
    if Role.GRADUATE in actor.roles:
        allowed |= _rule(scope.own, actor.user_id)
    return q & allowed


def scoped[M: models.Model](
    model_or_qs: type[M] | models.QuerySet[M], actor: Actor
) -> models.QuerySet[M]:
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return qs.filter(visibility(qs.model, actor))


def get_scoped_or_404[M: models.Model](
    model_or_qs: type[M] | models.QuerySet[M], actor: Actor, **lookup: Any
) -> M:
    try:
        return scoped(model_or_qs, actor).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


def owned[M: models.Model](
    model_or_qs: type[M] | models.QuerySet[M], actor: Actor
) -> models.QuerySet[M]:
    """Like `scoped`, without the rows other institutions share with the actor's: what its
    writes may touch. A partner reads a shared job; only the institution holding it edits,
    reviews, closes or shares it on."""
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return qs.filter(visibility(qs.model, actor, include_shared=False))


def get_owned_or_404[M: models.Model](
    model_or_qs: type[M] | models.QuerySet[M], actor: Actor, **lookup: Any
) -> M:
    """The object for a write: 404 unless the actor's institution holds it itself."""
    try:
        return owned(model_or_qs, actor).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


SESSION_INSTITUTION_KEY = "qihang_institution_id"
# Set when the person acts for an employer organisation (an account may be both a teacher
# somewhere and a recruiter); the institution key is then ignored.
SESSION_EMPLOYER_KEY = "qihang_employer_id"


def actor_of(request: HttpRequest) -> Actor | None:
    """The request's actor, built once per request and kept on it as `request.actor`."""
    if not hasattr(request, "actor"):
        request.actor = build_actor(  # type: ignore[attr-defined]
            request.user,
            request.session.get(SESSION_INSTITUTION_KEY),
            employer_id=request.session.get(SESSION_EMPLOYER_KEY),
        )
    return request.actor  # type: ignore[attr-defined]


def requires(perm: Perm | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view: sign-in required, an actor in some institution, and `perm` (403).

    `requires(None)` only asks for a signed-in actor. The permission is kept on the view so
    the route-walking test knows what each route demands.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_of(request)
            if actor is None:
                raise PermissionDenied("no membership")
            if actor.is_employer and (perm is None or not actor.has(perm)):
                # Employer accounts reach only views that name an employer permission.
                raise PermissionDenied("staff only")
            if perm is not None:
                actor.require(perm)
            return view(request, *args, **kwargs)

        wrapper.required_permission = perm  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as reachable without signing in (login, invitation, static pages)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in required, but no actor in the current institution (switching, platform pages,
    one's own invitations). Like `requires(None)` for the route walk; such views check the
    person themselves."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.required_permission = None  # type: ignore[attr-defined]
    return wrapper


# --- Object ids a view reads from its POST body or query string ----------------------------------
@dataclass(frozen=True)
class ObjectId:
    """What one request parameter names: a row of `model` ("app_label.Model") by `field`.

    `fmt` says how a value is written, from the row `obj` and its `value` ("{value}" by
    default; bulk approval sends "{obj.pk}:{obj.version}").
    """

    model: str
    field: str = "pk"
    fmt: str = "{value}"


def takes_ids(**parameters: ObjectId) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the object ids a view reads from request.POST or request.GET.

    `tests/institutions/test_route_walk.py` reads the declaration and sends each parameter as
    another institution's and another department's object; a view without a declaration (use
    `@takes_ids()` for none) fails the walk, so whoever adds a view says what it accepts.
    Any position among the decorators works: `requires` and Django's decorators keep it
    (functools.wraps copies the attribute).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        view.object_ids = dict(parameters)  # type: ignore[attr-defined]
        return view

    return decorator
