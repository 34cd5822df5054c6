"""The story editor while it is open: autosave, restoring an autosave, presence, live preview.

The browser side is static/articles/desk-live.js. Every endpoint here is an admin view (signed-in
staff, CSRF-checked POST) that checks the editor may change the story (or, for a story not yet
saved once, add one); none of them saves it. The "Add story" form autosaves into the editor's one
new-story slot, offered back the next time they open "Add story".
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.http.request import QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..editorial import live_editing
from ..models import Article

# Form fields never kept in an autosave: the version (the slot keeps its own), files, buttons.
NOT_AUTOSAVED = {"opened_version", "lead_photo_file", "lead_photo_file_kept"}


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _opened_version(request) -> int | None:
    value = request.POST.get("opened_version", "")
    return int(value) if value.isdigit() else None


class LiveEditingMixin:
    """Mixed into the story admin (articles/desk/articles.py), before the workflow admin."""

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(require_POST(func))

        name = "articles_article_"
        return [
            path("add/autosave/", view(self.autosave_view), name=name + "autosave_new"),
            path(
                "add/autosave/discard/",
                view(self.discard_autosave_view),
                name=name + "discard_autosave_new",
            ),
            path("<path:object_id>/autosave/", view(self.autosave_view), name=name + "autosave"),
            path(
                "<path:object_id>/autosave/discard/",
                view(self.discard_autosave_view),
                name=name + "discard_autosave",
            ),
            path("<path:object_id>/presence/", view(self.presence_view), name=name + "presence"),
            *super().get_urls(),
        ]

    def _editable_article(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def _autosaved_fields(self, request, article) -> dict:
        fields = self.get_form(request, article, change=article is not None).base_fields
        kept = {}
        for key in request.POST:
            field_name = key.rsplit("_", 1)[0] if key[-2:] in ("_0", "_1") else key
            if field_name in fields and field_name not in NOT_AUTOSAVED:
                kept[key] = request.POST.getlist(key)
        return kept

    def _autosaved_article(self, request, object_id) -> Article | None:
        """The story being typed into, or None for a new one (which needs the add permission)."""
        if object_id is not None:
            return self._editable_article(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        return None

    def autosave_view(self, request, object_id=None):
        article = self._autosaved_article(request, object_id)
        # A new story has no version yet: nobody else can have saved it meanwhile.
        opened_version = _opened_version(request) if article else 0
        if opened_version is None:
            return _json({"error": "This form is missing its version; reload the page."}, 400)
        try:
            slot = live_editing.record_autosave(
                article=article,
                user=request.user,
                data=self._autosaved_fields(request, article),
                base_version=opened_version,
            )
        except live_editing.TooSoon:
            response = _json({"error": "Too many autosaves; trying again shortly."}, 429)
            response["Retry-After"] = "1"
            return response
        except live_editing.TooLarge:
            return _json({"error": "Too much to autosave; save the story instead."}, 413)
        newer = (
            live_editing.newer_save(
                article=article, user=request.user, opened_version=opened_version
            )
            if article
            else None
        )
        return _json(
            {
                "saved_at": timezone.localtime(slot.saved_at).strftime("%H:%M"),
                "newer": newer,
            },
            409 if newer else 200,
        )

    def discard_autosave_view(self, request, object_id=None):
        article = self._autosaved_article(request, object_id)
        live_editing.discard_autosave(article=article, user=request.user)
        if article is None:
            return HttpResponseRedirect(reverse("admin:articles_article_add"))
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def presence_view(self, request, object_id):
        article = self._editable_article(request, object_id)
        others = live_editing.heartbeat(article=article, user=request.user)
        opened_version = _opened_version(request)
        newer = (
            live_editing.newer_save(
                article=article, user=request.user, opened_version=opened_version
            )
            if opened_version is not None
            else None
        )
        return _json({"others": others, "newer": newer})

    # ---- The change form -------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not (request.method == "GET" and request.GET.get("autosave") == "restore"):
            return form
        if obj is None and change:
            return form
        slot = live_editing.autosave_of(article=obj, user=request.user)
        if slot is None:
            return form
        data = QueryDict(mutable=True)
        for key, values in slot.data.items():
            data.setlist(key, values)

        class RestoredForm(form):
            def __init__(self, *args, **kwargs):
                if not args and "data" not in kwargs:
                    restored = {
                        name: field.widget.value_from_datadict(data, {}, name)
                        for name, field in self.base_fields.items()
                        if name not in NOT_AUTOSAVED and any(k.startswith(name) for k in data)
                    }
                    # Opened at the version the typing was based on: if someone saved since, the
                    # save shows the conflict screen instead of overwriting their work.
                    if obj is not None:
                        restored["opened_version"] = slot.base_version
                    kwargs["initial"] = {**kwargs.get("initial", {}), **restored}
                super().__init__(*args, **kwargs)

        RestoredForm.__name__ = form.__name__
        request.autosave_restored = slot
        return RestoredForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change:
            urls = {
                "autosave": reverse("admin:articles_article_autosave", args=[obj.pk]),
                "discard": reverse("admin:articles_article_discard_autosave", args=[obj.pk]),
                "presence": reverse("admin:articles_article_presence", args=[obj.pk]),
            }
        elif add:  # no presence: nobody else can have a story open that is not saved yet
            urls = {
                "autosave": reverse("admin:articles_article_autosave_new"),
                "discard": reverse("admin:articles_article_discard_autosave_new"),
            }
        else:
            return super().render_change_form(request, context, add, change, form_url, obj)
        slot = live_editing.autosave_of(article=obj if change else None, user=request.user)
        restored = getattr(request, "autosave_restored", None)
        context.update(
            autosave=None if restored else slot,
            autosave_restored=restored,
            live_editing_urls=urls,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        # Saved: the autosave slot has done its job.
        live_editing.discard_autosave(article=obj, user=request.user)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        # The new story is saved: its typing no longer needs the editor's new-story slot.
        live_editing.discard_autosave(article=None, user=request.user)
        return super().response_add(request, obj, post_url_continue)
