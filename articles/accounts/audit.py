"""The audit trail: `record()` one entry per privileged action, in the transaction of the action.

The services call it (articles/editorial/services.py, articles/editorial/tagging.py,
articles/accounts/*), so an action that rolls back leaves no entry and one that commits always has
one. Where the action came from (address, browser) is taken from the request being served, which
`RequestContextMiddleware` notes for the length of the request; a command or a test has none.
"""

import contextvars

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry
from .throttle import client_ip

Action = AuditEntry.Action

_current_request = contextvars.ContextVar("current_request", default=None)


def current_request():
    """The request being served in this thread or task, if any (see `RequestContextMiddleware`)."""
    return _current_request.get()


def origin_of(request) -> tuple[str | None, str]:
    return client_ip(request) or None, request.META.get("HTTP_USER_AGENT", "")[:400]


def record(
    action: str,
    *,
    user=None,
    target=None,
    label: str = "",
    details: dict | None = None,
    request=None,
    username: str = "",
) -> AuditEntry:
    """Write one entry. `user` did it (None: the system); `target` is what it was done to."""
    request = request if request is not None else current_request()
    ip_address, user_agent = origin_of(request) if request is not None else (None, "")
    entry = AuditEntry(
        action=action,
        user=user if user is not None and user.pk else None,
        username=(user.get_username() if user is not None else username)[:150],
        ip_address=ip_address,
        user_agent=user_agent,
        details=details or {},
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_label = (label or str(target))[:300]
    else:
        entry.target_label = label[:300]
    entry.save()
    return entry


class RequestContextMiddleware:
    """Notes the request being served: where the entries written while serving it came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
