"""A second factor for the desk: authenticator-app codes (TOTP) with one-time recovery codes.

Built on django-otp: its `TOTPDevice` (the app's shared secret) and `StaticDevice` (recovery codes)
hold the secrets and check codes; django-otp's `OTPMiddleware` marks a session verified. What is
ours: enrolment and removal (audited), the per-role requirement an editor-in-chief sets, the sign-in
throttle over the second step, and `SecondFactorMiddleware`, which keeps anyone who has a second
factor (or whose role requires one) out of the desk until it is done.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, throttle
from .models import Passkey, SecondFactorRequirement

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_required_for(user) -> bool:
    return SecondFactorRequirement.objects.filter(role__user=user).exists()


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def pending_app_device(user) -> TOTPDevice:
    """The secret being enrolled: made once, kept until confirmed with a code from the app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with fresh ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_app(request, *, device: TOTPDevice, code: str) -> list[str] | None:
    """Finish enrolment with a code from the app; returns the new recovery codes, or None."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = new_recovery_codes(device.user)
    otp_login(request, device)
    audit.record(audit.Action.SECOND_FACTOR_ADDED, user=request.user, details={"kind": "totp"})
    return codes


@transaction.atomic
def make_recovery_codes(request) -> list[str]:
    codes = new_recovery_codes(request.user)
    audit.record(audit.Action.RECOVERY_CODES_MADE, user=request.user)
    return codes


@transaction.atomic
def remove_second_factor(request, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    Passkey.objects.filter(user=user).delete()
    audit.record(
        audit.Action.SECOND_FACTOR_REMOVED,
        user=request.user,
        target=user,
        details={"own": request.user == user},
    )
    if request.user == user:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)


def verify(request, code: str) -> str | None:
    """The second sign-in step. Returns an error message, or None once the session is verified.

    Wrong codes count towards the same lockout as wrong passwords (per user and per address).
    """
    user = request.user
    username = user.get_username()
    if throttle.is_locked_out(request, username):
        throttle.record_failure(request, username)
        return throttle.locked_out_error().messages[0]
    token = code.strip().replace(" ", "").replace("-", "").lower()
    for device in [app_device(user), StaticDevice.objects.filter(user=user).first()]:
        if device is not None and token and device.verify_token(token):
            otp_login(request, device)
            throttle.clear_user_failures(username)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones below if you lost "
                    "your authenticator app.",
                )
            return None
    throttle.record_failure(request, username)
    audit.record(
        audit.Action.SIGN_IN_FAILED, user=user, details={"step": "second factor"}, request=request
    )
    return "That code is not right. Enter the 6-digit code your app shows now, or a recovery code."


def require_for_role(*, role, user) -> SecondFactorRequirement:
    requirement, _ = SecondFactorRequirement.objects.get_or_create(
        role=role, defaults={"required_by": user}
    )
    audit.record(
        audit.Action.SECOND_FACTOR_REQUIRED, user=user, target=role, details={"required": True}
    )
    return requirement


def stop_requiring(*, requirement: SecondFactorRequirement, user) -> None:
    audit.record(
        audit.Action.SECOND_FACTOR_REQUIRED,
        user=user,
        target=requirement.role,
        details={"required": False},
    )
    requirement.delete()


class SecondFactorMiddleware:
    """In the desk, someone with a second factor must pass it, and someone whose role requires
    one must enrol before reaching anything else. (After OTPMiddleware.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect = self._redirect(request)
        return redirect or self.get_response(request)

    @staticmethod
    def _redirect(request):
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root) or not request.user.is_authenticated:
            return None
        user = request.user
        if not user.is_staff or user.is_verified():
            return None
        open_paths = {
            reverse("desk_verify"),
            reverse("desk_passkey_sign_in"),
            reverse("desk_passkey_register"),
            reverse("desk_second_factor"),
            reverse("admin:logout"),
            reverse("admin:login"),
            reverse("admin:jsi18n"),
        }
        if request.path in open_paths:
            return None
        enrolled, required = _state_of(user)
        query = urlencode({"next": request.get_full_path()})
        if enrolled:
            return HttpResponseRedirect(f"{reverse('desk_verify')}?{query}")
        if required:
            return HttpResponseRedirect(f"{reverse('desk_second_factor')}?{query}")
        return None


def _state_of(user) -> tuple[bool, bool]:
    """(has a second factor, a role requires one), in one query: it runs on every desk page."""
    app, passkey, required = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            has_passkey=Exists(Passkey.objects.filter(user=OuterRef("pk"))),
            needs_one=Exists(SecondFactorRequirement.objects.filter(role__user=OuterRef("pk"))),
        )
        .values_list("has_app", "has_passkey", "needs_one")
        .get()
    )
    return app or passkey, required
