"""Sign-in throttling: after LOGIN_FAILURE_LIMIT failures for one user name, or from one address,
further attempts are refused for LOGIN_LOCKOUT_SECONDS without even checking the password.

Counters live in the database (`LoginFailure`), not in the cache: they must hold while Redis is
down (a cache that answers "nothing counted" fails open), and every app server counts together.
Failed sign-ins are rare and each already costs a password hash, so the writes are cheap.

Unknown user names count exactly like wrong passwords, and a locked-out attempt is refused with
the same message whether the user exists or not: the sign-in form tells nobody which names exist.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone

from .models import LoginFailure

logger = logging.getLogger(__name__)

LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for %(minutes)s minutes; "
    "try again later or ask an administrator to reset your password."
)


def client_ip(request) -> str:
    """The address of the client, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    # Each trusted proxy appended the address it received the request from; the client's is the
    # one the outermost trusted proxy saw. Anything further left could have been forged.
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _keys(request, username: str | None) -> list[tuple[str, str]]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        keys.append((LoginFailure.Kind.USER, digest))
    if request is not None:
        keys.append((LoginFailure.Kind.ADDRESS, client_ip(request)))
    return keys


def _matching(keys) -> Q:
    condition = Q(pk__in=[])
    for kind, identifier in keys:
        condition |= Q(kind=kind, identifier=identifier)
    return condition


def is_locked_out(request, username: str | None) -> bool:
    return LoginFailure.objects.filter(
        _matching(_keys(request, username)),
        expires_at__gt=timezone.now(),
        count__gte=settings.LOGIN_FAILURE_LIMIT,
    ).exists()


def record_failure(request, username: str | None) -> None:
    now = timezone.now()
    for kind, identifier in _keys(request, username):
        with transaction.atomic():
            counted = LoginFailure.objects.filter(
                kind=kind, identifier=identifier, expires_at__gt=now
            ).update(count=F("count") + 1)
            if not counted:
                # The window starts with the first failure; an expired one starts afresh.
                LoginFailure.objects.filter(expires_at__lte=now).delete()
                try:
                    with transaction.atomic():
                        LoginFailure.objects.create(
                            kind=kind,
                            identifier=identifier,
                            count=1,
                            expires_at=now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS),
                        )
                except IntegrityError:  # another server counted the first one at the same moment
                    LoginFailure.objects.filter(kind=kind, identifier=identifier).update(
                        count=F("count") + 1
                    )
        count = LoginFailure.objects.filter(kind=kind, identifier=identifier).values_list(
            "count", flat=True
        )
        if settings.LOGIN_FAILURE_LIMIT in count:
            logger.warning("Sign-in locked out for one %s", kind)


def clear_user_failures(username: str) -> None:
    LoginFailure.objects.filter(_matching(_keys(None, username))).delete()


def locked_out_error() -> ValidationError:
    minutes = max(1, round(settings.LOGIN_LOCKOUT_SECONDS / 60))
    return ValidationError(LOCKED_OUT_MESSAGE, code="locked_out", params={"minutes": minutes})


class ThrottledModelBackend(ModelBackend):
    """Refuses any sign-in (right password or not) while the user name or address is locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if request is not None and is_locked_out(request, username):
            raise PermissionDenied("Sign-in locked out.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        return get_user_model().USERNAME_FIELD


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin sign-in form, saying so when sign-in is locked out."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if is_locked_out(self.request, username):
            # Counted too: hammering a locked-out name keeps it locked.
            record_failure(self.request, username)
            raise locked_out_error()
        return super().clean()


@receiver(user_login_failed, dispatch_uid="articles.throttle.failed")
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username_field = ThrottledModelBackend._username_field()
    username = credentials.get(username_field) or credentials.get("username")
    if is_locked_out(request, username):
        return  # counted where the lockout was reported
    record_failure(request, username)


@receiver(user_logged_in, dispatch_uid="articles.throttle.succeeded")
def _forget_failures(sender, request, user, **kwargs):
    clear_user_failures(user.get_username())
