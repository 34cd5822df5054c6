"""The story editor and the list of stories."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
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


class StaleTranslationFilter(admin.SimpleListFilter):
    title = "translation"
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("behind", "Original corrected since"),
            ("any", "Translations"),
            ("originals", "Originals"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "behind":
            return queryset.filter(original_changed_at__isnull=False)
        if self.value() == "any":
            return queryset.filter(translation_of__isnull=False)
        if self.value() == "originals":
            return queryset.filter(translation_of__isnull=True)
        return queryset


class StoryChangeList(ChangeList):
    """The list of stories, with every row's sources and tags in one query each."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).prefetch_related("sources", "tags")


@admin.register(Article)
class ArticleAdmin(LiveDeskMixin, ArticleWorkflowAdmin):
    """The story editor; statuses, revisions, previews and the trash come from the workflow base,
    the live desk (updates posted to live coverage) from its mixin."""

    list_display = [
        "headline",
        "status",
        "language",
        "translation_state",
        "published_at",
        "source_names",
        "tag_names",
        "thumbnail",
    ]
    list_display_links = ["headline"]
    list_filter = [
        "status",
        "language",
        StaleTranslationFilter,
        "sources",
        TagListFilter,
        "published_at",
    ]
    list_select_related = ["lead_image", "translation_of"]
    date_hierarchy = "published_at"
    search_fields = ["headline", "standfirst", "byline"]
    autocomplete_fields = ["sources", "lead_image"]
    raw_id_fields = ["translation_of"]  # a story number, with a look-up link
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at"]

    class Media:
        # Names the rich-text editor and autocomplete boxes after their labels (screen readers).
        js = ["articles/admin-a11y.js"]

    fieldsets = [
        ("Story", {"fields": ["headline", "standfirst", "body", "byline", "language"]}),
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
                    "translation_of",
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

    @admin.display(description="Translation")
    def translation_state(self, article):
        if article.original_changed_at:
            when = date_format(timezone.localtime(article.original_changed_at), "j F, H:i")
            return format_html(
                '<strong class="translation-stale">Original corrected on {}</strong>', when
            )
        if article.translation_of_id:
            return f"Translation of “{article.translation_of}”"
        return ""

    @admin.display(description="Photo")
    def thumbnail(self, article):
        return thumbnail(article.lead_image, 64)
