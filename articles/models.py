"""The newsroom's content: sources, photos, tags and articles, and their querysets.

`Article.objects.published()` is the one place that decides what readers may see (`live()` is
"not in the trash", `listed()` adds "published or scheduled"); `with_published_counts()` counts a
tag's or a source's published stories for querysets that filter or sort by the count (its twin
for counts read as numbers is `ListingCount.objects.due_many()`). The search tables that mirror
stories for lists and full-text search live beside the search code (articles/search/models.py).

Nothing here reacts to a save: what follows a change (listings, the search index, caches,
renditions) is collected and done once per transaction by articles/changes.py.
"""

import datetime
import functools
import html
import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from .accounts.models import AuditEntry, LoginFailure, UserSession  # noqa: F401 (registers them)
from .credits import free_byline_parts
from .html import EDITOR_EXTENSIONS, sanitize_body
from .languages import default_language, generic, language_choices, url_prefix
from .photos.uploads import prepare_original
from .search.models import ListedUnder, ListingCount, ListingLink

MAX_TAG_NAME_LENGTH = 100


def site_root(language: str | None = None) -> str:
    """Where the reader's pages in `language` start (by default the language of the page being
    made): "/" for English, "/fr/" for French. Stories', tags' and sources' addresses are
    written out from it rather than reversed: a list page asks for hundreds of them, and
    reverse() costs about 20 µs each (tests/test_models.py checks that both agree)."""
    return _site_root() + url_prefix(language or translation.get_language())


@functools.cache
def newsroom_time(moment: datetime.datetime) -> str:
    """A moment as the desk writes it, in the newsroom's time zone and naming it."""
    return timezone.localtime(moment).strftime("%-d %b %Y, %H:%M %Z")


@functools.cache
def _site_root() -> str:
    with translation.override(None):  # the unprefixed (default language) root
        return reverse("articles:front")


def tag_url(slug: str) -> str:
    return f"{site_root()}tags/{quote(slug)}/"  # reverse("articles:tag", …)


def unique_slug(rows, text: str, *, max_length: int, exclude_pk=None, allow_unicode=False) -> str:
    """`slugify(text)`, suffixed -2, -3… until no other of `rows` (a model or a queryset) has
    it."""
    base = slugify(text, allow_unicode=allow_unicode)[:max_length].strip("-") or "untitled"
    others = (rows._default_manager.all() if isinstance(rows, type) else rows).exclude(
        pk=exclude_pk
    )
    candidate, n = base, 1
    while others.filter(slug=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) < 2:
        return "".join(names)
    return f"{gettext(', ').join(names[:-1])} {gettext('and')} {names[-1]}"


def format_moment(moment: datetime.datetime) -> str:
    """A moment as editors read it: "14:00 GMT, 3 Dec 2026" in the newsroom's time zone."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {local.tzname()}, {local.day} {local:%b %Y}"


def embargo_refusal(embargoed_until: datetime.datetime) -> str:
    """Why a story cannot go out yet, saying when it can."""
    when = format_moment(embargoed_until)
    return (
        f"Embargoed until {when}: the story cannot be published or shown before then. "
        f"Schedule it for {when} or later."
    )


def who_did_it(*, editable=False):
    """A record of which user did something; kept (as empty) when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=editable,
    )


class PublishedCountQuerySet(models.QuerySet):
    """Tags or sources with how many published stories each has, in SQL.

    The counts are kept as stories change (`ListingCount`), so a count costs one row however many
    stories it counts; the listed stories not due yet (scheduled, or expired before a change
    removed them: `not_due` in articles/search/models.py) are taken off through their
    `ListingLink` rows. Used where the rows are filtered, sorted or paged by their count: the
    desk's tag and source lists, the API's tag and source lists, the tag and source sitemaps.
    (Authors are counted by `AuthorQuerySet`, through `published()`: no kept counts for them.)

    `ListingCount.objects.due_many()` subtracts the same stories in Python, for counts read as
    numbers (facets, totals, the tags page, pairs and months, which no model row carries). Two
    because neither can stand in for the other at no cost: this one as Python would load every
    row to sort or page it; that one as SQL would run two subqueries per counted row where it
    now reads the few not-due stories once.
    """

    # What `ListingCount` and `ListingLink` call rows of this queryset's model.
    listed_under = ""

    def with_published_counts(self):
        """Every row, annotated with `story_count`: its published stories (0 when none)."""
        kept = ListingCount.objects.filter(kind=self.listed_under, target=OuterRef("pk"), other=0)
        now = timezone.now()

        def links(**where):
            counted = (
                ListingLink.objects.filter(kind=self.listed_under, target=OuterRef("pk"), **where)
                .order_by()
                .values("target")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

        # The links that are not due (`not_due`), as two ranges that each have an index: as one
        # OR they were found by reading every link of the tag.
        return self.annotate(
            story_count=Coalesce(Subquery(kept.values("listed")), 0)
            - links(published_at__gt=now)
            - links(expires_at__lte=now, published_at__lte=now)
        )

    def with_published_stories(self):
        """Only the rows with at least one published story, each with its `story_count`."""
        return self.with_published_counts().filter(story_count__gt=0)


class SourceQuerySet(PublishedCountQuerySet):
    listed_under = ListedUnder.SOURCE


class Source(models.Model):
    """A credited origin of reporting: an agency, an outlet, or the generic "News Agencies"."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="source_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        if not self.slug:
            self.slug = unique_slug(Source, self.name, max_length=200, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{site_root()}sources/{quote(self.slug)}/"  # reverse("articles:source", …)

    @classmethod
    def get_or_create_by_name(cls, name: str) -> "Source":
        name = " ".join(name.split())
        source = cls.objects.filter(name__iexact=name).first()
        return source or cls.objects.create(name=name)


def normalize_tag_name(name: str) -> str:
    """Tags are compared as NFC text with runs of whitespace folded to one space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def tag_name_key(name: str) -> str:
    """What makes two tag names the same tag: Unicode-, whitespace- and case-insensitive."""
    return normalize_tag_name(name).casefold()


def clean_tag_name(name: str) -> str:
    """The stored form of a tag name: NFC, single spaces, at most the column's length."""
    return normalize_tag_name(normalize_tag_name(name)[:MAX_TAG_NAME_LENGTH])


class TagQuerySet(PublishedCountQuerySet):
    listed_under = ListedUnder.TAG

    def get_or_create_named(self, name: str) -> "Tag":
        """The tag called `name` in any case, spacing or Unicode form; created when there is
        none."""
        name = clean_tag_name(name)
        if not name:
            raise ValueError("A tag needs a name.")
        tag = self.filter(name_key=tag_name_key(name)).first()
        return tag if tag is not None else self.create_named(name)

    def create_named(self, name: str) -> "Tag":
        """A new tag called `name` (already clean), or the one a concurrent request just made."""
        key = tag_name_key(name)
        try:
            with transaction.atomic():
                return self.create(name=name)
        except IntegrityError:
            # Another request created it meanwhile, or the database's lower() calls a different
            # name the same (the case-insensitive constraint on the name).
            tag = self.filter(Q(name_key=key) | Q(name__iexact=name)).first()
            if tag is None:
                raise
            return tag

    def resolve(self, slugs) -> dict[str, "Tag"]:
        """The tags at these addresses by slug, following renames and merges (a slug that was
        renamed or merged away maps to the tag it now belongs to). One or two queries."""
        slugs = list(slugs)
        found = {tag.slug: tag for tag in self.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            moved = TagRedirect.objects.filter(old_slug__in=missing).select_related("tag")
            found |= {redirect.old_slug: redirect.tag for redirect in moved}
        return found


class Tag(TagBase):
    """A topic label. Names are unique case-insensitively (see `name_key`)."""

    # Python's casefold() on the normalised name; SQLite's lower() only folds ASCII, so the
    # database cannot be trusted to decide that "ÉCOLE" and "école" are one tag.
    name_key = models.CharField(max_length=300, unique=True, editable=False)
    # The tag's name in other languages, by language code: {"fr": "Russie", "ar": "روسيا"}.
    names = models.JSONField(
        "names in other languages",
        default=dict,
        blank=True,
        help_text='By language code, e.g. {"fr": "Russie", "ar": "روسيا"}; shown on stories in '
        "that language. The name above is used where none is given.",
    )

    objects = NaturalKeyManager.from_queryset(TagQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci"),
        ]
        # Granted to the "Editor" group by the roles data migration.
        permissions = [("merge_tags", "Can merge tags into one")]

    def save(self, *args, **kwargs):
        self.name = normalize_tag_name(self.name)
        self.name_key = tag_name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not isinstance(self.names, dict) or not all(
            isinstance(code, str) and isinstance(name, str) for code, name in self.names.items()
        ):
            raise ValidationError({"names": 'Give names as {"fr": "name", "ar": "name"}.'})
        self.names = {
            generic(code): clean_tag_name(name)
            for code, name in self.names.items()
            if clean_tag_name(name)
        }

    def name_in(self, language: str | None) -> str:
        """The tag's name in `language` where one is given, else its own name."""
        return self.names.get(generic(language)) or self.name if self.names else self.name

    def slugify(self, tag, i=None):
        # taggit's slug of a name made only of punctuation ("!!!") is empty: no address at all.
        slug = super().slugify(tag, i)
        return slug if slug.strip("-_") else super().slugify("tag", i)

    def get_absolute_url(self):
        return tag_url(self.slug)


class ArticleTagManager(_TaggableManager):
    """`article.tags`: strings are matched to tags by their normalised, case-folded name, and
    new links are written in one statement.

    taggit's own case-insensitive lookup uses the database's `iexact`, which misses NFD text and
    stray whitespace and then fails on the unique constraint; this never does.
    """

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tag_model = self.through.tag_model()
        names_by_key = {}
        for tag in tags:
            if isinstance(tag, str):
                name = clean_tag_name(tag)
                if name:
                    names_by_key.setdefault(tag_name_key(name), name)
            elif not isinstance(tag, tag_model):
                raise ValueError(f"Cannot add {tag!r} ({type(tag)}): it is not a string or a tag.")
        existing = {
            tag.name_key: tag
            for tag in tag_model._default_manager.filter(name_key__in=list(names_by_key))
        }
        result, seen = [], set()
        for tag in tags:
            if isinstance(tag, str):
                name = clean_tag_name(tag)
                if not name:
                    continue
                key = tag_name_key(name)
                tag = existing.get(key)
                if tag is None:
                    tag = existing[key] = tag_model.objects.create_named(names_by_key[key])
            if tag.pk not in seen:
                seen.add(tag.pk)
                result.append(tag)
        return result

    def add(self, *tags, through_defaults=None, tag_kwargs=None, **kwargs):
        """taggit's `add`, with one INSERT for all new links instead of a get_or_create each."""
        self._remove_prefetched_objects()
        tag_objs = self._to_tag_model_instances(tags, tag_kwargs or {})
        links = self.through._default_manager.filter(**self._lookup_kwargs())
        linked = set(links.values_list("tag_id", flat=True))
        new = [tag for tag in tag_objs if tag.pk not in linked]
        new_ids = {tag.pk for tag in new}
        signal = {
            "sender": self.through,
            "instance": self.instance,
            "reverse": False,
            "model": self.through.tag_model(),
            "pk_set": new_ids,
            "using": links.db,
        }
        models.signals.m2m_changed.send(action="pre_add", **signal)
        self.through._default_manager.bulk_create(
            [
                self.through(tag=tag, **self._lookup_kwargs(), **(through_defaults or {}))
                for tag in new
            ],
            ignore_conflicts=True,  # a concurrent add of the same tag is not an error
        )
        models.signals.m2m_changed.send(action="post_add", **signal)


class TaggedArticle(ItemBase):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="article_tag_once"),
        ]
        indexes = [
            # A tag's stories straight from the index (the constraint's index covers the other
            # way, a story's tags): tag pages, tag filters and facet counts never read the rows.
            models.Index(fields=["tag", "content_object"], name="tagged_article_by_tag"),
        ]


class TagRedirect(models.Model):
    """An old tag address that now belongs to another tag, after a rename or a merge."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"/tags/{self.old_slug}/ → {self.tag}"


class TagMerge(models.Model):
    """A record of one tag merged into another: what, into what, by whom, when."""

    merged_name = models.CharField(max_length=100)
    merged_slug = models.SlugField(max_length=100, allow_unicode=True)
    into = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="merges")
    article_count = models.PositiveIntegerField(help_text="Stories that carried the merged tag.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.merged_name} → {self.into}"


class Image(models.Model):
    """A photo. The file may arrive after the wire copy that describes it.

    A newly assigned file is validated and re-encoded on save (see articles/images.py); its
    renditions are made after the transaction commits (see articles/renditions.py).
    """

    file = models.ImageField(
        upload_to="images/%Y/%m/%d/",
        blank=True,
        width_field="width",
        height_field="height",
        max_length=255,
        help_text="JPEG, PNG, WebP or GIF. Uploading a new file replaces the photo everywhere "
        "it is used.",
    )
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the photo shows, for readers who cannot see it.",
    )
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="e.g. Benoit Tessier/Reuters")
    credit_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credited_images",
        help_text="The agency in the credit (the part after the last “/”), linked to its page.",
    )
    is_file_photo = models.BooleanField(
        "file photo",
        default=False,
        help_text="An archive photo, labelled “File” for readers.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    focal_x = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Focal point across, 0 (left) to 1 (right).",
    )
    focal_y = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Focal point down, 0 (top) to 1 (bottom).",
    )
    expires_at = models.DateTimeField(
        "for use until",
        null=True,
        blank=True,
        help_text="The end of the photo's licence: after this moment it is shown nowhere "
        "public (pages, feeds, the API); stories keep running without it.",
    )
    uploaded_by = who_did_it()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class RenditionsState(models.TextChoices):
        READY = "ready", "Ready"
        PENDING = "pending", "Renditions pending"
        FAILED = "failed", "Renditions failed"

    # Kept by the renditions task (articles/photos/jobs.py) with queryset updates, never save().
    renditions_state = models.CharField(
        max_length=10,
        choices=RenditionsState.choices,
        default=RenditionsState.READY,
        editable=False,
    )
    renditions_error = models.TextField(blank=True, editable=False)
    renditions_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    renditions_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        label = self.caption or self.alt_text or (self.file.name if self.file else "Untitled photo")
        return label if len(label) <= 80 else label[:79] + "…"

    def save(self, *args, **kwargs):
        before = (
            Image.objects.filter(pk=self.pk).values("file", "credit").first() if self.pk else None
        ) or {}
        if self.file and not self.file._committed:
            self.file = prepare_original(self.file)
        if self.credit_source_id is None and self.credit and self.credit != before.get("credit"):
            agency = self.credit_parts[1].strip()
            self.credit_source = Source.objects.filter(name__iexact=agency).first()
        # What the save replaces, for articles/changes.py: the old file goes once this commits.
        self.file_before_save = before.get("file") or ""
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.file and not self.alt_text.strip() and self.pk:
            published = self.lead_for_articles.filter(status="published").first()
            if published:
                raise ValidationError(
                    {
                        "alt_text": f"This photo leads the published story “{published}”: "
                        "it needs alt text."
                    }
                )

    @property
    def display_credit(self) -> str:
        """The credit as readers see it: "File: Benoit Tessier/Reuters" for archive photos."""
        if not self.credit:
            return ""
        return f"File: {self.credit}" if self.is_file_photo else self.credit

    @property
    def credit_parts(self) -> tuple[str, str]:
        """The credit split as written into (photographer part, agency part).

        "Benoit Tessier/Reuters" gives ("Benoit Tessier/", "Reuters");
        "Reuters" gives ("", "Reuters").
        """
        head, slash, agency = self.credit.rpartition("/")
        return (head + slash, agency)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


def rendition_upload_to(rendition, filename):
    return f"renditions/{rendition.image_id}/{filename}"


class Rendition(models.Model):
    """A resized (and possibly cropped) copy of an Image's file, made once and stored."""

    class Crop(models.TextChoices):
        FULL = "full", "Full frame"
        CARD = "card", "Card (3:2)"
        THUMB = "thumb", "Thumbnail (1:1)"
        SOCIAL = "social", "Social (1.91:1)"

    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    crop = models.CharField(max_length=10, choices=Crop.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to=rendition_upload_to, max_length=255)
    # Which file and focal point it was made from; a rendition whose key no longer matches its
    # image is stale and never shown.
    source_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["crop", "format", "width"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "source_key", "crop", "format", "width"], name="rendition_once"
            ),
        ]

    def __str__(self):
        return f"{self.image_id} {self.crop} {self.width}w {self.format}"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Stories readers may see: published, not deleted, due by now, out of embargo and not
        expired. (A published story's time is never before its embargo, a database constraint
        says so; the embargo is checked here too so that no path can ever expose one early.)"""
        now = timezone.now()
        return self.listed().filter(
            Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now),
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            published_at__lte=now,
        )

    def embargoed(self):
        """Stories under an embargo that has not lifted yet, whatever their status."""
        return self.filter(embargoed_until__gt=timezone.now())

    def expired(self):
        """Stories whose expiry time has passed (they have left every public surface)."""
        return self.filter(expires_at__lte=timezone.now())

    def withdrawn(self):
        """Stories withdrawn or killed: their address answers 410 Gone."""
        return self.filter(withdrawn_at__isnull=False)

    def listed(self):
        """Published or scheduled stories that are not deleted: those with a `StoryListing`."""
        return self.live().filter(status=Article.Status.PUBLISHED, published_at__isnull=False)

    def live(self):
        """Stories that are not in the trash, whatever their status."""
        return self.filter(deleted_at__isnull=True)

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)

    def scheduled(self):
        """Published stories whose time has not come yet (not in the trash)."""
        return self.listed().filter(published_at__gt=timezone.now())

    def for_list(self):
        """What a list of story cards needs, in a fixed number of queries."""
        return self.select_related("lead_image__credit_source").prefetch_related(
            "sources", "tags", "lead_image__renditions"
        )

    def for_detail(self):
        credits = models.Prefetch(
            "contributions", queryset=Contributor.objects.select_related("author")
        )
        return self.for_list().prefetch_related("corrections", credits)

    def for_cards(self):
        """What story cards show (headline, date, standfirst, source names, lead image) and
        nothing else: no bodies, no bookkeeping columns."""
        return (
            self.only(
                "headline",
                "slug",
                "language",
                "translation_of",
                "standfirst",
                "published_at",
                "lead_image",
            )
            .select_related("lead_image__credit_source")
            .prefetch_related(
                models.Prefetch("sources", queryset=Source.objects.only("name")),
                "lead_image__renditions",
            )
        )

    def on_day(self, day: datetime.date):
        """Stories published on `day` in the newsroom's time zone: a range of `published_at`,
        which its index serves (a database date function on the column would not)."""
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return self.filter(
            published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1)
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def credited_to(self, author):
        """Stories with `author` among their contributors, in any role."""
        return self.filter(pk__in=Contributor.objects.filter(author=author).values("article"))

    def in_desk_status(self, desk_status: str):
        """Stories whose `Article.desk_status` is `desk_status` (scheduled and published apart)."""
        now = timezone.now()
        if desk_status == "trash":
            return self.in_trash()
        if desk_status == "scheduled":
            return self.scheduled()
        if desk_status == Article.Status.PUBLISHED:
            return self.live().filter(status=desk_status, published_at__lte=now)
        return self.live().filter(status=desk_status)

    def with_translations_flag(self):
        """Annotated with `may_have_versions`: whether the story is a translation or has one
        (published or not); when neither, its language switcher needs no query. Read from the
        translation link's index alone: asking for *published* versions here made the databases
        read every published story (the visibility filter wins the index choice)."""
        return self.annotate(
            may_have_versions=ExpressionWrapper(
                Q(translation_of__isnull=False)
                | Exists(Article.objects.filter(translation_of_id=OuterRef("pk"))),
                output_field=models.BooleanField(),
            )
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    headline = models.CharField(max_length=300)
    # Unicode: an Arabic headline makes an Arabic address (as tags do), not "untitled".
    slug = models.SlugField(
        max_length=200,
        blank=True,
        allow_unicode=True,
        help_text="Part of the story's address; made from the headline when left empty.",
    )
    standfirst = models.TextField(
        blank=True, help_text="The summary under the headline; also the page description."
    )
    body = ProseEditorField(extensions=EDITOR_EXTENSIONS, sanitize=sanitize_body, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    language = models.CharField(
        max_length=12,
        choices=language_choices,
        default=default_language,
        db_index=True,
        help_text="The language the story is written in; set from the copy on import.",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text="The original story this one translates.",
    )
    # When the original was corrected or updated after this translation was published; cleared
    # when an editor marks the translation brought up to date.
    original_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    lead_image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_for_articles",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="articles")
    authors = models.ManyToManyField(
        "Author", through="Contributor", blank=True, related_name="articles"
    )
    tags = TaggableManager(through=TaggedArticle, blank=True, manager=ArticleTagManager)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When readers may first see the story; a future time schedules it.",
    )
    embargoed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Nobody may publish or expose the story before this moment (an agency's or "
        "a source's embargo). It can be scheduled for this time or later.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="At this moment the story leaves every public page, feed and the API by "
        "itself (e.g. the end of the rights to agency copy).",
    )
    # An editor's Withdraw or an agency kill: the story's address answers 410 Gone.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = who_did_it()
    withdrawal_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the headline, standfirst or body last changed after publication ("Updated …").
    content_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # Bumped on every save; a form that was opened at an older version cannot overwrite a newer one.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Where an imported story came from, so a re-import updates it instead of duplicating it.
    external_id = models.CharField(
        max_length=100, null=True, blank=True, unique=True, editable=False
    )
    created_by = who_did_it()
    updated_by = who_did_it()
    # Who last published, scheduled or unpublished the story, and who moved it to the trash
    # (the full who-and-when trail is in its revisions; see articles/services.py).
    published_by = who_did_it()
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = who_did_it()
    # Changes to a live story that readers do not see yet: the words, photo, sources and tags as
    # an editor last saved them (articles/editorial/services.py), until "Publish changes".
    working_draft = models.JSONField(null=True, blank=True, editable=False)
    working_draft_at = models.DateTimeField(null=True, blank=True, editable=False)
    working_draft_by = who_did_it()

    # Live coverage (articles/editorial/live.py): a story with a start time carries a stream of
    # `LiveUpdate`s; an end time closes it ("This live coverage has ended") until it is reopened.
    live_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    live_ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visibility"),
            # Lets a join from search or tag rows check `published()` without reading the story
            # row: on SQLite that row holds the body, and reaching the status after it is slow.
            models.Index(
                fields=[
                    "id",
                    "status",
                    "published_at",
                    "deleted_at",
                    "embargoed_until",
                    "expires_at",
                ],
                name="article_visibility_by_id",
            ),
            # The few stories with live coverage running (news sitemap, robots.txt): found
            # without reading the archive.
            models.Index(
                fields=["live_started_at"],
                condition=Q(live_started_at__isnull=False, live_ended_at__isnull=True),
                name="article_live_now",
            ),
        ]
        constraints = [
            # The last line of defence for embargoes: bulk updates, restores and raw imports
            # cannot store a published story whose time comes before its embargo lifts.
            models.CheckConstraint(
                condition=Q(embargoed_until__isnull=True)
                | ~Q(status="published")
                | Q(published_at__gte=models.F("embargoed_until")),
                name="article_published_after_embargo",
                violation_error_message="This story is under embargo: it cannot be published "
                "or scheduled before the embargo lifts.",
            ),
        ]
        # The editorial roles (groups "Reporter" and "Editor") are made by a data migration.
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("restore_revision", "Can restore an earlier revision of an article"),
            ("recover_article", "Can restore deleted articles from the trash"),
            ("correct_article", "Can add corrections and updates to published articles"),
            ("share_preview", "Can create and revoke share-preview links"),
            ("post_live_update", "Can post live updates and edit their own"),
            ("manage_live_coverage", "Can start and end live coverage, pin and delete updates"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_body(self.body)
        self.headline = " ".join(self.headline.split())
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        day = self.url_date  # reverse("articles:detail", …), in the story's own language
        root = site_root(self.language)
        return f"{root}{day.year:04d}/{day.month:02d}/{day.day:02d}/{quote(self.slug)}/"

    def clean(self):
        super().clean()
        self._check_lead_image_alt_text()
        self._check_embargo()

    def validate_constraints(self, exclude=None):
        # `clean()` checks the embargo constraint's rule in Python with a clearer message; leaving
        # it to the database at save spares every save a query.
        super().validate_constraints(exclude={*(exclude or ()), "embargoed_until"})

    def _check_embargo(self):
        """A published or scheduled story's time is at or after its embargo: say when it lifts."""
        if (
            self.status == self.Status.PUBLISHED
            and self.embargoed_until is not None
            and self.published_at is not None
            and self.published_at < self.embargoed_until
        ):
            raise ValidationError({"published_at": embargo_refusal(self.embargoed_until)})

    @property
    def public_lead_image(self):
        """The lead photo readers may see: none once its licence has expired ("for use until")."""
        image = self.lead_image
        return None if image is None or image.is_expired else image

    @property
    def is_embargoed(self) -> bool:
        return self.embargoed_until is not None and self.embargoed_until > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def _check_lead_image_alt_text(self):
        """A published story's lead photo, once it has a file, must describe itself to readers."""
        image = self.lead_image
        if (
            self.status == self.Status.PUBLISHED
            and image is not None
            and image.file
            and not image.alt_text.strip()
        ):
            raise ValidationError(
                {
                    "lead_image": f"The lead photo “{image}” (photo #{image.pk}) has no alt text. "
                    "Add alt text to the photo before publishing this story."
                }
            )

    @property
    def url_date(self):
        moment = self.published_at or self.created_at or timezone.now()
        return timezone.localtime(moment)

    def _unique_slug(self) -> str:
        """A slug from the headline, unique among stories published on the same day."""
        stories = Article.objects.all()
        if self.published_at:
            stories = stories.on_day(timezone.localtime(self.published_at).date())
        return unique_slug(
            stories, self.headline, max_length=200, exclude_pk=self.pk, allow_unicode=True
        )

    @property
    def is_published(self) -> bool:
        """Whether readers can see the story right now (mirrors `ArticleQuerySet.published`)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.deleted_at is None
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.is_embargoed
            and not self.is_expired
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def byline_groups(self) -> list[tuple[str, list[tuple[str, str | None]]]]:
        """The byline as (role label, [(name, author page or None)]) in the roles' order: linked
        contributors first, then the free-text byline's names (wire copy, unknown names) in the
        roles it gives them ("Tom Ray; reporting by Ann Lee"; a part naming no role is "By").
        Uses the prefetch cache of `contributions__author` when there is one."""
        groups: dict[str, list] = {role: [] for role in Contributor.Role.values}
        for contribution in self.contributions.all():
            author = contribution.author
            groups[contribution.role].append((author.name, author.get_absolute_url()))
        for role, names in free_byline_parts(self.byline):
            groups[role].extend((name, None) for name in names)
        return [(Contributor.Role(role).label, names) for role, names in groups.items() if names]

    def byline_text(self, *, leading_by=True) -> str:
        """The byline as plain text in the active language: "By A and B; reporting by C", or
        without `leading_by` "A and B; reporting by C" (a feed's author, ninjs `by`)."""
        parts = []
        for index, (label, names) in enumerate(self.byline_groups()):
            label = label if index == 0 else label[0].lower() + label[1:]
            names = join_names([name for name, _ in names])
            leading = index == 0 and not leading_by and label == str(Contributor.Role.BY.label)
            parts.append(names if leading else f"{label} {names}")
        return "; ".join(parts)

    DESK_STATUSES = [
        ("draft", "Draft"),
        ("in_review", "In review"),
        ("scheduled", "Scheduled"),
        ("published", "Published"),
        ("unpublished", "Unpublished"),
        ("trash", "In trash"),
    ]

    @property
    def desk_status(self) -> str:
        """What the desk calls the story's state: a published story with a future time is
        "scheduled", never "published" (readers cannot see it yet)."""
        if self.deleted_at is not None:
            return "trash"
        if self.is_scheduled:
            return "scheduled"
        return self.status

    @property
    def desk_status_label(self) -> str:
        """ "Scheduled for 7 Dec 2026, 21:00 CET", "Published", "In review"…"""
        if self.desk_status == "scheduled":
            return f"Scheduled for {newsroom_time(self.published_at)}"
        return dict(self.DESK_STATUSES)[self.desk_status]

    @property
    def is_live_coverage(self) -> bool:
        return self.live_started_at is not None

    @property
    def is_live_now(self) -> bool:
        """Live coverage that has started and not ended."""
        return self.live_started_at is not None and self.live_ended_at is None

    def tag_list(self):
        """Tags sorted by name, using the prefetch cache when the queryset has one; each with
        `display_name`, its name in the story's language."""
        tags = list(self.tags.all())
        for tag in tags:
            tag.display_name = tag.name_in(self.language)
        return sorted(tags, key=lambda tag: tag.display_name.lower())

    @property
    def original(self) -> "Article":
        """The story this one translates, or itself when it is an original."""
        return self.translation_of if self.translation_of_id else self

    def published_versions(self) -> list["Article"]:
        """This story and its published translations (or its original's, and the original),
        one per language, in the configured order of languages: what the language switcher and
        the hreflang links show. One query, none when `with_translations_flag()` found none."""
        if not getattr(self, "may_have_versions", True):
            return [self]
        root = self.translation_of_id or self.pk
        found = Article.objects.published().filter(Q(pk=root) | Q(translation_of_id=root))
        by_language = {}
        for story in found.only("slug", "language", "published_at", "created_at", "headline"):
            if story.pk == self.pk or story.language not in by_language:
                by_language[story.language] = story
        by_language[self.language] = self
        order = [code for code, _ in language_choices()]
        return sorted(
            by_language.values(),
            key=lambda story: order.index(story.language) if story.language in order else 99,
        )


# Where a block of story HTML starts: its text is kept apart from the previous block's.
BLOCK_START = re.compile(r"<(?:p|br|li|ul|ol|h2|h3|blockquote)\b")


class LiveUpdateQuerySet(models.QuerySet):
    def shown(self):
        """Updates readers may see on a story they may see: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def for_page(self):
        return self.select_related("image").prefetch_related("image__renditions")

    def newest_first(self):
        return self.order_by("-posted_at", "-pk")


class LiveUpdate(models.Model):
    """One short, timestamped entry in a story's live coverage.

    Written only by articles/editorial/live.py, which keeps every version in
    `LiveUpdateRevision`; a deleted update keeps its row (and history) with `deleted_at` set.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_updates")
    posted_at = models.DateTimeField(default=timezone.now)
    headline = models.CharField(max_length=200, blank=True)
    body = ProseEditorField(extensions=EDITOR_EXTENSIONS, sanitize=sanitize_body, blank=True)
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_updates"
    )
    # The author(s) as readers see them; `created_by` is who posted it.
    byline = models.CharField(max_length=200, blank=True)
    is_key_event = models.BooleanField("key event", default=False)
    created_by = who_did_it()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = who_did_it()
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = who_did_it()

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "deleted_at", "posted_at"], name="live_update_stream"),
        ]

    def __str__(self):
        return self.headline or f"Update {self.pk} to “{self.article}”"

    def save(self, *args, **kwargs):
        self.body = sanitize_body(self.body)
        self.headline = " ".join(self.headline.split())
        self.byline = " ".join(self.byline.split())
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def clean(self):
        super().clean()
        if not self.body and not self.headline:
            raise ValidationError({"body": "Write something: an update needs text."})

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"

    @property
    def public_image(self):
        """The photo readers may see: none once its licence has expired, or before it has a file
        (a caption waiting for its photo)."""
        image = self.image
        return None if image is None or image.is_expired or not image.file else image

    @property
    def plain_text(self) -> str:
        """The body as one line of text (block elements kept apart by a space)."""
        spaced = BLOCK_START.sub(r" \g<0>", self.body)
        return " ".join(html.unescape(strip_tags(spaced)).split())


class LiveUpdateRevision(models.Model):
    """A snapshot of a live update after each post, edit, pin or deletion (the editors' history)."""

    update = models.ForeignKey(LiveUpdate, on_delete=models.CASCADE, related_name="revisions")
    action = models.CharField(max_length=100)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = who_did_it(editable=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.action}: update {self.update_id}"


class Revision(models.Model):
    """A snapshot of every field of an article after one save (see articles/revisions.py)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1 for the article's first revision, then 2, 3…")
    # `Article.version` right after this save: a form opened at version N shows revision N.
    article_version = models.PositiveIntegerField()
    action = models.CharField(max_length=200, help_text="What happened, e.g. “Edited; Published”.")
    snapshot = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = who_did_it(editable=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_once"),
        ]

    def __str__(self):
        return f"Revision {self.number} of “{self.article}”"


class Correction(models.Model):
    """A correction or update note appended to a published story; shown newest first."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = who_did_it(editable=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} to “{self.article}”"


class ShareLink(models.Model):
    """A revocable, expiring permission for anyone holding its signed URL to read one story."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = who_did_it(editable=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = who_did_it(editable=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Share link {self.pk} for “{self.article}”"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AuthorQuerySet(models.QuerySet):
    def with_published_counts(self):
        """Every author with `story_count`: the published stories they contributed to (in any
        role), counted through the contributions' (author, article) index."""
        counts = (
            Contributor.objects.filter(
                author=OuterRef("pk"), article__in=Article.objects.published()
            )
            .order_by()
            .values("author")
            .annotate(n=Count("article", distinct=True))
            .values("n")
        )
        return self.annotate(story_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))

    def with_published_stories(self):
        return self.with_published_counts().filter(story_count__gt=0)


class Author(models.Model):
    """Someone who writes, reports, translates, photographs or edits: staff, a guest contributor
    or agency staff. An account is optional (guests and agency staff have none)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, blank=True, help_text="Made from the name when left empty."
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Their role, e.g. “West Africa correspondent”."
    )
    bio = models.TextField(blank=True, help_text="A short biography, shown on their page.")
    photo = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="portrait_of"
    )
    links = models.TextField(
        blank=True, help_text="Their pages elsewhere (a website, a social profile): one URL a line."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="Their desk account, if they have one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="author_name_unique_ci")]
        permissions = [("merge_authors", "Can merge two records of the same person")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        if not self.slug:
            self.slug = unique_slug(Author, self.name, max_length=200, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{site_root()}authors/{quote(self.slug)}/"  # reverse("articles:author", …)

    def link_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.links.splitlines()
            if line.strip().startswith(("https://", "http://"))
        ]

    @property
    def public_photo(self):
        return None if self.photo is None or self.photo.is_expired else self.photo


class AuthorRedirect(models.Model):
    """An author's earlier address (their slug before it changed, or that of a record merged into
    them): /authors/<old_slug>/ and its feeds answer with a permanent redirect to the author."""

    old_slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"/authors/{self.old_slug}/ → {self.author}"

    @classmethod
    def target(cls, slug) -> "Author | None":
        """The author now at `slug`'s old address, or None. Only asked when no author has `slug`."""
        redirect = cls.objects.filter(old_slug=slug).select_related("author").first()
        return redirect.author if redirect else None


class Contributor(models.Model):
    """One author's part in one story, in the byline's order."""

    class Role(models.TextChoices):
        BY = "by", _("By")
        REPORTING = "reporting", _("Reporting by")
        ADDITIONAL = "additional", _("Additional reporting by")
        TRANSLATED = "translated", _("Translated by")
        PHOTOS = "photos", _("Photos by")
        EDITED = "edited", _("Edited by")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="contributions")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "role"], name="contributor_role_once"
            ),
        ]
        indexes = [
            # An author's stories straight from the index (the author page and counts).
            models.Index(fields=["author", "article"], name="contributor_by_author"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.author}"


class Autosave(models.Model):
    """One editor's unsaved typing on one story: the form as it was, never the story itself.

    Kept until that editor saves the story or discards it; restoring it refills the form, opened
    at `base_version` so that a newer save by someone else brings up the conflict screen. A story
    not yet saved once has no article: each editor has one such slot for the "Add story" form.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="autosaves", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The form's fields as posted: name → list of values.
    data = models.JSONField()
    base_version = models.PositiveIntegerField(help_text="The story's version the form opened at.")
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_editor"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="one_new_story_autosave_per_editor",
            ),
        ]

    def __str__(self):
        return f"Autosave of “{self.article}” by {self.user}"


class EditingPresence(models.Model):
    """Who has a story open in the editor, and since when (refreshed by a heartbeat)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_presence_per_editor"),
        ]
        indexes = [models.Index(fields=["article", "last_seen"], name="presence_by_story")]

    def __str__(self):
        return f"{self.user} editing “{self.article}”"


# Ingest channels live beside their code; imported here so Django sees them as this app's models.
from .ingest.models import IngestChannel, IngestedItem, KilledStory  # noqa: E402, F401
