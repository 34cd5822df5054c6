"""Tags in the admin: usage counts, search, rename and merge (recorded, with redirects), and the
autocomplete that the article form's tags box uses."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from taggit.forms import TagWidget
from taggit.models import Tag as TaggitDefaultTag

from ..editorial.tagging import TagConflict, merge_tags, rename_tag
from ..models import Tag, TagMerge, TagRedirect, clean_tag_name, tag_name_key
from .base import DeskModelAdmin

# taggit's own tag model is unused: ours (articles.Tag) replaces it.
admin.site.unregister(TaggitDefaultTag)


class TagAutocompleteWidget(TagWidget):
    """The comma-separated tags box, shown as chips with suggestions of existing tags.

    Without JavaScript it is the plain text box; with it, each tag is a chip and a combobox
    suggests existing tags as the editor types (static/articles/admin-tags.js).
    """

    class Media:
        js = ["articles/admin-tags.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["autocomplete"] = "off"
        widget_attrs["class"] = "vLargeTextField"
        widget_attrs["data-tag-autocomplete"] = reverse("admin:articles_tag_autocomplete")
        return context


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug", "names"]

    def clean_name(self):
        name = clean_tag_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("A tag needs a name.")
        others = Tag.objects.filter(name_key=tag_name_key(name)).exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None:
            raise forms.ValidationError(
                f"“{other.name}” already exists (tags ignore case, spacing and accents' "
                "encoding). Merge the two tags instead."
            )
        return name


class RenameForm(forms.Form):
    new_name = forms.CharField(label="New name", max_length=100)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this tag",
        help_text="The other tags' stories get this tag; their addresses redirect to it.",
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = tags


@admin.register(Tag)
class TagAdmin(DeskModelAdmin):
    form = TagForm
    list_display = ["name", "slug", "article_count", "published_count", "public_page"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["rename_action", "merge_action"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_published_counts()
            .annotate(article_count=Count("tagged_articles", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        # A changed name gets its new address through `rename_tag`, which keeps the old one.
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            rename_tag(Tag.objects.get(pk=obj.pk), new_name=form.cleaned_data["name"])
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description="Stories", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    @admin.display(description="Published", ordering="story_count")
    def published_count(self, tag):
        return tag.story_count

    @admin.display(description="Public page")
    def public_page(self, tag):
        return format_html('<a href="{}">view</a>', tag.get_absolute_url())

    # Actions ------------------------------------------------------------------------------------

    def has_merge_permission(self, request):
        return request.user.has_perm("articles.merge_tags") and self.has_change_permission(request)

    @admin.action(description="Rename the selected tag", permissions=["change"])
    def rename_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one tag to rename.", messages.WARNING)
            return None
        tag = queryset.get()
        form = RenameForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            old_name = tag.name
            try:
                rename_tag(tag, new_name=form.cleaned_data["new_name"])
            except (TagConflict, ValueError) as error:
                form.add_error("new_name", str(error))
            else:
                self.log_change(request, tag, f"Renamed from “{old_name}”.")
                self.message_user(
                    request,
                    f"Renamed “{old_name}” to “{tag.name}”; its old address redirects here.",
                    messages.SUCCESS,
                )
                return None
        return self._action_page(request, "rename", form, [tag], "Rename a tag")

    @admin.action(description="Merge the selected tags into one", permissions=["merge"])
    def merge_action(self, request, queryset):
        tags = queryset.order_by("name")
        if tags.count() < 2:
            self.message_user(request, "Select two or more tags to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, tags=tags)
        if form.is_valid():
            into = form.cleaned_data["into"]
            records = merge_tags(list(tags), into=into, user=request.user)
            names = ", ".join(f"“{record.merged_name}”" for record in records)
            self.log_change(request, into, f"Merged {names} into this tag.")
            self.message_user(request, f"Merged {names} into “{into.name}”.", messages.SUCCESS)
            return None
        return self._action_page(request, "merge", form, list(tags), "Merge tags")

    def _action_page(self, request, action, form, tags, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "tags": tags,
            "action": f"{action}_action",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, f"admin/articles/tag/{action}.html", context)

    # Autocomplete -------------------------------------------------------------------------------

    def get_urls(self):
        autocomplete = path(
            "autocomplete/",
            self.admin_site.admin_view(self.autocomplete_view),
            name="articles_tag_autocomplete",
        )
        return [autocomplete, *super().get_urls()]

    def autocomplete_view(self, request):
        """Up to 20 tag names matching the start of the name or of one of its words."""
        if not self.has_view_permission(request) and not request.user.has_perm(
            "articles.change_article"
        ):
            raise PermissionDenied
        term = clean_tag_name(request.GET.get("q", "").replace("\x00", ""))
        tags = Tag.objects.all()
        if term:
            tags = tags.filter(Q(name__istartswith=term) | Q(name__icontains=f" {term}"))
        names = list(
            tags.annotate(uses=Count("tagged_articles"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:20]
        )
        return JsonResponse({"results": names})


@admin.register(TagMerge)
class TagMergeAdmin(admin.ModelAdmin):  # read-only: no writes to wrap
    """The record of merges: read-only."""

    list_display = ["merged_name", "into", "article_count", "merged_by", "merged_at"]
    list_select_related = ["into", "merged_by"]
    search_fields = ["merged_name", "into__name"]
    date_hierarchy = "merged_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TagRedirect)
class TagRedirectAdmin(DeskModelAdmin):
    list_display = ["old_slug", "tag", "created_at"]
    list_select_related = ["tag"]
    search_fields = ["old_slug", "tag__name"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["tag"]
