"""What every page's template may use."""

from django.conf import settings
from django.utils.translation import get_language

from ..languages import codes, direction, generic, name_of, open_graph_locale, url_prefix
from ..models import site_root


def site(request):
    return {"site_name": settings.SITE_NAME}


def page_language(request):
    """The language and direction of the page being made: its URL's language (a story page is
    always in its story's language; see `article_detail`)."""
    language = generic(get_language())
    return {
        "page_language": language,
        "page_direction": direction(language),
        "page_open_graph_locale": open_graph_locale(language),
        # Pages under /fr/, /ar/… link their language's feeds; English ones the feeds of all.
        "page_has_language_feeds": bool(url_prefix(language)),
        "site_languages": [(code, name_of(code), f"{site_root(code)}") for code in codes()],
    }
