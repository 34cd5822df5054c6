"""Full-text search behind one small interface.

`get_engine()` returns the engine for the database in use: PostgreSQL's native full-text search
(a weighted, GIN-indexed tsvector) or SQLite's FTS5 (bm25 with column weights). Both rank
headline > standfirst > tags > body, stem English, and understand the same websearch-style
syntax (`"a phrase"`, `-excluded`, `this or that`), which `parse_query` turns into terms that are
only ever passed to the database as quoted words, never as raw user text.

The searchable text lives in `SearchDocument` rows, refreshed after each commit
(`reindex_on_commit`, called from `articles.signals`), or all at once by the
`rebuild_search_index` command.
"""

import abc
import heapq
import html
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .cache import content_changed
from .models import Article, SearchDocument, Source, SQLiteSearchIndex, Tag, TaggedArticle

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 16
# A story's body beyond this is not indexed (PostgreSQL refuses tsvectors over 1 MB).
MAX_INDEXED_BODY = 200_000

# Highlight markers: private-use characters that `plain_text` removes from every indexed text,
# so they can only come from the database's highlighter. (PostgreSQL's ts_headline ignores
# control characters as markers.)
MARK_START, MARK_END = "\ue000", "\ue001"
_UNWANTED_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
# ts_headline reads "<word" as the start of an HTML tag and then highlights nothing after it.
_ANGLE_BRACKETS = str.maketrans({"<": "‹", ">": "›"})
_WORD = re.compile(r"\w+")


# Query syntax ------------------------------------------------------------------------------------

Term = tuple[str, ...]  # one word, or the words of a phrase


@dataclass(frozen=True)
class ParsedQuery:
    """A websearch-style query: all `clauses` must match (each clause is one of its terms), and
    none of the `excluded` terms may."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self):
        return bool(self.clauses or self.excluded)

    @property
    def words(self) -> list[str]:
        return [word for clause in self.clauses for term in clause for word in term]

    def websearch(self) -> str:
        """The query in PostgreSQL's websearch syntax, rebuilt from nothing but word characters."""

        def term(words: Term) -> str:
            return f'"{" ".join(words)}"'

        parts = [" or ".join(term(t) for t in clause) for clause in self.clauses]
        parts += [f"-{term(t)}" for t in self.excluded]
        return " ".join(parts)

    def fts5(self, *, positive=True) -> str:
        """The query as an FTS5 expression: every word quoted, so nothing is read as syntax."""

        def term(words: Term) -> str:
            return '"' + " ".join(words) + '"'

        def any_of(terms) -> str:
            return "(" + " OR ".join(term(t) for t in terms) + ")"

        if not positive:
            return any_of(self.excluded)
        expression = " AND ".join(any_of(clause) for clause in self.clauses)
        if self.excluded:
            expression = f"({expression}) NOT {any_of(self.excluded)}"
        return expression


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> ParsedQuery:
    """Parse websearch syntax: words, "quoted phrases" (an unclosed quote runs to the end),
    `-word` / `-"phrase"` to exclude, and `or` between two terms. Punctuation separates words
    (so `(a+)+$` is the word `a` and `' OR 1=1--` is the phrase `1 1`), like PostgreSQL's
    `websearch_to_tsquery`."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(clauses)
                continue
            negated, chunk = bare.startswith("-"), bare
        else:
            chunk = quoted
        words = tuple(word.lower() for word in _WORD.findall(chunk))
        if not words:
            continue
        count += 1
        if count > MAX_QUERY_TERMS:
            break
        if negated:
            excluded.append(words)
            pending_or = False
        elif pending_or:
            clauses[-1].append(words)
            pending_or = False
        else:
            clauses.append([words])
    return ParsedQuery(tuple(tuple(clause) for clause in clauses), tuple(excluded))


# The searchable text of a story ------------------------------------------------------------------


def plain_text(value: str) -> str:
    """Text for the index: no HTML, no control or private-use characters, single spaces; a literal
    < or > in the text becomes a single angle quotation mark (see `_ANGLE_BRACKETS`)."""
    text = html.unescape(strip_tags(re.sub(r"<", " <", value or "")))
    text = _UNWANTED_CHARACTERS.sub(" ", text).translate(_ANGLE_BRACKETS)
    return " ".join(text.split())


def document_for(article: Article) -> SearchDocument:
    """The search document of `article` (its tags from the prefetch cache when there is one)."""
    return SearchDocument(
        article=article,
        headline=plain_text(article.headline),
        standfirst=plain_text(article.standfirst),
        tags=" ".join(plain_text(tag.name) for tag in article.tag_list()),
        body=plain_text(article.body)[:MAX_INDEXED_BODY],
    )


def _highlighted(snippet: str) -> SafeString:
    """Escape a database snippet, then turn its markers into <mark> elements."""
    escaped = escape(snippet)
    return mark_safe(  # noqa: S308 - escaped above; the markers are ours
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


# Engines -----------------------------------------------------------------------------------------


class SearchEngine(abc.ABC):
    """What the rest of the site may ask of full-text search, whatever the database."""

    @abc.abstractmethod
    def matching(self, stories: QuerySet, query: ParsedQuery) -> QuerySet:
        """`stories` (stories or their listings) that match `query`, ordered by relevance (best
        first, newest on ties)."""

    @abc.abstractmethod
    def highlights(self, article_ids: Iterable[int], query: ParsedQuery) -> dict[int, SafeString]:
        """A short, escaped extract of each story's body with the matched words in <mark>."""

    @abc.abstractmethod
    def having_all(self, listings: QuerySet, link: str, objects) -> QuerySet:
        """`StoryListing` rows linked to every one of `objects` through `link` ("tags" or
        "sources")."""

    @abc.abstractmethod
    def having_none(self, listings: QuerySet, link: str, objects) -> QuerySet:
        """`StoryListing` rows linked to none of `objects` through `link`."""

    @abc.abstractmethod
    def ids_as_text(self, field: str):
        """An expression for a listing's `tag_ids` or `source_ids` as space-separated text."""

    def index(self, article_ids: Iterable[int]) -> None:
        """Bring the search documents of these stories up to date (deleted ones are dropped)."""
        ids = set(article_ids)
        if not ids:
            return
        articles = Article.objects.filter(pk__in=ids).prefetch_related("tags")
        documents = [document_for(article) for article in articles]
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["headline", "standfirst", "tags", "body"],
        )
        gone = ids - {document.article_id for document in documents}
        if gone:
            SearchDocument.objects.filter(article_id__in=gone).delete()
        self._after_write(ids - gone)

    def finish_rebuild(self) -> None:  # noqa: B027 (optional hook)
        """Called once after `index` has been run over every story."""

    def index_stored_documents(self) -> None:  # noqa: B027 (optional hook)
        """Index, in one pass, documents written straight to the table (bulk loads, benchmarks)."""

    def _after_write(self, article_ids: set[int]) -> None:  # noqa: B027 (optional hook)
        """Engine-specific work after documents were written."""


LINK_COPIES = {"tags": "tag_ids", "sources": "source_ids"}


def _link(link: str) -> tuple[type, str, str]:
    """The link model behind "tags" or "sources", its field to the story and its other field."""
    if link == "tags":
        return TaggedArticle, "content_object", "tag"
    return Article.sources.through, "article", "source"


def _linked_story_ids(link: str, objects) -> QuerySet:
    model, story, other = _link(link)
    return model.objects.filter(**{f"{other}__in": objects}).values(f"{story}_id")


class PostgresSearchEngine(SearchEngine):
    config = "english"

    def _search_query(self, query: ParsedQuery) -> SearchQuery:
        return SearchQuery(query.websearch(), search_type="websearch", config=self.config)

    def matching(self, stories, query):
        search_query = self._search_query(query)
        return (
            stories.filter(search_document__search_vector=search_query)
            .annotate(search_rank=SearchRank(F("search_document__search_vector"), search_query))
            .order_by("-search_rank", "-published_at", "-pk")
        )

    # The listings' copies of the links are GIN-indexed (migration 0008): one bitmap scan finds
    # a tag's stories instead of one lookup per story.
    def having_all(self, listings, link, objects):
        ids = [obj.pk for obj in objects]
        return listings.filter(**{f"{LINK_COPIES[link]}__has_all": ids}) if ids else listings

    def having_none(self, listings, link, objects):
        ids = [obj.pk for obj in objects]
        return listings.exclude(**{f"{LINK_COPIES[link]}__has_any": ids}) if ids else listings

    def ids_as_text(self, field):
        return Func(F(field), Value(" "), function="array_to_string", output_field=TextField())

    # The page's 20 snippets in one plain statement: built with the ORM's SearchHeadline, the
    # same query cost about 2 ms more per page in Python.
    _HEADLINE_OPTIONS = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def highlights(self, article_ids, query):
        ids = [int(pk) for pk in article_ids]
        if not query.clauses or not ids:
            return {}
        table = SearchDocument._meta.db_table
        sql = (
            f"SELECT article_id, ts_headline(%s::regconfig, body, "  # noqa: S608 - constants only
            f"websearch_to_tsquery(%s::regconfig, %s), %s) FROM {table} WHERE article_id = ANY(%s)"
        )
        params = [self.config, self.config, query.websearch(), self._HEADLINE_OPTIONS, ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return {article_id: _highlighted(snippet) for article_id, snippet in rows if snippet}

    def _weighted_vector(self):
        def weighted(column, weight):
            return SearchVector(column, weight=weight, config=self.config)

        return (
            weighted("headline", "A")
            + weighted("standfirst", "B")
            + weighted("tags", "C")
            + weighted("body", "D")
        )

    def _after_write(self, article_ids):
        SearchDocument.objects.filter(article_id__in=article_ids).update(
            search_vector=self._weighted_vector()
        )

    def index_stored_documents(self):
        SearchDocument.objects.filter(search_vector__isnull=True).update(
            search_vector=self._weighted_vector()
        )


class SQLiteSearchEngine(SearchEngine):
    """FTS5 over `SearchDocument` (see migration 0003): triggers keep the index in step with the
    documents; `rank` is bm25 with the column weights headline 10, standfirst 5, tags 3, body 1."""

    table = SQLiteSearchIndex._meta.db_table

    def matching(self, stories, query):
        if not query.clauses:  # only exclusions: everything but their matches, newest first
            excluded = SQLiteSearchIndex.objects.filter(
                document__match=query.fts5(positive=False)
            ).values("article_id")
            return stories.exclude(pk__in=excluded).order_by("-published_at", "-pk")
        return stories.filter(sqlite_search_index__document__match=query.fts5()).order_by(
            "sqlite_search_index__rank", "-published_at", "-pk"
        )

    # SQLite has no index over the copies: filters look the stories up in the link tables. The
    # stories with all of several tags are one walk over the first tag's links, joined to each
    # other tag's link by (tag, story): a separate `IN` list per tag would each be built in full.
    def having_all(self, listings, link, objects):
        ids = [obj.pk for obj in objects]
        if not ids:
            return listings
        model, *fields = _link(link)
        table = model._meta.db_table
        story, other = (model._meta.get_field(name).column for name in fields)
        joins = "".join(
            f" JOIN {table} l{n} ON l{n}.{story} = l0.{story} AND l{n}.{other} = %s"
            for n in range(1, len(ids))
        )
        # Table and column names come from the models; the ids are parameters.
        sql = f"SELECT l0.{story} FROM {table} l0{joins} WHERE l0.{other} = %s"  # noqa: S608
        return listings.filter(pk__in=RawSQL(sql, [*ids[1:], ids[0]]))  # noqa: S611

    def having_none(self, listings, link, objects):
        return listings.exclude(pk__in=_linked_story_ids(link, objects)) if objects else listings

    def ids_as_text(self, field):
        return F(field)

    def highlights(self, article_ids, query):
        ids = [int(pk) for pk in article_ids]
        if not query.clauses or not ids:
            return {}
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet({self.table}, 3, %s, %s, '…', 24) FROM {self.table} "  # noqa: S608 - constants only
            f"WHERE {self.table} MATCH %s AND rowid IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, query.fts5(), *ids])
            rows = cursor.fetchall()
        return {article_id: _highlighted(snippet) for article_id, snippet in rows if snippet}

    def index_stored_documents(self):
        # The triggers indexed each document as it was written; merge the index's segments.
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")  # noqa: S608

    def finish_rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('rebuild')")  # noqa: S608
            cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")  # noqa: S608


@cache
def _engine_for(vendor: str) -> SearchEngine:
    return PostgresSearchEngine() if vendor == "postgresql" else SQLiteSearchEngine()


def get_engine() -> SearchEngine:
    """The search engine for the default database."""
    return _engine_for(connection.vendor)


# Result pages and facets -------------------------------------------------------------------------
#
# A page runs its filters (and full-text match and ranking) once, in `find`: the count, the page
# and the facet counts all come from that one query instead of re-running the search.


@dataclass(frozen=True)
class Matches:
    """The stories a list found: their ids in order, and how many of them carry each tag and each
    source (by id, as text)."""

    ids: list[int]
    tag_counts: Counter
    source_counts: Counter

    @classmethod
    def none(cls) -> "Matches":
        return cls([], Counter(), Counter())


def find(listings: QuerySet) -> Matches:
    """Run a query of `StoryListing` rows once: the story ids in the queryset's order, with
    their tags and sources counted.

    The tags and sources come from the listings' copies of the links, so counting them for
    thousands of matches costs no lookup per match. Rows are fetched from a plain cursor:
    Django's row-by-row iteration cost more than the query for tens of thousands.
    """
    engine = get_engine()
    rows = listings.values_list(
        "pk", engine.ids_as_text("tag_ids"), engine.ids_as_text("source_ids")
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, e.g. `pk__in=[]`
        return Matches.none()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return Matches(
        ids=[row[0] for row in rows],
        tag_counts=Counter(" ".join([row[1] for row in rows if row[1]]).split()),
        source_counts=Counter(" ".join([row[2] for row in rows if row[2]]).split()),
    )


def stories_in_order(ids: list[int]) -> list[Article]:
    """The stories with these ids, in this order, ready for a list of cards.

    Sorting whole story rows (bodies included) is slow, so pages sort ids, then load these.
    """
    by_id = Article.objects.published().filter(pk__in=ids).for_cards().in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


def _most_common(model, counts: Counter, exclude, limit):
    """The `limit` rows of `model` with the highest `counts` (most first, then by name), each
    with its count as `story_count`; none of `exclude`."""
    excluded = {str(obj.pk) for obj in exclude}
    top = heapq.nlargest(limit, ((count, pk) for pk, count in counts.items() if pk not in excluded))
    if not top:
        return []
    # Everything tied with the last one that makes the cut, so that ties are settled by name.
    cutoff = top[-1][0]
    candidates = [int(pk) for pk, count in counts.items() if count >= cutoff and pk not in excluded]
    found = list(model.objects.filter(pk__in=candidates).only("name", "slug"))
    for obj in found:
        obj.story_count = counts[str(obj.pk)]
    found.sort(key=lambda obj: (-obj.story_count, obj.name))
    return found[:limit]


def tag_facets(matches: Matches, *, exclude=(), limit=15) -> list[Tag]:
    """The tags of the `matches`, most shared first, with `story_count` (exact)."""
    return _most_common(Tag, matches.tag_counts, exclude, limit)


def source_facets(matches: Matches, *, limit=10) -> list[Source]:
    """The sources of the `matches`, most used first, with `story_count` (exact)."""
    return _most_common(Source, matches.source_counts, (), limit)


# Keeping the index current -----------------------------------------------------------------------

_pending = threading.local()


def reindex_on_commit(article_ids: Iterable[int]) -> None:
    """Re-index these stories once the current transaction commits (at once outside one).

    Several changes to one story in one transaction (its fields, then its tags) are indexed once.
    """
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.update(article_ids)
    transaction.on_commit(_index_pending)


def _index_pending() -> None:
    ids = getattr(_pending, "ids", None)
    if ids:
        _pending.ids = set()
        get_engine().index(ids)
        # The index is written after the commit that bumped the page cache's content generation,
        # and without signals: move it on again so no search page cached in between survives.
        content_changed()


def rebuild_index(*, batch_size=500, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-create every story's search document and listing from scratch; returns how many
    stories were indexed."""
    engine = get_engine()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            Article.objects.filter(pk__in=batch).refresh_listings()
            engine.index(batch)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    engine.finish_rebuild()
    return len(ids)
