"""Uploaded media served by the app itself when it is on a local (possibly shared) disk.

For a small newsroom this saves running a separate file server; with object storage (or a web
server in front that serves MEDIA_ROOT) turn it off with SERVE_MEDIA=false.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.views.static import serve

# Upload names never change content (a new upload gets a new name), so browsers and Varnish may
# keep them for a day; a deleted photo disappears from pages at once, its file within the day.
MEDIA_MAX_AGE = 24 * 3600


def serve_media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE)
    return response
