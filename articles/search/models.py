"""The search tables: each story's searchable text, SQLite's full-text index over it, the narrow
listing rows that lists, searches and facets read instead of the story table, the same rows under
each tag and source, counts of them kept as they change, and (PostgreSQL) the listing rows with a
copy of the search vector that word searches read.

These rows are derived from the content models and rewritten only by articles/search/index.py;
nothing else writes them. Stories are referred to by name ("articles.Article") so this module
imports no content model (articles/models.py imports it to register these tables).
"""

from collections import Counter

from django.contrib.postgres.search import SearchVectorField
from django.db import NotSupportedError, models
from django.utils import timezone


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


class SearchDocument(models.Model):
    """The searchable text of one story, rewritten in the transaction of every change to it
    (articles/search/index.py, called by articles/changes.py).

    On PostgreSQL `search_vector` holds the weighted tsvector (GIN-indexed); on SQLite an FTS5
    table (`SQLiteSearchIndex`) indexes these columns instead and the vector stays empty.
    """

    article = models.OneToOneField(
        "articles.Article",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The body as plain text.")
    # Who the story is by: its free-text byline and its contributors' names (found by the desk's
    # search and the readers'). The database fills it in for rows written without it (bench).
    people = models.TextField(blank=True, default="", db_default="")
    # The story's language: which PostgreSQL text search configuration stems it.
    language = models.CharField(max_length=12, default="en")
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
        "articles.Article",
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


def unexpired(now) -> models.Q:
    return models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)


def not_due(now) -> models.Q:
    """Listed rows readers may not see now: scheduled, or expired."""
    return models.Q(published_at__gt=now) | models.Q(expires_at__lte=now)


class StoryListingQuerySet(models.QuerySet):
    def due(self):
        """Listed stories readers may see now (scheduled ones wait for their time; expired ones
        are gone at their expiry, before any change removes their row)."""
        now = timezone.now()
        return self.filter(unexpired(now), published_at__lte=now)

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class ListingFields(models.Model):
    """What lists filter, sort, count and facet on: a listed story's time, language, expiry and
    copies of its tag and source links."""

    published_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, db_index=True)
    language = models.CharField(max_length=12, default="en")
    tag_ids = IdListField()
    source_ids = IdListField()
    objects = StoryListingQuerySet.as_manager()

    class Meta:
        abstract = True


class StoryListing(ListingFields):
    """A story readers may see, now or at its scheduled time, reduced to what lists filter,
    sort, count, facet and search on: its time and copies of its tag and source links.

    Tag pages and searches read this one table instead of the story rows and their link
    tables, so counting the tags of thousands of matches costs no lookup per match; on
    PostgreSQL a GIN index answers "has all of these tags". The rows are rewritten by
    `articles.search.index.refresh_listings()` in the same transaction as every change (see
    articles/changes.py); `rebuild_search_index` rebuilds them all.

    The rows stay narrow (about 100 bytes): a search by tags alone reads one for each of up to
    `EXACT_UP_TO` matches. Word searches on PostgreSQL read `SearchListing` instead.
    """

    # Left in place when a story is deleted for good, until the change pipeline removes it (and
    # takes it out of the counts, which it can only do knowing what the row held).
    article = StoryKeyField(
        "articles.Article",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="listing",
    )

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-article"], name="listing_newest_first"),
            models.Index(
                fields=["language", "-published_at", "-article"], name="listing_language_newest"
            ),
        ]

    def __str__(self):
        return f"Listing of story {self.article_id}"


class SearchListing(ListingFields):
    """PostgreSQL: a story's listing with a copy of its search vector, for word searches.

    A search for a common word walks these newest first and checks each row's own vector, with
    no join and no TOAST fetch per row: the vector is kept whole in the row (STORAGE MAIN,
    `toast_tuple_target`) and GIN-indexed, as are the tag and source copies (migration 0031).
    Those rows are about 3 kB, which is why they are not the listings themselves: a search by
    tags alone would read 30 times the bytes for nothing. Written with the search documents by
    `PostgreSQLSearchEngine` (articles/search/engines.py), in the same transaction; empty on
    SQLite, where FTS5 indexes the documents.
    """

    article = StoryKeyField(
        "articles.Article",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_listing",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-article"], name="search_listing_newest"),
            models.Index(
                fields=["language", "-published_at", "-article"], name="search_listing_language"
            ),
        ]

    def __str__(self):
        return f"Search listing of story {self.article_id}"


class ListedUnder(models.TextChoices):
    """What a listed story can be listed under, besides everything."""

    TAG = "t", "tag"
    SOURCE = "s", "source"


class ListingLinkQuerySet(models.QuerySet):
    def due(self):
        now = timezone.now()
        return self.filter(unexpired(now), published_at__lte=now)

    def under(self, kind: str, target: int):
        return self.filter(kind=kind, target=target)

    def newest_first(self):
        return self.order_by("-published_at", "-article_id")  # "-article" would join the story


class ListingLink(models.Model):
    """A listed story under one of its tags or sources, with its time: a tag's or a source's
    newest stories come straight from the index, in order, however many it has."""

    # Removed with its listing by the change pipeline (see `StoryListing.article`).
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=1, choices=ListedUnder.choices)
    target = models.BigIntegerField(help_text="The tag's or the source's id.")
    published_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True)

    objects = ListingLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "target"], name="listing_link_once")
        ]
        indexes = [
            models.Index(
                fields=["kind", "target", "-published_at", "-article"], name="listing_link_newest"
            ),
            # With listing_link_newest, finds a tag's scheduled *or expired* links (not_due) by
            # index: without it, counting them read every link of the tag.
            models.Index(
                fields=["kind", "target", "expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="listing_link_expiring",
            ),
        ]

    def __str__(self):
        return f"Story {self.article_id} under {self.get_kind_display()} {self.target}"


class Counted(models.TextChoices):
    ALL = "a", "every listed story"
    TAG = "t", "stories with the tag"
    SOURCE = "s", "stories from the source"
    TAG_PAIR = "p", "stories with both tags"
    TAG_SOURCE = "x", "stories with the tag, from the source"
    SOURCE_TAG = "y", "stories from the source, with the tag"
    MONTH = "m", "stories of a month (UTC)"


# Counts of stories under two things at once: kept by (target, other).
PAIRS = {Counted.TAG_PAIR, Counted.TAG_SOURCE, Counted.SOURCE_TAG}


class ListingCountQuerySet(models.QuerySet):
    """The kept counts as numbers readers may see, less the listed stories not due (`not_due`),
    subtracted in Python: for facets, totals, the tags page and the sitemaps' counts, including
    pairs and months. Rows that a query filters, sorts or pages by their count take it in SQL
    instead: `PublishedCountQuerySet.with_published_counts()` (articles/models.py), which
    subtracts the same stories."""

    def due(self, kind: str, targets=None) -> Counter:
        """How many listed stories of `kind` readers may see now, by target (by (target, other)
        for pairs), for these targets (None: all): see `due_many`."""
        return self.due_many({kind: targets})[kind]

    def due_many(self, wanted: dict) -> dict[str, Counter]:
        """The counts of several kinds at once ({kind: targets or None}), in two queries: the
        counts as kept, less what the scheduled and expired stories add (they are listed but
        not due: scheduled ones not yet, expired ones until a change removes their rows)."""
        which = models.Q()
        for kind, targets in wanted.items():
            which |= models.Q(kind=kind, **({} if targets is None else {"target__in": targets}))
        counts = {kind: Counter() for kind in wanted}
        for kind, target, other, listed in self.filter(which).values_list(
            "kind", "target", "other", "listed"
        ):
            counts[kind][(target, other) if kind in PAIRS else target] = listed
        waiting = StoryListing.objects.filter(not_due(timezone.now()))
        for row in waiting.values_list("published_at", "tag_ids", "source_ids"):
            for kind, target, other in contributions(*row):
                targets = wanted.get(kind, ())
                if kind in wanted and (targets is None or target in targets):
                    counts[kind][(target, other) if kind in PAIRS else target] -= 1
        return {kind: +found for kind, found in counts.items()}  # only those with due stories


def contributions(published_at, tag_ids, source_ids, expires_at=None) -> list[tuple[str, int, int]]:
    """The counts one listed story adds one to: (kind, target, other)."""
    month = published_at.astimezone(timezone.UTC)
    found = [(Counted.ALL, 0, 0), (Counted.MONTH, month.year * 100 + month.month, 0)]
    found += [(Counted.TAG, tag, 0) for tag in tag_ids]
    found += [(Counted.SOURCE, source, 0) for source in source_ids]
    found += [
        (Counted.TAG_PAIR, tag, other) for tag in tag_ids for other in tag_ids if tag != other
    ]
    found += [(Counted.TAG_SOURCE, tag, source) for tag in tag_ids for source in source_ids]
    found += [(Counted.SOURCE_TAG, source, tag) for source in source_ids for tag in tag_ids]
    return found


class ListingCount(models.Model):
    """How many stories are listed (published or scheduled) in all, under each tag and source,
    under each pair of tags, of tag and source, and in each month, and when that set of stories
    last changed.

    Kept by adding what each change adds and subtracting what it removes, in the transaction of
    the change (articles/search/index.py), so counting a tag's stories costs one row however many
    it has. Readers see `ListingCount.objects.due()` / `due_many()` (or, on querysets of tags
    and sources, `with_published_counts()`), which leave out the stories not due.
    """

    kind = models.CharField(max_length=1, choices=Counted.choices)
    target = models.BigIntegerField(default=0, help_text="A tag or source id, or a month (yyyymm).")
    other = models.BigIntegerField(default=0, help_text="The second tag of a pair.")
    listed = models.IntegerField(default=0)
    changed_at = models.DateTimeField()

    objects = ListingCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "target", "other"], name="listing_count_once")
        ]
        indexes = [
            # The newest change under any tag or source (the sitemap index's lastmod), read from
            # the top instead of over every tag; pairs are left out, they are many.
            models.Index(
                fields=["kind", "-changed_at"],
                condition=models.Q(other=0),
                name="listing_count_recent",
            )
        ]

    def __str__(self):
        return f"{self.listed} {self.get_kind_display()} ({self.target}, {self.other})"
