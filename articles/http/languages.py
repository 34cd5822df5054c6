"""Which language a response is in.

Public pages take it from their path alone (English unprefixed, /fr/…, /ar/…), so a page's
address says everything it depends on and caches need no `Vary: Accept-Language`. The editors'
desk and everything else outside the reader's URLs follow the browser's preferred language (or
the `django_language` cookie), as Django's LocaleMiddleware does.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from ..languages import codes


def _language_from_path(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in codes() and first != settings.LANGUAGE_CODE.split("-")[0] else None


def _is_desk(path: str) -> bool:
    return path.startswith(("/admin/", "/reset/")) or path == "/admin"


class SiteLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        desk = _is_desk(request.path_info)
        if desk:
            language = translation.get_language_from_request(request)
        else:
            language = _language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if desk:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
