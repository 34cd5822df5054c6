"""What every page's template may use."""

from django.conf import settings


def site(request):
    return {"site_name": settings.SITE_NAME}
