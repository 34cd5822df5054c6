"""Where each person is signed in, and ending sessions.

A `UserSession` row is written when someone signs in (with the session's key, browser and address)
and removed when they sign out. `SessionTrackingMiddleware` refreshes "last seen" at most every
`SESSION_SEEN_INTERVAL` seconds and signs out a request whose row was removed (the person chose
"sign out everywhere else", changed their password elsewhere, or lost desk access), so the check
costs nothing on most requests and one indexed read otherwise. Ending a session also deletes it
from the session store, whichever engine that is.

The sign-in, failed sign-in and sign-out entries of the audit trail are written here too, from
Django's auth signals.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import (
    get_user_model,
    logout,
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from . import audit
from .models import UserSession

SEEN_KEY = "_desk_session_seen"
User = get_user_model()


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_sessions(user, *, keep: str | None = None) -> int:
    """End every session of `user` except the one with key `keep`; returns how many ended."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    keys = list(sessions.values_list("session_key", flat=True))
    store = _store()
    for key in keys:
        store(session_key=key).delete()
    sessions.delete()
    return len(keys)


def has_desk_access(user) -> bool:
    return bool(user.is_active and user.is_staff)


@receiver(user_logged_in, dispatch_uid="articles.sessions.signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    ip_address, user_agent = audit.origin_of(request)
    now = timezone.now()
    with transaction.atomic():
        UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "ip_address": ip_address,
                "user_agent": user_agent,
                "signed_in_at": now,
                "last_seen_at": now,
            },
        )
        audit.record(audit.Action.SIGNED_IN, user=user, request=request)
    request.session[SEEN_KEY] = now.timestamp()


@receiver(user_logged_out, dispatch_uid="articles.sessions.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    with transaction.atomic():
        key = getattr(request.session, "session_key", None)
        if key:
            UserSession.objects.filter(session_key=key).delete()
        audit.record(audit.Action.SIGNED_OUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="articles.sessions.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    audit.record(
        audit.Action.SIGN_IN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="articles.sessions.user_saved")
def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if created or raw or (update_fields and set(update_fields) <= {"last_login"}):
        return
    request = audit.current_request()
    if not has_desk_access(instance):
        end_sessions(instance)
    elif getattr(instance, "_password", None) is not None:  # set_password() then save()
        actor = getattr(request, "user", None)
        actor = actor if actor is not None and actor.is_authenticated else None
        own = actor == instance
        end_sessions(instance, keep=request.session.session_key if own else None)
        # Who changed it: the person, an administrator, or nobody signed in (a reset link, a
        # command).
        audit.record(audit.Action.PASSWORD_CHANGED, user=actor, target=instance)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="articles.sessions.groups")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_remove", "post_clear"}:
        return
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or ()))
    if reverse and action == "post_clear":
        return  # a role deleted: its members are handled by the role's admin
    for user in users:
        if not user.is_superuser and not user.groups.exists():
            end_sessions(user)


class SessionTrackingMiddleware:
    """Refreshes "last seen" now and then, signs out a session that was ended elsewhere, and keeps
    the row when the session's key changes (Django gives a new key after a password change)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key_before = None
        # Only the desk: readers' pages never touch the session for this.
        in_desk = request.path.startswith(reverse("admin:index"))
        if (
            in_desk
            and request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            and request.user.is_authenticated
        ):
            key_before = request.session.session_key
            self._check(request, request.user)
        response = self.get_response(request)
        if key_before and request.user.is_authenticated:
            key_after = request.session.session_key
            if key_after and key_after != key_before:
                UserSession.objects.filter(session_key=key_before).update(session_key=key_after)
        return response

    def _check(self, request, user):
        now = timezone.now()
        seen = request.session.get(SEEN_KEY)
        if seen is not None and now.timestamp() - seen < settings.SESSION_SEEN_INTERVAL:
            return
        key = request.session.session_key
        tracked = UserSession.objects.filter(user=user, session_key=key)
        if seen is None and not tracked.exists():
            # Signed in before sessions were tracked: start tracking it.
            ip_address, user_agent = audit.origin_of(request)
            UserSession.objects.create(
                user=user, session_key=key, ip_address=ip_address, user_agent=user_agent
            )
        elif not tracked.update(last_seen_at=now):
            logout(request)  # ended from elsewhere
            return
        request.session[SEEN_KEY] = now.timestamp()
