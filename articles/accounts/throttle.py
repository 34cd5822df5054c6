"""Sign-in throttling: after LOGIN_FAILURE_LIMIT failures for one user name, or from one address,
further attempts are refused for LOGIN_LOCKOUT_SECONDS without even checking the password.

Counters live in the cache (Redis in production, so all app servers count together). Unknown user
names count exactly like wrong passwords, and a locked-out attempt is refused with the same
message whether the user exists or not: the sign-in form tells nobody which names exist.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

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


def _keys(request, username: str | None) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        keys.append(f"login-failures:user:{digest}")
    if request is not None:
        keys.append(f"login-failures:ip:{client_ip(request)}")
    return keys


def is_locked_out(request, username: str | None) -> bool:
    counts = cache.get_many(_keys(request, username))
    return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())


def record_failure(request, username: str | None) -> None:
    for key in _keys(request, username):
        # The window starts with the first failure; add() does nothing if it is already open.
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between, or the cache is unreachable
            continue
        if count == settings.LOGIN_FAILURE_LIMIT:
            logger.warning("Sign-in locked out for %s", key.split(":", 2)[1])


def clear_user_failures(username: str) -> None:
    cache.delete_many(_keys(None, username))


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
