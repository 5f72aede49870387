"""Multi-factor authentication: a TOTP code (django-otp) after the password, for the people who
can unmask sensitive data or read wellbeing data.

`mfa_required` is the one rule. The middleware (accounts.middleware.MfaMiddleware) applies it on
every request: a person it names reaches no page until this session has confirmed a code
(`django_otp.login`, read back by `request.user.is_verified()`). Codes are checked here: at most
FAILURES_ALLOWED wrong codes per person per FAILURE_WINDOW_SECONDS (then refused outright), each
success and failure in the audit log, and never the same code twice (the device keeps the time
step of its last accepted code, `last_t`, and accepts only later ones).
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.institutions.models import Membership
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.lib.ratelimit import hits, over_limit

log = logging.getLogger(__name__)

# Whoever holds one of these acts on data that a stolen password must not open.
MFA_PERMISSIONS = frozenset(
    {Perm.SENSITIVE_REVEAL, Perm.ROSTER_EXPORT_UNMASKED, Perm.WELLBEING_CASES}
)
FAILURES_ALLOWED = 5
FAILURE_WINDOW_SECONDS = 15 * 60
DEVICE_NAME = "TOTP"


def mfa_required(actor: Actor | None, user: Any = None) -> bool:
    """Whether this actor must confirm a TOTP code after the password: a platform administrator,
    or anyone whose roles here may unmask 身份证号/手机号码 or read wellbeing cases. Graduates and
    employer accounts are not asked. `user` covers a platform administrator who has no actor
    yet (no institution exists)."""
    if user is not None and getattr(user, "is_platform_admin", False):
        return True
    if actor is None or actor.is_employer:
        return False
    return actor.is_platform_admin or bool(actor.perms & MFA_PERMISSIONS)


class MfaRefused(Exception):
    """A code was not accepted; the message says why, in words for the person."""


# --- Reads ------------------------------------------------------------------------------------
def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The device being bound (not yet confirmed by a code), made on first use: its secret
    stays the same while the person reloads the page or mistypes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The provisioning URI (otpauth://…) as an inline SVG QR code, drawn server-side."""
    # segno writes only the modules, no text of the URI: safe to inline.
    return mark_safe(  # noqa: S308
        segno.make_qr(device.config_url, error="m").svg_inline(scale=5, title=_("绑定二维码"))
    )


def failures_left(user: Any) -> int:
    return max(0, FAILURES_ALLOWED - hits(_failure_key(user)))


def _failure_key(user: Any) -> str:
    return f"mfa-failures:{user.pk}"


# --- Writes -----------------------------------------------------------------------------------
def _audit(actor: Actor | None, action: AuditAction, *, summary: str, data: dict[str, Any]) -> None:
    """The audit row in the actor's institution; a platform administrator of a deployment with
    no institution yet has none to write it in (logged instead)."""
    if actor is None or actor.institution_id is None:
        log.warning("%s without an institution to audit in: %s", action, data)
        return
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=action,
        summary=summary,
        data=data,
    )


def _check(*, user: Any, actor: Actor | None, device: TOTPDevice, code: str, purpose: str) -> None:
    """Accept `code` for `device` or raise MfaRefused; wrong codes are counted and audited."""
    if hits(_failure_key(user)) >= FAILURES_ALLOWED:
        raise MfaRefused(
            _("动态验证码错误次数过多，请 15 分钟后再试。如无法使用验证器，请联系就业指导中心。")
        )
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        # The device's own back-off after a wrong code (a second or two, doubling each time).
        raise MfaRefused(_("尝试过于频繁，请稍等几秒后再输入。"))
    if verify_token(user, device.persistent_id, code) is not None:
        return
    over_limit(_failure_key(user), limit=FAILURES_ALLOWED, seconds=FAILURE_WINDOW_SECONDS)
    with transaction.atomic():
        _audit(
            actor,
            AuditAction.MFA_VERIFY_FAILED,
            summary=_("动态验证码错误"),
            data={"user_id": user.pk, "purpose": purpose},
        )
    left = failures_left(user)
    if left == 0:
        raise MfaRefused(
            _("动态验证码错误次数过多，请 15 分钟后再试。如无法使用验证器，请联系就业指导中心。")
        )
    raise MfaRefused(
        _("动态验证码不正确或已使用过，请输入验证器上的最新验证码（还可尝试 %(left)s 次）。")
        % {"left": left}
    )


def mfa_verify(*, user: Any, actor: Actor | None, code: str) -> TOTPDevice:
    """Check a code after the password; returns the device for `django_otp.login`."""
    device = confirmed_device(user)
    if device is None:
        raise MfaRefused(_("尚未绑定验证器。"))
    _check(user=user, actor=actor, device=device, code=code, purpose="sign_in")
    with transaction.atomic():
        _audit(
            actor,
            AuditAction.MFA_VERIFY,
            summary=_("动态验证码验证通过"),
            data={"user_id": user.pk, "device_id": device.pk},
        )
    return device


def mfa_enrol(
    *, user: Any, actor: Actor | None, code: str, current_code: str | None = None
) -> TOTPDevice:
    """Confirm the pending device with a code it shows; it replaces any earlier device. Binding
    again (a person who has a device) first needs a valid code of the current one.

    Not one transaction: a wrong code's count and audit row stay when the binding is refused."""
    current = confirmed_device(user)
    if current is not None:
        if current_code is None:
            raise MfaRefused(_("已绑定验证器；重新绑定需要当前验证器的验证码。"))
        _check(user=user, actor=actor, device=current, code=current_code, purpose="rebind")
    device = pending_device(user)
    _check(user=user, actor=actor, device=device, code=code, purpose="enrol")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit(
            actor,
            AuditAction.MFA_ENROL,
            summary=_("重新绑定验证器") if current is not None else _("绑定验证器"),
            data={"user_id": user.pk, "device_id": device.pk, "replaced": current is not None},
        )
    return device


@transaction.atomic
def mfa_reset(*, user: Any, operator: str) -> int:
    """Remove the person's devices (a lost phone): they bind a new one at their next sign-in.
    Recorded in every institution where they hold a role. Returns how many were removed."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    institution_ids = sorted(
        set(
            Membership.objects.filter(user=user, is_active=True).values_list(
                "institution_id", flat=True
            )
        )
    )
    for institution_id in institution_ids:
        audit_record(
            institution_id=institution_id,
            actor_id=None,
            action=AuditAction.MFA_RESET,
            summary=_("运维人员解除了 %(user)s 的验证器绑定") % {"user": user},
            data={"user_id": user.pk, "devices": removed, "operator": operator},
        )
    if not institution_ids:
        log.warning("mfa.reset of user %s (no institution to audit in)", user.pk)
    return removed


# --- For tools that stand in for a person's phone (the demo's `demo_otp`, tests) ---------------
def code_at(device: TOTPDevice, at: float | None = None) -> str:
    """The code `device` shows at Unix time `at` (now by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def next_code_time(device: TOTPDevice, now: float) -> float:
    """When `device` next shows a code it would accept: now, or the start of the step after the
    last accepted one (a code is accepted once)."""
    return max(now, float(device.t0 + (device.last_t + 1 - device.drift) * device.step))
