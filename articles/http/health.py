"""`/healthz`: the app server answers. For a load balancer's liveness check, and the floor the load
benchmark measures every page against (a Django response through every middleware, with no query,
no template and no cache)."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def liveness(request):
    return HttpResponse("ok\n", content_type="text/plain")
