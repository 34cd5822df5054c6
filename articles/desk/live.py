"""The live desk: on a story's change page, a compact "post an update" form (Ctrl+Enter posts),
the list of updates with edit, pin and delete, and starting, ending and reopening the coverage.

Every write goes through articles/editorial/live.py, which checks the role again.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..editorial import live
from ..models import LiveUpdate


class LiveUpdateForm(forms.ModelForm):
    class Meta:
        model = LiveUpdate
        fields = ["headline", "body", "image", "byline", "is_key_event"]
        labels = {"headline": "Headline (optional)", "byline": "By"}
        help_texts = {"byline": "Who reported it; your name when left as it is."}

    def __init__(self, *args, admin_site, user, **kwargs):
        super().__init__(*args, **kwargs)
        image = self.fields["image"]
        image.widget = AutocompleteSelect(LiveUpdate._meta.get_field("image"), admin_site)
        image.widget.choices = image.choices  # a widget set after the field is made lacks them
        image.label = "Photo (optional)"
        if not live.can_manage(user) or self.instance.pk:
            del self.fields["is_key_event"]  # pinning has its own button
        if not self.instance.pk:
            self.initial.setdefault("byline", live._byline_of(user))


class LiveDeskMixin:
    """Mixed into the story admin (articles/desk/articles.py)."""

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        name = "articles_article_live_"
        return [
            path("<path:object_id>/live/post/", view(self.live_post_view), name=name + "post"),
            path(
                "<path:object_id>/live/coverage/<str:action>/",
                view(self.live_coverage_view),
                name=name + "coverage",
            ),
            path(
                "<path:object_id>/live/<int:update_id>/",
                view(self.live_edit_view),
                name=name + "edit",
            ),
            path(
                "<path:object_id>/live/<int:update_id>/<str:action>/",
                view(self.live_update_action_view),
                name=name + "action",
            ),
            *super().get_urls(),
        ]

    def _live_story(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if not live.can_post(request.user):
            raise PermissionDenied
        return article

    def _back_to_desk(self, article):
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk]) + "#live-desk"
        )

    def _update_form(self, request, data=None, instance=None):
        # Prefixed: it sits on the story's page beside the story's own body field.
        return LiveUpdateForm(
            data, instance=instance, admin_site=self.admin_site, user=request.user, prefix="live"
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        if obj is not None and live.can_post(user):
            updates = list(
                obj.live_updates.select_related("created_by", "deleted_by", "image").order_by(
                    "-posted_at", "-pk"
                )
            )
            context.update(
                live_desk=True,
                live_form=context.get("live_form") or self._update_form(request),
                live_updates=[u for u in updates if u.deleted_at is None],
                live_deleted=[u for u in updates if u.deleted_at is not None],
                can_manage_live=live.can_manage(user),
                live_editable={u.pk for u in updates if live.can_change_update(user, u)},
            )
            context["media"] = context["media"] + context["live_form"].media
        return super().render_change_form(request, context, add, change, form_url, obj)

    def live_post_view(self, request, object_id):
        self._refuse_non_post(request)
        article = self._live_story(request, object_id)
        form = self._update_form(request, request.POST)
        if form.is_valid():
            try:
                live.post_update(
                    article=article,
                    user=request.user,
                    **{name: form.cleaned_data.get(name) for name in form.fields},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Update posted.")
                return self._back_to_desk(article)
        # Nothing typed is lost: the form again, as sent, with what was wrong.
        return self._update_page(request, article, form, title="Post an update")

    def live_coverage_view(self, request, object_id, action):
        self._refuse_non_post(request)
        article = self._article_or_404(request, object_id)
        services = {"start": live.start_coverage, "end": live.end_coverage}
        if action not in services:
            raise Http404("No such action.")
        try:
            services[action](article=article, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                "Live coverage ended." if action == "end" else "Live coverage is on.",
            )
        return self._back_to_desk(article)

    def _update_of(self, article, update_id) -> LiveUpdate:
        return get_object_or_404(LiveUpdate.objects.shown(), pk=update_id, article=article)

    def live_edit_view(self, request, object_id, update_id):
        article = self._live_story(request, object_id)
        update = self._update_of(article, update_id)
        if not live.can_change_update(request.user, update):
            raise PermissionDenied
        form = self._update_form(request, request.POST or None, instance=update)
        if request.method == "POST" and form.is_valid():
            try:
                live.edit_update(
                    update=update,
                    user=request.user,
                    **{name: form.cleaned_data.get(name) for name in form.fields},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Update changed.")
                return self._back_to_desk(article)
        return self._update_page(request, article, form, title=f"Edit update: {update}")

    def _update_page(self, request, article, form, *, title):
        update = form.instance if form.instance.pk else None
        context = self._context(
            request,
            article,
            title=title,
            form=form,
            update=update,
            history=update.revisions.select_related("created_by") if update else [],
            media=self.media + form.media,
            form_action=request.path,
        )
        return TemplateResponse(request, "admin/articles/article/live_update_edit.html", context)

    def live_update_action_view(self, request, object_id, update_id, action):
        self._refuse_non_post(request)
        article = self._live_story(request, object_id)
        update = self._update_of(article, update_id)
        if action == "pin":
            live.set_key_event(update=update, user=request.user, is_key_event=True)
            messages.success(request, "Pinned as a key event.")
        elif action == "unpin":
            live.set_key_event(update=update, user=request.user, is_key_event=False)
            messages.success(request, "No longer a key event.")
        elif action == "delete":
            live.delete_update(update=update, user=request.user)
            messages.success(request, "Update deleted: readers no longer see it.")
        else:
            raise Http404("No such action.")
        return self._back_to_desk(article)
