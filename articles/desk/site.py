"""The desk's admin site: its home page is the desk (my drafts, stories in review, the schedule,
what went out last), not Django's list of tables."""

from django.contrib import admin
from django.db.models import Q

from ..editorial import services
from ..models import Article

# Bookkeeping tables editors rarely open: under "Housekeeping" on the home page, not in the lists.
HOUSEKEEPING_MODELS = {"TagMerge", "TagRedirect"}
# The desk's own tables first, accounts last.
APP_ORDER = {"articles": 0, "auth": 2}
DESK_ROWS = 10
LIST_FIELDS = ("headline", "status", "published_at", "deleted_at", "updated_at", "working_draft_at")


class DeskAdminSite(admin.AdminSite):
    index_template = "admin/desk_home.html"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["models"] = [
                model for model in app["models"] if model["object_name"] not in HOUSEKEEPING_MODELS
            ]
        apps = [app for app in apps if app["models"]]
        return sorted(apps, key=lambda app: APP_ORDER.get(app["app_label"], 1))

    def housekeeping(self, request) -> list[dict]:
        """The bookkeeping tables this user may see."""
        tables = []
        for app in super().get_app_list(request):
            tables += [m for m in app["models"] if m["object_name"] in HOUSEKEEPING_MODELS]
        return tables

    def index(self, request, extra_context=None):
        context = {**desk_home(request), "housekeeping": self.housekeeping(request)}
        return super().index(request, {**context, **(extra_context or {})})


def desk_home(request) -> dict:
    """The lists on the desk's home page, each a fixed number of queries."""
    user = request.user
    if not user.has_perm("articles.view_article") and not user.has_perm("articles.change_article"):
        return {"desk": False}
    stories = Article.objects.live().only(*LIST_FIELDS)
    can_publish = services.can_publish(user)
    return {
        "desk": True,
        "can_publish": can_publish,
        "my_drafts": list(
            stories.filter(status=Article.Status.DRAFT)
            .filter(Q(created_by=user) | Q(updated_by=user))
            .order_by("-updated_at")[:DESK_ROWS]
        ),
        "in_review": list(
            stories.filter(status=Article.Status.IN_REVIEW).order_by("-updated_at")[:DESK_ROWS]
        )
        if can_publish
        else None,
        "working_drafts": list(
            stories.filter(working_draft__isnull=False).order_by("-working_draft_at")[:DESK_ROWS]
        ),
        "scheduled": list(stories.scheduled().order_by("published_at")[:DESK_ROWS]),
        "recently_published": list(
            stories.published().order_by("-published_at", "-pk")[:DESK_ROWS]
        ),
    }
