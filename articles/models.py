"""The newsroom's content: sources, photos, tags and articles.

`Article.objects.published()` is the one place that decides what readers may see; `StoryListing`
rows mirror it, in the same transaction, for the lists that count and facet thousands of stories.
"""

import unicodedata
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import NotSupportedError, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from .html import EDITOR_EXTENSIONS, sanitize_body
from .images import prepare_original
from .tagging import ArticleTagManager


def unique_slug(model, text: str, *, max_length: int, exclude_pk=None, **scope) -> str:
    """`slugify(text)`, suffixed -2, -3… until no other row of `model` within `scope` has it."""
    base = slugify(text, allow_unicode=False)[:max_length].strip("-") or "untitled"
    others = model._default_manager.filter(**scope).exclude(pk=exclude_pk)
    candidate, n = base, 1
    while others.filter(slug=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


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


class Source(models.Model):
    """A credited origin of reporting: an agency, an outlet, or the generic "News Agencies"."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)

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
        return reverse("articles:source", kwargs={"slug": self.slug})

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


class Tag(TagBase):
    """A topic label. Names are unique case-insensitively (see `name_key`)."""

    # Python's casefold() on the normalised name; SQLite's lower() only folds ASCII, so the
    # database cannot be trusted to decide that "ÉCOLE" and "école" are one tag.
    name_key = models.CharField(max_length=300, unique=True, editable=False)

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

    def slugify(self, tag, i=None):
        # taggit's slug of a name made only of punctuation ("!!!") is empty: no address at all.
        slug = super().slugify(tag, i)
        return slug if slug.strip("-_") else super().slugify("tag", i)

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


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
    uploaded_by = who_did_it()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        label = self.caption or self.alt_text or (self.file.name if self.file else "Untitled photo")
        return label if len(label) <= 80 else label[:79] + "…"

    def save(self, *args, **kwargs):
        from .renditions import after_image_saved  # renditions.py imports this module

        before = (
            Image.objects.filter(pk=self.pk).values("file", "credit").first() if self.pk else None
        ) or {}
        if self.file and not self.file._committed:
            self.file = prepare_original(self.file)
        if self.credit_source_id is None and self.credit and self.credit != before.get("credit"):
            agency = self.credit_parts[1].strip()
            self.credit_source = Source.objects.filter(name__iexact=agency).first()
        super().save(*args, **kwargs)
        transaction.on_commit(
            partial(after_image_saved, self.pk, previous_file=before.get("file") or "")
        )

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


class IdListField(models.Field):
    """A story's tag or source ids, copied onto its listing (see `StoryListing`).

    An `integer[]` on PostgreSQL, where a GIN index answers "has all of these tags"; the ids as
    space-separated text on SQLite. Always read as a sorted list of ints.
    """

    description = "A list of ids"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):  # from the database, a form or a serialized dump
            value = value.strip("[]{}").replace(",", " ").split()
        return sorted({int(pk) for pk in value})

    def value_to_string(self, obj):
        return " ".join(map(str, self.value_from_object(obj)))

    def get_db_prep_value(self, value, connection, prepared=False):
        ids = self.to_python(value)
        if connection.vendor == "postgresql":  # an array literal: no per-element type guessing
            return "{" + ",".join(map(str, ids)) + "}"
        return " ".join(map(str, ids))


@IdListField.register_lookup
class HasAllIds(models.Lookup):
    """`tag_ids__has_all=[3, 5]`: the row lists every one of these ids (PostgreSQL only)."""

    lookup_name = "has_all"
    operator = "@>"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError(f"{self.lookup_name} needs PostgreSQL's arrays")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.lhs.output_field.get_db_prep_value(self.rhs, connection)
        return f"{lhs} {self.operator} %s::integer[]", [*lhs_params, ids]


@IdListField.register_lookup
class HasAnyIds(HasAllIds):
    """`tag_ids__has_any=[3, 5]`: the row lists at least one of these ids (PostgreSQL only)."""

    lookup_name = "has_any"
    operator = "&&"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Stories readers may see: published, not deleted, and due by now."""
        return self.listed().filter(published_at__lte=timezone.now())

    def listed(self):
        """Published or scheduled stories that are not deleted: those with a `StoryListing`."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__isnull=False, deleted_at__isnull=True
        )

    def for_list(self):
        """What a list of story cards needs, in a fixed number of queries."""
        return self.select_related("lead_image__credit_source").prefetch_related(
            "sources", "tags", "lead_image__renditions"
        )

    def for_detail(self):
        return self.for_list().prefetch_related("corrections")

    def for_cards(self):
        """What story cards show (headline, date, standfirst, source names, lead image) and
        nothing else: no bodies, no bookkeeping columns."""
        return (
            self.only("headline", "slug", "standfirst", "published_at", "lead_image")
            .select_related("lead_image")
            .prefetch_related(
                models.Prefetch("sources", queryset=Source.objects.only("name")),
                "lead_image__renditions",
            )
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def refresh_listings(self):
        """Bring the `StoryListing` rows of these stories up to date: one for each story that is
        published (or scheduled) and not deleted, none for the others.

        Called in the same transaction as every change to a story, its tags or its sources (see
        articles/signals.py), so lists never disagree with the stories.
        """
        ids = list(self.values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):  # a merge of a big tag touches many stories
            _refresh_listings(ids[start : start + 1000])


def _refresh_listings(ids: list[int]) -> None:
    listed = dict(Article.objects.listed().filter(pk__in=ids).values_list("pk", "published_at"))
    StoryListing.objects.filter(article_id__in=ids).exclude(article_id__in=listed).delete()
    if not listed:
        return
    tags, sources = defaultdict(list), defaultdict(list)
    tag_links = TaggedArticle.objects.filter(content_object_id__in=listed)
    for article_id, tag_id in tag_links.values_list("content_object_id", "tag_id"):
        tags[article_id].append(tag_id)
    source_links = Article.sources.through.objects.filter(article_id__in=listed)
    for article_id, source_id in source_links.values_list("article_id", "source_id"):
        sources[article_id].append(source_id)
    StoryListing.objects.bulk_create(
        [
            StoryListing(article_id=pk, published_at=at, tag_ids=tags[pk], source_ids=sources[pk])
            for pk, at in listed.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["published_at", "tag_ids", "source_ids"],
        batch_size=500,
    )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        blank=True,
        help_text="Part of the story's address; made from the headline when left empty.",
    )
    standfirst = models.TextField(
        blank=True, help_text="The summary under the headline; also the page description."
    )
    body = ProseEditorField(extensions=EDITOR_EXTENSIONS, sanitize=sanitize_body, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    lead_image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_for_articles",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="articles")
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

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visibility"),
            # Lets a join from search or tag rows check `published()` without reading the story
            # row: on SQLite that row holds the body, and reaching the status after it is slow.
            models.Index(
                fields=["id", "status", "published_at", "deleted_at"],
                name="article_visibility_by_id",
            ),
        ]
        # The editorial roles (groups "Reporter" and "Editor") are made by a data migration.
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("restore_revision", "Can restore an earlier revision of an article"),
            ("recover_article", "Can restore deleted articles from the trash"),
            ("correct_article", "Can add corrections and updates to published articles"),
            ("share_preview", "Can create and revoke share-preview links"),
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
        day = self.url_date
        return reverse(
            "articles:detail",
            kwargs={
                "year": day.year,
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self):
        super().clean()
        self._check_lead_image_alt_text()

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
        scope = {}
        if self.published_at:
            day = timezone.localtime(self.published_at).date()
            scope = {"published_at__date": day}
        return unique_slug(Article, self.headline, max_length=200, exclude_pk=self.pk, **scope)

    @property
    def is_published(self) -> bool:
        """Whether readers can see the story right now (mirrors `ArticleQuerySet.published`)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.deleted_at is None
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def tag_list(self):
        """Tags sorted by name, using the prefetch cache when the queryset has one."""
        return sorted(self.tags.all(), key=lambda tag: tag.name.lower())


class SearchDocument(models.Model):
    """The searchable text of one story, kept current by `articles.search` after each commit.

    On PostgreSQL `search_vector` holds the weighted tsvector (GIN-indexed); on SQLite an FTS5
    table (`SQLiteSearchIndex`) indexes these columns instead and the vector stays empty.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The body as plain text.")
    search_vector = SearchVectorField(null=True, editable=False)

    def __str__(self):
        return self.headline


class FTS5TableColumn(models.TextField):
    """The hidden column an SQLite FTS5 table shares its name with; it supports `__match`."""


@FTS5TableColumn.register_lookup
class FTS5Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SQLiteSearchIndex(models.Model):
    """SQLite only: the FTS5 table over `SearchDocument`, created by migration 0003 on SQLite.

    Its rowid is the article id, so the ORM can join stories to it and order by `rank`
    (bm25 with the column weights configured in the migration).
    """

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="sqlite_search_index",
    )
    document = FTS5TableColumn(db_column="articles_search_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "articles_search_fts"

    def __str__(self):
        return f"Search index entry of story {self.article_id}"


class StoryKeyField(models.OneToOneField):
    """A one-to-one link to a story that is also the row's primary key.

    Declared `integer` on SQLite, which makes the column the table's rowid: a lookup by story
    is then one b-tree search instead of two (SQLite's `bigint` key is a separate index).
    """

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class StoryListingQuerySet(models.QuerySet):
    def due(self):
        """Listed stories readers may see now (scheduled ones wait for their time)."""
        return self.filter(published_at__lte=timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class StoryListing(models.Model):
    """A story readers may see, now or at its scheduled time, reduced to what lists filter,
    sort, count and facet on: its time and copies of its tag and source links.

    Tag pages and searches read this one narrow table instead of the story rows and their link
    tables, so counting the tags of thousands of matches costs no lookup per match; on
    PostgreSQL a GIN index answers "has all of these tags". The rows are rewritten by
    `Article.objects.refresh_listings()` in the same transaction as every change (see
    articles/signals.py); `rebuild_search_index` rebuilds them all.
    """

    article = StoryKeyField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="listing"
    )
    published_at = models.DateTimeField()
    tag_ids = IdListField()
    source_ids = IdListField()
    # The story's search text, joined on the story id without going through the story row.
    search_document = models.ForeignObject(
        SearchDocument,
        from_fields=["article"],
        to_fields=["article"],
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    sqlite_search_index = models.ForeignObject(
        SQLiteSearchIndex,
        from_fields=["article"],
        to_fields=["article"],
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    objects = StoryListingQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["-published_at", "-article"], name="listing_newest_first")]

    def __str__(self):
        return f"Listing of story {self.article_id}"


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
