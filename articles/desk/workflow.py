"""The editorial workflow in the admin: statuses by role, edit conflicts, revisions, the trash,
previews, share links and corrections. `ArticleAdmin` (articles/desk/articles.py) builds on this.

Every write goes through articles/editorial/services.py, which checks permissions again: hiding a
button is never the only thing stopping a reporter.
"""

import contextlib
import datetime
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import changes
from ..editorial import checks, previews, revisions, services
from ..languages import default_language, language_choices
from ..models import Article, Correction, Revision, ShareLink, embargo_refusal
from .base import DeskModelAdmin
from .rights import rights_notes

Status = Article.Status


class WorkflowFormMixin:
    """Mixed into whatever form the admin builds for an article (see `get_form`)."""

    user = None
    check_conflicts = True
    # A reporter on a live story: a save keeps a working draft and changes nothing readers see.
    drafts_only = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The story as stored (the admin loads it afresh for every request), before this form
        # changes the instance; the service re-checks it under a row lock.
        self.stored_status = self.instance.status if self.instance.pk else Status.DRAFT
        self.stored_published_at = self.instance.published_at if self.instance.pk else None
        # The version this form was opened at; a save made against an older one is refused.
        self.fields["opened_version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=self.instance.version
        )
        self.conflict_changes = None
        self.conflict_baseline_missing = False
        draft_tags = getattr(self.instance, "draft_tags", None)
        if draft_tags is not None:
            # The working draft's tags and sources (its words are already in the instance).
            self.initial["tags"] = [SimpleNamespace(name=name) for name in draft_tags]
            self.initial["sources"] = [source.pk for source in self.instance.draft_sources]
        if "language" in self.fields:
            # Left out of a post (a script, an old form): the story keeps the language it has.
            self.fields["language"].required = False
        if "status" in self.fields:
            allowed = self.allowed_statuses()
            self.fields["status"].widget.choices = [
                choice for choice in Status.choices if choice[0] in allowed
            ]

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or default_language()

    def allowed_statuses(self) -> list[str]:
        return services.allowed_statuses(user=self.user, current=self.stored_status)

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status not in self.allowed_statuses():
            if status in services.EDITOR_ONLY_STATUSES and not services.can_publish(self.user):
                raise ValidationError("Only an editor can publish, schedule or unpublish a story.")
            raise ValidationError("A story cannot move to that status from where it is now.")
        return status

    def clean(self):
        cleaned = super().clean()
        if not services.can_publish(self.user) and "_publish_changes" in self.data:
            # The button is not there for reporters, so only a crafted request sends it.
            raise ValidationError(
                "Only an editor can publish changes to a live story: “Save working draft” "
                "keeps yours, and an editor publishes them."
            )
        if not services.can_publish(self.user) and any(
            key.startswith("published_at") and value for key, value in self.data.items()
        ):
            # The field is read-only for reporters, so only a crafted request sends it.
            raise ValidationError("Only an editor can set the publication time.")
        self.into_working_draft = self.drafts_only or self._is_plain_save_of_live_story(cleaned)
        if (
            self.into_working_draft
            and "lead_photo_alt" in self.fields
            and self.alt_text_changed()
            and not cleaned.get("lead_photo_file")
        ):
            # The photo is shared with the live page: its alt text would change for readers now.
            self.add_error(
                "lead_photo_alt",
                "Readers see this photo now, so only an editor can change its alt text; attach "
                "a new photo file to describe it in your working draft."
                if self.drafts_only
                else "Readers see this photo now: its alt text changes with “Publish changes”, "
                "not in the working draft (or attach a new photo file to describe it there).",
            )
        self._check_embargo(cleaned)
        if (
            self.instance.withdrawn_at is not None
            and cleaned.get("status") == Status.PUBLISHED
            and self.stored_status != Status.PUBLISHED
            and not cleaned.get("confirm_republish")
        ):
            self.add_error(
                "confirm_republish",
                "This story was withdrawn: tick the box to confirm it may be published again.",
            )
        if self.instance.pk and self.check_conflicts:
            self._check_conflict(cleaned.get("opened_version"))
        return cleaned

    def _is_plain_save_of_live_story(self, cleaned) -> bool:
        """A save that keeps a working draft (admin `save_model`): the story is live, and
        neither its status nor its time nor "Publish changes" is asked for."""
        return (
            services.keeps_working_draft(
                Article(status=self.stored_status, published_at=self.stored_published_at)
            )
            and cleaned.get("status", self.stored_status) == self.stored_status
            and "published_at" not in self.changed_data
            and "_publish_changes" not in self.data
        )

    def _check_embargo(self, cleaned):
        """Publishing now under an embargo: refused here with the moment it lifts (a set time
        before it is refused by the model's own check)."""
        embargo = cleaned.get("embargoed_until")
        if (
            cleaned.get("status") == Status.PUBLISHED
            and embargo is not None
            and embargo > timezone.now()
            and cleaned.get("published_at") is None
        ):
            self.add_error("published_at", embargo_refusal(embargo))

    def _check_conflict(self, opened_version):
        if opened_version is None:
            raise ValidationError("This form is missing its version; reload the page.")
        try:
            services.check_version(article=self.instance, expected_version=opened_version)
        except services.EditConflict:
            current = Article.objects.get(pk=self.instance.pk)
            opened = Revision.objects.filter(
                article=current, article_version=opened_version
            ).first()
            # Without a stored revision of the version they opened (a story saved before
            # revisions existed), all we can show is the story as it is saved now.
            self.conflict_baseline_missing = opened is None
            self.conflict_changes = revisions.compare(
                opened.snapshot if opened else {}, revisions.snapshot(current)
            )
            # Having seen the changes, saving again (after merging) is deliberate.
            self.data = self.data.copy()
            self.data[self.add_prefix("opened_version")] = current.version
            raise


def status_note(article: Article) -> str:
    """What a save left readers with, said plainly (never "published" for a future time)."""
    status = article.desk_status
    if status == "scheduled":
        return f"{article.desk_status_label}: readers will see it from then."
    if status == Status.PUBLISHED:
        return "Published: readers can see it now."
    if status == Status.UNPUBLISHED:
        return "Unpublished: readers cannot see it."
    return f"Status: {article.desk_status_label}. Readers cannot see it."


class ArticleWorkflowAdmin(DeskModelAdmin):
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"

    # ---- Permissions ---------------------------------------------------------------------

    # What a reporter's working draft of a live story cannot hold: they see these, unchangeable.
    NOT_IN_WORKING_DRAFT = [
        "status",
        "published_at",
        "language",
        "embargoed_until",
        "expires_at",
        "slug",
        "translation_of",
    ]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.can_draft_changes(request.user, obj))

    def drafts_only(self, request, obj) -> bool:
        """Whether this user's saves of `obj` may only go into its working draft (a reporter on a
        live story)."""
        return (
            obj is not None
            and obj.pk is not None
            and not services.can_edit(request.user, obj)
            and services.can_draft_changes(request.user, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not services.can_publish(request.user):
            fields.append("published_at")
        if self.drafts_only(request, obj):
            fields += [name for name in self.NOT_IN_WORKING_DRAFT if name not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if self.drafts_only(request, obj):
            return {}  # the slug is read-only
        return super().get_prepopulated_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.withdrawn_at is not None:
            fieldsets = [*fieldsets, ("Withdrawn", {"fields": ["confirm_republish"]})]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.withdrawn_at is not None:
            # The story form (lead photo and all) with the republish confirmation added.
            kwargs.setdefault("form", type("RepublishStoryForm", (RepublishForm, self.form), {}))
        form = super().get_form(request, obj, change, **kwargs)
        return type(
            form.__name__,
            (WorkflowFormMixin, form),
            {"user": request.user, "drafts_only": self.drafts_only(request, obj)},
        )

    def get_queryset(self, request):
        return super().get_queryset(request).live()

    def get_object(self, request, object_id, from_field=None):
        """The story as its editors see it: its working draft, if any, in its fields."""
        article = super().get_object(request, object_id, from_field)
        if article is not None and article.working_draft:
            article.draft_tags, article.draft_sources = services.apply_working_draft(article)
        return article

    # ---- Saving --------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_block(self):
        # One revision per story per request, written after its tags and sources are saved, in
        # the same transaction (the edit-conflict check's row lock is held until it commits).
        with changes.atomic(), revisions.revision_block():
            yield

    def save_model(self, request, obj, form, change):
        """Apply the requested status through the matching service (which also saves the edit)."""
        user = request.user
        current_status, current_time = form.stored_status, form.stored_published_at
        if "published_at" not in form.changed_data:
            # The form shows whole seconds; an untouched time must not move (or republish).
            obj.published_at = current_time
        target, at = obj.status, obj.published_at
        obj.status = current_status
        stored_live = change and services.keeps_working_draft(
            Article(status=current_status, published_at=current_time)
        )
        request.desk_working_draft = False
        if stored_live and target == current_status and at == current_time:
            if "_publish_changes" in request.POST:
                services.publish_changes(article=obj, user=user)
                request.desk_status_note = "Changes published: readers see them now."
            else:
                services.save_working_draft(
                    article=obj,
                    user=user,
                    tags=form.cleaned_data.get("tags", []),
                    sources=form.cleaned_data.get("sources", []),
                )
                request.desk_working_draft = True
                request.desk_status_note = (
                    "Saved as a working draft: readers still see the published version until "
                    "an editor publishes the changes."
                    if obj.working_draft
                    else "Nothing differs from the published version."
                )
            return
        # The form held the working draft's words: whatever this save does, they are in it.
        obj.working_draft, obj.working_draft_at, obj.working_draft_by = None, None, None
        if target == Status.PUBLISHED and (current_status != target or at != current_time):
            services.publish_or_schedule(
                article=obj,
                user=user,
                at=at,
                confirm_withdrawn=bool(form.cleaned_data.get("confirm_republish")),
            )
        elif target == Status.UNPUBLISHED and current_status != target:
            services.unpublish_article(article=obj, user=user)
        elif target == Status.IN_REVIEW and current_status != target:
            services.submit_for_review(article=obj, user=user)
        elif target == Status.DRAFT and current_status != target:
            services.return_to_draft(article=obj, user=user)
        else:
            services.save_article(article=obj, user=user)
        request.desk_status_note = status_note(obj)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        note = getattr(request, "desk_status_note", None)
        if note and level == messages.SUCCESS:
            # Django's "was changed successfully", followed by what readers now see.
            message = format_html("{} {}", message, note)
            request.desk_status_note = None
        return super().message_user(request, message, level, *args, **kwargs)

    def save_form(self, request, form, change):
        # Read by the inlines' formsets, validated after this (ContributorInline): on a save
        # into the working draft they refuse changes, which would reach readers at once.
        request.desk_into_working_draft = getattr(form, "into_working_draft", False)
        return super().save_form(request, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "desk_working_draft", False):
            # The tags and sources went into the working draft, not onto the live story; the
            # credits (inlines) are not part of a working draft, and their formset refused any
            # change (ContributorInline), so there is nothing of theirs to save.
            for formset in formsets:
                formset.new_objects, formset.changed_objects = [], []
                formset.deleted_objects = []
            return
        super().save_related(request, form, formsets, change)

    # ---- Deleting is moving to the trash --------------------------------------------------

    def delete_model(self, request, obj):
        services.delete_article(article=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.delete_article(article=article, user=request.user)

    def get_deleted_objects(self, objs, request):
        # Nothing is destroyed (revisions, corrections… stay), so list only the stories.
        return [str(obj) for obj in objs], {Article._meta.verbose_name_plural: len(objs)}, set(), []

    # ---- Pages ---------------------------------------------------------------------------

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        name = "articles_article_"
        return [
            path("trash/", view(self.trash_view), name=name + "trash"),
            path("preview/", view(self.preview_view), name=name + "preview_new"),
            path("<path:object_id>/preview/", view(self.preview_view), name=name + "preview"),
            path("<path:object_id>/recover/", view(self.recover_view), name=name + "recover"),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=name + "compare",
            ),
            path(
                "<path:object_id>/history/<int:number>/restore/",
                view(self.restore_view),
                name=name + "restore_revision",
            ),
            path(
                "<path:object_id>/working-draft/",
                view(self.working_draft_view),
                name=name + "working_draft",
            ),
            path("<path:object_id>/share/", view(self.share_view), name=name + "share"),
            path("<path:object_id>/withdraw/", view(self.withdraw_view), name=name + "withdraw"),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                view(self.revoke_view),
                name=name + "revoke_share",
            ),
            path(
                "<path:object_id>/corrections/",
                view(self.corrections_view),
                name=name + "corrections",
            ),
            path("<path:object_id>/translate/", view(self.translate_view), name=name + "translate"),
            path(
                "<path:object_id>/translation-up-to-date/",
                view(self.up_to_date_view),
                name=name + "translation_up_to_date",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id, *, include_deleted=False) -> Article:
        articles = Article.objects.all() if include_deleted else self.get_queryset(request)
        article = articles.filter(pk=unquote(object_id)).first() if object_id.isdigit() else None
        if article is None:
            raise Http404("No such story.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request, article=None, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "object": article,
            **extra,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        context.update(
            rights_notes=rights_notes(obj) if obj else [],
            can_publish=services.can_publish(user),
            can_share=user.has_perm(services.SHARE_PERMISSION),
            can_correct=user.has_perm(services.CORRECT_PERMISSION),
            conflict_changes=getattr(context.get("adminform").form, "conflict_changes", None)
            if context.get("adminform")
            else None,
            preview_url=reverse("admin:articles_article_preview", args=[obj.pk])
            if obj
            else reverse("admin:articles_article_preview_new"),
            corrections=list(obj.corrections.all()) if obj else [],
            checks=checks.checks_for(
                obj, obj.draft_tags if hasattr(obj, "draft_tags") else obj.tag_list()
            )
            if obj
            else [],
            translations=list(obj.translations.live().only("headline", "language", "status"))
            if obj
            else [],
            translate_form=TranslateForm(article=obj) if obj and obj.pk else None,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_view_on_site_url(self, obj=None):
        """A story readers cannot see yet opens in its preview, not on a 404."""
        if obj is not None and not obj.is_published:
            return reverse("admin:articles_article_preview", args=[obj.pk])
        return super().get_view_on_site_url(obj)

    def preview_view(self, request, object_id=None):
        article = self._article_or_404(request, object_id) if object_id else None
        if request.method == "POST":
            if not (
                self.has_change_permission(request, article)
                if article
                else self.has_add_permission(request)
            ):
                raise PermissionDenied
            form_class = self.get_form(request, article, change=article is not None)
            form_class.check_conflicts = False
            form = form_class(request.POST, request.FILES, instance=article)
            return previews.render_unsaved_preview(request, form)
        if article is None:
            raise Http404("Save the story once to preview it without its form.")
        return previews.render_preview(request, article, banner="Preview of the saved story")

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, object_id, include_deleted=True)
        context = self._context(
            request,
            article,
            title=f"History: {article}",
            revisions=article.revisions.select_related("created_by"),
            can_restore=request.user.has_perm(services.RESTORE_REVISION_PERMISSION)
            and services.can_edit(request.user, article)
            and article.deleted_at is None,
        )
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id, include_deleted=True)
        numbers = []
        for key in ("from", "to"):
            value = request.GET.get(key, "")
            if not value.isdigit():
                messages.error(request, "Choose two revisions to compare.")
                return HttpResponseRedirect(
                    reverse("admin:articles_article_history", args=[article.pk])
                )
            numbers.append(int(value))
        old_number, new_number = sorted(numbers)
        old = get_object_or_404(Revision, article=article, number=old_number)
        new = get_object_or_404(Revision, article=article, number=new_number)
        context = self._context(
            request,
            article,
            title=f"Revision {old.number} → {new.number}: {article}",
            old=old,
            new=new,
            changes=revisions.compare(old.snapshot, new.snapshot),
        )
        return TemplateResponse(request, "admin/articles/article/diff.html", context)

    @staticmethod
    def _refuse_non_post(request):
        if request.method != "POST":
            raise Http404("Use the button on the page.")

    def restore_view(self, request, object_id, number):
        """Show what restoring a revision would change; restore only when that is confirmed."""
        article = self._article_or_404(request, object_id)
        revision = get_object_or_404(Revision, article=article, number=number)
        if request.method != "POST":
            into_working_draft = (
                article.status == Status.PUBLISHED and article.published_at is not None
            )
            # Into a working draft, the credits stay (services.restore_revision).
            restored_keys = revisions.DRAFT_KEYS if into_working_draft else revisions.RESTORED_KEYS
            current = revisions.snapshot(article)
            restored = current | {key: revision.snapshot.get(key) for key in restored_keys}
            context = self._context(
                request,
                article,
                title=f"Restore revision {number}: {article}",
                revision=revision,
                changes=revisions.compare(current, restored),
                into_working_draft=into_working_draft,
            )
            return TemplateResponse(request, "admin/articles/article/restore_confirm.html", context)
        try:
            restored_article = services.restore_revision(revision=revision, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=[article.pk])
            )
        if restored_article.working_draft:
            messages.success(
                request,
                f"Revision {number} is in the working draft; readers still see the published "
                "version until the changes are published.",
            )
        else:
            messages.success(request, f"Restored revision {number} as a new revision.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def working_draft_view(self, request, object_id):
        """The live story against its working draft; an editor publishes the draft from here."""
        article = self._article_or_404(request, object_id)
        if request.method == "POST":
            if not services.can_publish(request.user):
                messages.error(
                    request,
                    "Only an editor can publish changes to a live story; your working draft "
                    "is kept for them.",
                )
                return HttpResponseRedirect(
                    reverse("admin:articles_article_working_draft", args=[article.pk])
                )
            if not article.working_draft:
                messages.info(request, "There is no working draft to publish.")
            else:
                with self.write_block():
                    services.publish_changes(
                        article=article, user=request.user, from_working_draft=True
                    )
                messages.success(request, "Changes published: readers see them now.")
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        changes_ = (
            revisions.compare(revisions.live_snapshot(article), revisions.snapshot(article))
            if article.working_draft
            else []
        )
        context = self._context(
            request,
            article,
            title=f"Working draft: {article}",
            changes=changes_,
            can_publish=services.can_publish(request.user),
        )
        return TemplateResponse(request, "admin/articles/article/working_draft.html", context)

    def trash_view(self, request):
        if not request.user.has_perm(services.RECOVER_PERMISSION):
            raise PermissionDenied
        context = self._context(
            request,
            title="Trash",
            deleted=Article.objects.in_trash().select_related("deleted_by").order_by("-deleted_at"),
        )
        return TemplateResponse(request, "admin/articles/article/trash.html", context)

    def recover_view(self, request, object_id):
        self._refuse_non_post(request)
        article = self._article_or_404(request, object_id, include_deleted=True)
        services.recover_article(article=article, user=request.user)
        messages.success(request, f"“{article}” is back from the trash.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def share_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if not request.user.has_perm(services.SHARE_PERMISSION):
            raise PermissionDenied
        form = ShareLinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            link = services.create_share_link(
                article=article,
                user=request.user,
                lifetime=datetime.timedelta(hours=form.cleaned_data["hours"]),
            )
            messages.success(
                request,
                f"Share link created; it works until "
                f"{timezone.localtime(link.expires_at):%d %b %Y, %H:%M}.",
            )
            return HttpResponseRedirect(reverse("admin:articles_article_share", args=[article.pk]))
        links = [
            (link, previews.share_link_url(request, link))
            for link in article.share_links.select_related("created_by", "revoked_by")
        ]
        context = self._context(
            request, article, title=f"Share a preview: {article}", form=form, links=links
        )
        return TemplateResponse(request, "admin/articles/article/share_links.html", context)

    def withdraw_view(self, request, object_id):
        """Withdraw (kill) a story everywhere at once, saying why."""
        article = self._article_or_404(request, object_id)
        if not services.can_publish(request.user):
            raise PermissionDenied
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with changes.atomic():
                services.kill_story(
                    article=article, user=request.user, reason=form.cleaned_data["reason"]
                )
            messages.warning(
                request,
                f"“{article}” is withdrawn from every page, feed and the API; its address "
                "answers 410 Gone.",
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = self._context(request, article, title=f"Withdraw: {article}", form=form)
        return TemplateResponse(request, "admin/articles/article/withdraw.html", context)

    def revoke_view(self, request, object_id, link_id):
        self._refuse_non_post(request)
        article = self._article_or_404(request, object_id)
        link = get_object_or_404(ShareLink, pk=link_id, article=article)
        services.revoke_share_link(link=link, user=request.user)
        messages.success(request, "The share link no longer works.")
        return HttpResponseRedirect(reverse("admin:articles_article_share", args=[article.pk]))

    def translate_view(self, request, object_id):
        """POST: a new draft translating this story into the chosen language, opened at once."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[object_id]))
        article = self._article_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TranslateForm(request.POST, article=article)
        if not form.is_valid():
            messages.error(request, "Choose a language the story has no translation in yet.")
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        try:
            draft = services.translate_article(
                article=article, language=form.cleaned_data["translate_into"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        messages.success(
            request,
            f"A {draft.get_language_display()} draft of “{article.original}” with its photo, "
            "sources and tags: translate the headline, standfirst and body, then save.",
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[draft.pk]))

    def up_to_date_view(self, request, object_id):
        """POST: the editor has brought this translation in line with its corrected original."""
        self._refuse_non_post(request)
        article = self._article_or_404(request, object_id)
        services.mark_translation_up_to_date(article=article, user=request.user)
        messages.success(request, "Marked as up to date with its original.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def corrections_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        can_correct = request.user.has_perm(services.CORRECT_PERMISSION)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST":
            if not can_correct:
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.add_correction(article=article, user=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, "Added; readers see it at the foot of the story.")
                    return HttpResponseRedirect(
                        reverse("admin:articles_article_corrections", args=[article.pk])
                    )
        context = self._context(
            request,
            article,
            title=f"Corrections and updates: {article}",
            form=form,
            can_correct=can_correct and article.is_published,
            corrections=article.corrections.select_related("created_by"),
        )
        return TemplateResponse(request, "admin/articles/article/corrections.html", context)


class TranslateForm(forms.Form):
    # Not "language": the form travels with the story's own form (a button's formaction).
    translate_into = forms.ChoiceField(label="Translate into")

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        original = article.original
        taken = {
            original.language,
            *original.translations.live().values_list("language", flat=True),
        }
        self.fields["translate_into"].choices = [
            (code, name) for code, name in language_choices() if code not in taken
        ]


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        label="Valid for (hours)",
        min_value=1,
        max_value=int(services.MAX_SHARE_LINK_LIFETIME.total_seconds() // 3600),
        initial=int(services.DEFAULT_SHARE_LINK_LIFETIME.total_seconds() // 3600),
    )


class RepublishForm(forms.ModelForm):
    """The story form of a withdrawn story: republishing it takes an explicit confirmation."""

    confirm_republish = forms.BooleanField(
        required=False,
        label="Republish this withdrawn story",
        help_text="It was withdrawn (or killed by its agency). Tick to confirm that it may be "
        "published again.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why, for the desk's record (e.g. “Agency kill: legal”). Readers see only "
        "that the story was withdrawn.",
    )


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(choices=Correction.Kind.choices, initial=Correction.Kind.CORRECTION)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="What was wrong and what is right now, or what is new. Readers see it as is.",
    )
