"""The story editor and the list of stories."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from taggit.managers import TaggableManager

from ..editorial import services
from ..languages import default_language
from ..models import Article, Contributor, Tag
from ..search.engines import get_engine
from ..search.models import Counted, ListingCount
from ..search.query import parse_query
from . import bulk
from .authors import ContributorInline
from .lead_photo import StoryForm, attach_lead_photo, lead_photo_panel, update_alt_text
from .live import LiveDeskMixin
from .live_editing import LiveEditingMixin
from .photos import thumbnail
from .rights import rights_badges
from .tags import TagAutocompleteWidget
from .workflow import ArticleWorkflowAdmin


class TagListFilter(admin.SimpleListFilter):
    """The most used tags, and the chosen one; every tag is reachable through search. Listing all
    of them would be thousands of links on a big archive.

    "Most used" reads the kept counts as they are (published and scheduled stories), one indexed
    row per tag: the desk lists scheduled stories too, and taking the scheduled ones off every
    tag's count (as readers' pages must) cost 0.9 s at 20,000 stories on SQLite."""

    title = "tag"
    parameter_name = "tag"
    SHOWN = 25

    def lookups(self, request, model_admin):
        most_used = (
            ListingCount.objects.filter(kind=Counted.TAG, other=0, listed__gt=0)
            .order_by("-listed", "target")
            .values("target")[: self.SHOWN]
        )
        top = list(Tag.objects.filter(pk__in=most_used).values_list("slug", "name"))
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
    """The list of stories, with every row's sources, tags and credited authors in one query
    each."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(
                "sources",
                "tags",
                Prefetch("contributions", Contributor.objects.select_related("author")),
            )
        )


@admin.register(Article)
class ArticleAdmin(LiveEditingMixin, LiveDeskMixin, ArticleWorkflowAdmin):
    """The story editor; statuses, revisions, previews and the trash come from the workflow base,
    the live desk (updates posted to live coverage) from its mixin; autosave, presence and the
    live preview from LiveEditingMixin."""

    # Headline, status, who and when first: with the desk's menu and the filters beside it, a
    # 1280 px window leaves the table about 630 px, so language, translation, sources and tags
    # share one "Details" column and rights go under the status (static/css/admin.css).
    list_display = [
        "headline_cell",
        "status_cell",
        "byline_cell",
        "publication_time",
        "details",
        "thumbnail",
    ]
    list_display_links = ["headline_cell"]
    list_filter = [
        DeskStatusFilter,
        "language",
        StaleTranslationFilter,
        "sources",
        TagListFilter,
        "published_at",
    ]
    list_select_related = ["lead_image", "translation_of", "withdrawn_by"]
    list_per_page = 50
    show_full_result_count = False  # one count(*) fewer; "Show all" still counts
    date_hierarchy = "published_at"
    # Searched by the project's search engine (get_search_results), not by LIKE scans.
    search_fields = ["headline"]
    search_help_text = (
        "Words from the headline, standfirst, body, tags, byline or contributors' names; "
        '"a phrase", -leave-out, this or that; or a story\'s number.'
    )
    autocomplete_fields = ["sources", "lead_image"]
    raw_id_fields = ["translation_of"]  # a story number, with a look-up link
    inlines = [ContributorInline]
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at", "lead_photo"]
    form = StoryForm
    actions = bulk.ACTIONS
    action_form = bulk.BulkActionForm

    class Media:
        # admin-a11y names the rich-text editor and autocomplete boxes after their labels.
        js = ["articles/admin-a11y.js", "articles/desk-photos.js", "articles/desk-live.js"]

    # The change form shows "Publishing" in its side panel (change_form.html), the rest beside it.
    fieldsets = [
        ("Story", {"fields": ["headline", "standfirst", "body", "byline", "language"]}),
        (
            "Photo",
            {"fields": ["lead_photo", "lead_image", "lead_photo_file", "lead_photo_alt"]},
        ),
        (
            "Rights",
            {
                "fields": ["embargoed_until", "expires_at"],
                "description": "An embargo stops anyone publishing or showing the story before "
                "it lifts (schedule it for then). At its expiry the story leaves every public "
                "page, feed and the API by itself.",
            },
        ),
        ("Tags and sources", {"fields": ["tags", "sources", "slug", "translation_of"]}),
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
        status = format_html(
            '<span class="desk-status desk-status--{}">{}</span>',
            article.desk_status,
            article.desk_status_label,
        )
        badges = rights_badges(article)
        if badges == "—":
            return status
        return format_html('{} <span class="desk-rights">{}</span>', status, badges)

    @admin.display(description="By")
    def byline_cell(self, article):
        if byline := article.byline_text(leading_by=False):
            return byline
        return format_html('<span class="desk-none">{}</span>', self.get_empty_value_display())

    @admin.display(description="Publication time", ordering="published_at")
    def publication_time(self, article):
        if not article.published_at:
            return self.get_empty_value_display()
        when = timezone.localtime(article.published_at)
        return format_html(
            '<time datetime="{}"><span>{}</span> <span>{}</span></time>',
            when.isoformat(),
            date_format(when, "j M Y"),
            date_format(when, "H:i"),
        )

    @admin.display(description="Details")
    def details(self, article):
        """Language (when not the site's), translation, tags and sources, one line each."""
        lines = []
        if article.language != default_language():
            lines.append(format_html("<span>{}</span>", article.get_language_display()))
        translation = self.translation_state(article)
        if translation:
            lines.append(format_html("<span>{}</span>", translation))
        tags = self.tag_names(article)
        if tags:
            lines.append(format_html('<span class="desk-details__tags">Tags: {}</span>', tags))
        sources = self.source_names(article)
        if sources:
            lines.append(format_html("<span>Sources: {}</span>", sources))
        if not lines:
            return self.get_empty_value_display()
        return format_html(
            '<span class="desk-details">{}</span>',
            format_html_join("", "{}", ((line,) for line in lines)),
        )

    def get_search_results(self, request, queryset, search_term):
        """Stories whose headline, standfirst, body, tags, byline or contributors' names match,
        through articles/search: the full-text index of every story, drafts included (reader
        searches filter to published). No LIKE scan of the story table."""
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

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        beyond_role = bulk.run_beyond_role(self, request, queryset)
        if beyond_role is not None:
            return beyond_role
        return super().response_action(request, queryset, action_location=action_location)

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    @admin.display(description="Rights")
    def rights(self, article):
        return rights_badges(article)

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
            attach_lead_photo(
                obj,
                upload=upload,
                alt_text=alt_text,
                user=request.user,
                for_working_draft=form.into_working_draft,
            )
        elif form.alt_text_changed():
            update_alt_text(obj.lead_image, alt_text)
        super().save_model(request, obj, form, change)

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
