"""The story editor and the list of stories."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from taggit.managers import TaggableManager

from ..models import Article, Tag
from .lead_photo import StoryForm, attach_lead_photo, lead_photo_panel, update_alt_text
from .live_editing import LiveEditingMixin
from .photos import thumbnail
from .tags import TagAutocompleteWidget
from .workflow import ArticleWorkflowAdmin


class TagListFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        used = Tag.objects.filter(tagged_articles__isnull=False).distinct().order_by("name")
        return [(tag.slug, tag.name) for tag in used]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class StoryChangeList(ChangeList):
    """The list of stories, with every row's sources and tags in one query each."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).prefetch_related("sources", "tags")


@admin.register(Article)
class ArticleAdmin(LiveEditingMixin, ArticleWorkflowAdmin):
    """The story editor; statuses, revisions, previews and the trash come from the workflow base."""

    list_display = ["headline", "status", "published_at", "source_names", "tag_names", "thumbnail"]
    list_display_links = ["headline"]
    list_filter = ["status", "sources", TagListFilter, "published_at"]
    list_select_related = ["lead_image"]
    date_hierarchy = "published_at"
    search_fields = ["headline", "standfirst", "byline"]
    autocomplete_fields = ["sources", "lead_image"]
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at", "lead_photo"]
    form = StoryForm

    class Media:
        # admin-a11y names the rich-text editor and autocomplete boxes after their labels.
        js = ["articles/admin-a11y.js", "articles/desk-photos.js", "articles/desk-live.js"]

    fieldsets = [
        ("Story", {"fields": ["headline", "standfirst", "body", "byline"]}),
        (
            "Lead photo",
            {"fields": ["lead_photo", "lead_image", "lead_photo_file", "lead_photo_alt"]},
        ),
        (
            "Metadata",
            {
                "fields": [
                    "status",
                    "published_at",
                    "slug",
                    "sources",
                    "tags",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    @admin.display(description="Sources")
    def source_names(self, article):
        return ", ".join(source.name for source in article.sources.all())

    @admin.display(description="Tags")
    def tag_names(self, article):
        return ", ".join(tag.name for tag in article.tag_list())

    @admin.display(description="Lead photo")
    def lead_photo(self, article):
        image = article.lead_image if article and article.lead_image_id else None
        change_url = reverse("admin:articles_image_change", args=[image.pk]) if image else ""
        return lead_photo_panel(
            image, change_url=change_url, chooser_url=reverse("admin:articles_image_chooser")
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("lead_photo_file")
        alt_text = form.cleaned_data.get("lead_photo_alt") or ""
        if upload:
            attach_lead_photo(obj, upload=upload, alt_text=alt_text, user=request.user)
        elif "lead_photo_alt" in form.changed_data:
            update_alt_text(obj.lead_image, alt_text)
        super().save_model(request, obj, form, change)

    @admin.display(description="Photo")
    def thumbnail(self, article):
        return thumbnail(article.lead_image, 64)
