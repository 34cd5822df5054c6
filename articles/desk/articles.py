"""The story editor and the list of stories."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.utils.html import format_html
from taggit.managers import TaggableManager

from ..editorial import services
from ..models import Article, Tag
from ..search.engines import get_engine
from ..search.query import parse_query
from . import bulk
from .live import LiveDeskMixin
from .photos import thumbnail
from .tags import TagAutocompleteWidget
from .workflow import ArticleWorkflowAdmin


class TagListFilter(admin.SimpleListFilter):
    """The most used tags (from the kept counts), and the chosen one; every tag is reachable
    through search. Listing all of them would be thousands of links on a big archive."""

    title = "tag"
    parameter_name = "tag"
    SHOWN = 25

    def lookups(self, request, model_admin):
        top = list(
            Tag.objects.with_published_counts()
            .filter(story_count__gt=0)
            .order_by("-story_count", "name")
            .values_list("slug", "name")[: self.SHOWN]
        )
        chosen = self.value()
        if chosen and chosen not in dict(top):
            top += list(Tag.objects.filter(slug=chosen).values_list("slug", "name"))
        return sorted(top, key=lambda pair: pair[1].lower())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class DeskStatusFilter(admin.SimpleListFilter):
    """Statuses as the desk says them: scheduled stories are not "published" yet."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [choice for choice in Article.DESK_STATUSES if choice[0] != "trash"]

    def queryset(self, request, queryset):
        if self.value() in dict(Article.DESK_STATUSES):
            return queryset.in_desk_status(self.value())
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
        "headline_cell",
        "status_cell",
        "published_at",
        "source_names",
        "tag_names",
        "thumbnail",
    ]
    list_display_links = ["headline_cell"]
    list_filter = [DeskStatusFilter, "sources", TagListFilter, "published_at"]
    list_select_related = ["lead_image"]
    list_per_page = 50
    show_full_result_count = False  # one count(*) fewer; "Show all" still counts
    date_hierarchy = "published_at"
    # Searched by the project's search engine (get_search_results), not by LIKE scans.
    search_fields = ["headline"]
    search_help_text = (
        'Words from the headline, standfirst, body or tags; "a phrase", -leave-out, this or '
        "that; or a story's number."
    )
    autocomplete_fields = ["sources", "lead_image"]
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at"]
    actions = bulk.ACTIONS
    action_form = bulk.BulkActionForm

    class Media:
        # Names the rich-text editor and autocomplete boxes after their labels (screen readers).
        js = ["articles/admin-a11y.js"]

    # The change form shows "Publishing" in its side panel (change_form.html), the rest beside it.
    fieldsets = [
        ("Story", {"fields": ["headline", "standfirst", "body", "byline"]}),
        ("Photo", {"fields": ["lead_image"]}),
        ("Tags and sources", {"fields": ["tags", "sources", "slug"]}),
        ("Publishing", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at":
            field.label = f"Publication time ({settings.TIME_ZONE})"
            field.help_text = (
                f"Newsroom time, {settings.TIME_ZONE}. A future time schedules the story."
            )
        elif db_field.name == "headline":
            field.help_text = "Search results show about 70 characters."
        return field

    @admin.display(description="Headline", ordering="headline")
    def headline_cell(self, article):
        return format_html('<span class="desk-headline">{}</span>', article.headline)

    @admin.display(description="Status", ordering="status")
    def status_cell(self, article):
        return format_html(
            '<span class="desk-status desk-status--{}">{}</span>',
            article.desk_status,
            article.desk_status_label,
        )

    def get_search_results(self, request, queryset, search_term):
        """Stories whose headline, standfirst, body or tags match, through articles/search: the
        full-text index of every story, drafts included (reader searches filter to published)."""
        term = search_term.strip()
        query = parse_query(term)
        if not query:
            return queryset, False
        matched = get_engine().matching(Article.objects.all(), query).values("pk")
        condition = Q(pk__in=matched)
        if term.isdigit():
            condition |= Q(pk=int(term))
        return queryset.filter(condition), False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # stories go to the trash: "Move to the trash"
        return actions

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

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
