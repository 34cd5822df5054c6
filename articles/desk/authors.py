"""Authors in the desk: their records, story counts, the contributor picker inside the story form,
and merging two records of the same person."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.html import format_html

from ..editorial import services
from ..editorial.authors import (
    MERGE_PERMISSION,
    SlugTaken,
    check_free_slug,
    merge_authors,
    save_author,
)
from ..models import Author, Contributor
from .base import DeskModelAdmin


class LiveCreditsFormSet(BaseInlineFormSet):
    """Credits are not part of a working draft: on a save that keeps one (a live story's plain
    save), a change is refused with what to do instead, and nothing of the form is lost."""

    request = None  # set by ContributorInline.get_formset

    def clean(self):
        super().clean()
        # Validated after the story's form was saved, which says where the save goes.
        into_working_draft = getattr(self.request, "desk_into_working_draft", False)
        if into_working_draft and self.has_changed():
            raise ValidationError(
                "Readers see this story now: its credits change with “Publish changes”, not in "
                "the working draft."
            )


class ContributorInline(admin.TabularInline):
    """Who wrote, reported, translated, photographed or edited the story, in byline order."""

    model = Contributor
    formset = LiveCreditsFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]
    verbose_name = "contributor"
    verbose_name_plural = "Contributors (the byline; the free-text byline stays for wire copy)"

    # Credits are not kept in a working draft: on a live story they change with "Publish
    # changes" (LiveCreditsFormSet), so only editors change them; reporters see them.
    def _credits_editable(self, request, obj) -> bool:
        return obj is None or services.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._credits_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._credits_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._credits_editable(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A table row's fields have a column heading, not a <label>: name them for screen readers.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in ("author", "role", "position"):
            field.widget.attrs["aria-label"] = str(db_field.verbose_name).capitalize()
        return field


class AuthorForm(forms.ModelForm):
    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            try:
                check_free_slug(self.instance, slug)
            except SlugTaken as exc:
                raise forms.ValidationError(exc.messages) from exc
        return slug


class MergeAuthorsForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Author.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this record",
        help_text="The others' story credits, account and missing details move to it; then "
        "they are deleted.",
    )

    def __init__(self, *args, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = authors


@admin.register(Author)
class AuthorAdmin(DeskModelAdmin):
    form = AuthorForm
    list_display = ["name", "title", "story_count", "published_count", "has_account", "page"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]
    list_select_related = ["user"]
    actions = ["merge_action"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_published_counts()
            .annotate(credit_count=Count("contributions__article", distinct=True))
            .order_by("name", "pk")
        )

    @admin.display(description="Stories", ordering="credit_count")
    def story_count(self, author):
        return author.credit_count

    @admin.display(description="Published", ordering="story_count")
    def published_count(self, author):
        return author.story_count

    @admin.display(description="Account", boolean=True)
    def has_account(self, author):
        return author.user_id is not None

    @admin.display(description="Public page")
    def page(self, author):
        return format_html('<a href="{}">view</a>', author.get_absolute_url())

    def save_model(self, request, obj, form, change):
        save_author(author=obj)  # a changed slug leaves a redirect from the old address

    def has_merge_permission(self, request):
        return request.user.has_perm(MERGE_PERMISSION) and self.has_change_permission(request)

    @admin.action(description="Merge the selected authors (one person)", permissions=["merge"])
    def merge_action(self, request, queryset):
        authors = queryset.order_by("name")
        if authors.count() < 2:
            self.message_user(request, "Select two or more authors to merge.", messages.WARNING)
            return None
        form = MergeAuthorsForm(request.POST if "apply" in request.POST else None, authors=authors)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            others = [author for author in authors if author.pk != keep.pk]
            names = ", ".join(f"“{author.name}”" for author in others)
            merge_authors(keep=keep, others=others, user=request.user)
            self.log_change(request, keep, f"Merged {names} into this author.")
            self.message_user(request, f"Merged {names} into “{keep.name}”.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge authors",
            "opts": self.model._meta,
            "form": form,
            "authors": list(authors),
            "action": "merge_action",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/author/merge.html", context)
