"""The story editor and the list of stories."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from taggit.managers import TaggableManager

from ..models import Article, Tag
from .live import LiveDeskMixin
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
class ArticleAdmin(LiveDeskMixin, ArticleWorkflowAdmin):
    """The story editor; statuses, revisions, previews and the trash come from the workflow base,
    the live desk (updates posted to live coverage) from its mixin."""

    list_display = ["headline", "status", "published_at", "source_names", "tag_names", "thumbnail"]
    list_display_links = ["headline"]
    list_filter = ["status", "sources", TagListFilter, "published_at"]
    list_select_related = ["lead_image"]
    date_hierarchy = "published_at"
    search_fields = ["headline", "standfirst", "byline"]
    autocomplete_fields = ["sources", "lead_image"]
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at"]

    class Media:
        # Names the rich-text editor and autocomplete boxes after their labels (screen readers).
        js = ["articles/admin-a11y.js"]

    fieldsets = [
        ("Story", {"fields": ["headline", "standfirst", "body", "byline"]}),
        ("Media", {"fields": ["lead_image"]}),
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

    @admin.display(description="Photo")
    def thumbnail(self, article):
        return thumbnail(article.lead_image, 64)
