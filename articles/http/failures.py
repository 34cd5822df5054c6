"""Failures readers and editors should see explained, not as tracebacks.

- The database is unreachable: readers get the 503 page with `Retry-After` (the read API its JSON
  error), rendered without touching the database; the next request tries the database again, so
  the site recovers by itself.
- An editor's save fails (database or file storage): the page says nothing was saved and gives back
  everything they typed, in a form that sends it again.
"""

import logging
import sys

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token

from ..outbound.api import error_response  # the API's one error shape

logger = logging.getLogger(__name__)

# Fields of a submitted admin form that are buttons or tokens rather than what the editor typed.
CONTROL_FIELDS = {"csrfmiddlewaretoken"}


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


def is_storage_failure(exc: BaseException | None) -> bool:
    """Errors raised by the file storage backends (local disk, object storage) while writing."""
    return isinstance(exc, (OSError, BotoCoreError, ClientError))


def is_admin_save(request) -> bool:
    return request is not None and request.method == "POST" and request.path.startswith("/admin/")


def is_api_request(request) -> bool:
    return request is not None and request.path.startswith("/api/")


def database_unavailable_response(request=None) -> HttpResponse:
    """The 503 page, or for the read API its JSON error. A plain template render: no request
    context, so no query can run."""
    retry_after = settings.DATABASE_RETRY_AFTER
    if is_api_request(request):
        response = error_response(
            503,
            "unavailable",
            f"The stories cannot be read right now; try again in about {retry_after} seconds.",
        )
        response["Retry-After"] = str(retry_after)
        add_never_cache_headers(response)
        return response
    html = loader.render_to_string(
        "503.html", {"site_name": settings.SITE_NAME, "retry_after": retry_after}
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def save_failed_response(request, exc: BaseException, *, status: int) -> HttpResponse:
    """Tell the editor nothing was saved, and give back what they typed to send again."""
    typed = [
        (name, request.POST.getlist(name))
        for name in request.POST
        if name not in CONTROL_FIELDS and not name.startswith("_")
    ]
    buttons = [name for name in request.POST if name.startswith("_")]
    context = {
        "site_name": settings.SITE_NAME,
        "database_failed": is_database_unavailable(exc),
        "single_fields": [(name, values[0]) for name, values in typed if len(values) == 1],
        "multi_fields": [(name, values) for name, values in typed if len(values) != 1],
        "buttons": buttons,
        "files": [upload.name for upload in request.FILES.values()],
        "action": request.get_full_path(),
    }
    # With the request for the CSRF token only; the template reads no user or session.
    html = loader.render_to_string("admin/save_failed.html", context, request=request)
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        is_admin_write = is_admin_save(request)
        if is_database_unavailable(exception):
            logger.error(
                "Database unavailable for %s %s: %s", request.method, request.path, exception
            )
            if is_admin_write:
                return save_failed_response(request, exception, status=503)
            return database_unavailable_response(request)
        if is_admin_write and is_storage_failure(exception):
            logger.exception("File storage failed while saving %s", request.path)
            return save_failed_response(request, exception, status=502)
        return None


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: the 503 page when the error was a lost database (e.g. raised in middleware)."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        # Desk middleware (who is signed in, session tracking) reaches the database before the
        # view, so a save can fail here too: it still gives back what the editor typed.
        if is_admin_save(request):
            return save_failed_response(request, exc, status=503)
        return database_unavailable_response(request)
    if is_api_request(request):
        return error_response(500, "server_error", "Something went wrong on our side.")
    html = loader.render_to_string(template_name)
    return HttpResponseServerError(html)
