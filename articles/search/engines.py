"""Full-text search behind one small interface, whatever the database.

`get_engine()` returns the engine for the database in use: PostgreSQL's native full-text search
(a weighted, GIN-indexed tsvector) or SQLite's FTS5 (bm25 with column weights). Both rank
headline > standfirst > tags and people (the byline, contributors' names) > body, stem English,
and understand the same query syntax (articles/search/query.py). Engines also filter listings by
tags and sources, each in the way its database does fastest.
"""

import abc
import json
from collections.abc import Iterable
from functools import cache

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Case, F, Func, Prefetch, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from ..languages import codes, fold_for_search, highlight_config, search_config, search_configs
from ..models import Article, Contributor, TaggedArticle
from .models import (
    ListingFields,
    SearchDocument,
    SearchListing,
    SQLiteSearchIndex,
    StoryListing,
)
from .query import ParsedQuery
from .text import MARK_END, MARK_START, highlighted, plain_text

# A story's body beyond this is not indexed (PostgreSQL refuses tsvectors over 1 MB).
MAX_INDEXED_BODY = 200_000


def document_for(article: Article) -> SearchDocument:
    """The search document of `article` (its tags from the prefetch cache when there is one)."""

    def text(value: str) -> str:
        return fold_for_search(plain_text(value))

    # A tag is found by its name and by its name in the story's language.
    tag_names = {name for tag in article.tag_list() for name in (tag.name, tag.display_name)}
    # Who wrote it: the free-text byline and every contributor's name, whatever their role.
    people = [article.byline, *(credit.author.name for credit in article.contributions.all())]
    return SearchDocument(
        article=article,
        headline=text(article.headline),
        standfirst=text(article.standfirst),
        tags=" ".join(text(name) for name in sorted(tag_names)),
        body=text(article.body)[:MAX_INDEXED_BODY],
        people=" ".join(text(name) for name in people if name),
        language=article.language,
    )


class SearchEngine(abc.ABC):
    """What the rest of the site may ask of full-text search, whatever the database."""

    def listings(self, query: ParsedQuery | None = None) -> QuerySet:
        """The listing rows a public search for `query` (None: no words) filters and reads."""
        return StoryListing.objects.all()

    @abc.abstractmethod
    def matching(self, stories: QuerySet, query: ParsedQuery) -> QuerySet:
        """`stories` (stories, or the listings from `listings(query)`) that match `query`, in
        no particular order."""

    @abc.abstractmethod
    def scores(self, article_ids: Iterable[int], query: ParsedQuery) -> dict[int, float] | None:
        """How well each of these stories matches `query` (the higher, the better), or None when
        that cannot be worked out at a bounded cost."""

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
        articles = Article.objects.filter(pk__in=ids).prefetch_related(
            "tags", Prefetch("contributions", Contributor.objects.select_related("author"))
        )
        documents = [document_for(article) for article in articles]
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["headline", "standfirst", "tags", "body", "people", "language"],
        )
        gone = ids - {document.article_id for document in documents}
        if gone:
            SearchDocument.objects.filter(article_id__in=gone).delete()
        self._after_write(ids)

    def finish_rebuild(self) -> None:  # noqa: B027 (optional hook)
        """Called once after `index` has been run over every story."""

    def index_stored_documents(self) -> None:  # noqa: B027 (optional hook)
        """Index, in one pass, documents written straight to the table (bulk loads, benchmarks)."""

    def _after_write(self, article_ids: set[int]) -> None:  # noqa: B027 (optional hook)
        """Engine-specific work after these stories' documents and listings were written (or
        removed)."""


LINK_COPIES = {"tags": "tag_ids", "sources": "source_ids"}


def _link(link: str) -> tuple[type, str, str]:
    """The link model behind "tags" or "sources", its field to the story and its other field."""
    if link == "tags":
        return TaggedArticle, "content_object", "tag"
    return Article.sources.through, "article", "source"


def _linked_story_ids(link: str, objects) -> QuerySet:
    model, story, other = _link(link)
    return model.objects.filter(**{f"{other}__in": objects}).values(f"{story}_id")


def _highlight_config_sql() -> tuple[str, list[str]]:
    """SQL choosing the configuration that marks matches in each search document by its
    language."""
    whens = " ".join("WHEN %s THEN %s" for _ in codes())
    params = [value for code in codes() for value in (code, highlight_config(code))]
    return f"(CASE language {whens} ELSE 'simple' END)::regconfig", params


class PostgresSearchEngine(SearchEngine):
    """Each story is stemmed with its language's configuration (settings.STORY_SEARCH_CONFIGS);
    a query matches a story when it matches in any of them, so an English reader's "elections"
    finds the French "élections" too."""

    @staticmethod
    def _configs() -> list[str]:
        return list(dict.fromkeys(config for code in codes() for config in search_configs(code)))

    def _any_config(self, text: str) -> SearchQuery:
        found = None
        for config in self._configs():
            one = SearchQuery(text, search_type="websearch", config=config)
            found = one if found is None else found | one
        return found

    def _search_query(self, query: ParsedQuery) -> SearchQuery:
        """The words matched in any language's configuration, and the excluded words kept out in
        every one of them (an OR of whole queries would let another stemming miss an exclusion)."""
        wanted = ParsedQuery(query.clauses).websearch()
        if not query.excluded:
            return self._any_config(wanted)
        excluded = ParsedQuery((tuple(query.excluded),)).websearch()
        unwanted = None  # in none of the configurations
        for config in self._configs():
            one = SearchQuery(excluded, search_type="websearch", config=config, invert=True)
            unwanted = one if unwanted is None else unwanted & one
        return self._any_config(wanted) & unwanted if query.clauses else unwanted

    def _tsquery_sql(self) -> str:
        return " || ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in self._configs())

    def _tsquery_params(self, query: ParsedQuery) -> list[str]:
        return [value for config in self._configs() for value in (config, query.websearch())]

    # A word search reads the listings that carry a copy of the vector (`SearchListing`): one
    # table, no join per row. A search without words reads the narrow `StoryListing` rows.
    def listings(self, query=None):
        return SearchListing.objects.all() if query else StoryListing.objects.all()

    # Stories (the desk's search, drafts included) go through their documents.
    def matching(self, stories, query):
        if stories.model is SearchListing:
            return stories.filter(search_vector=self._search_query(query))
        if stories.model is StoryListing:
            raise TypeError("A word search reads engine.listings(query), not StoryListing.")
        return stories.filter(search_document__search_vector=self._search_query(query))

    def scores(self, article_ids, query):
        ids = [int(pk) for pk in article_ids]
        if not query.clauses or not ids:
            return {}
        table = SearchListing._meta.db_table
        sql = (
            f"SELECT article_id, ts_rank(search_vector, {self._tsquery_sql()}) "  # noqa: S608 - constants only
            f"FROM {table} WHERE article_id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self._tsquery_params(query), ids])
            return dict(cursor.fetchall())

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
        config, config_params = _highlight_config_sql()
        sql = (
            f"SELECT article_id, ts_headline({config}, body, "  # noqa: S608 - constants only
            f"websearch_to_tsquery({config}, %s), %s) FROM {table} WHERE article_id = ANY(%s)"
        )
        params = [
            *config_params,
            *config_params,
            query.websearch(),
            self._HEADLINE_OPTIONS,
            ids,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return {article_id: highlighted(snippet) for article_id, snippet in rows if snippet}

    def _weighted_vector(self):
        config = Case(
            *[When(language=code, then=Value(search_config(code))) for code in codes()],
            default=Value("simple"),
        )
        # A second indexing for the languages that have one (French: accents folded).
        again = {code: search_configs(code)[1] for code in codes() if len(search_configs(code)) > 1}
        second_config = Case(
            *[When(language=code, then=Value(other)) for code, other in again.items()],
            default=Value("simple"),
        )

        def weighted(column, weight):
            vector = SearchVector(column, weight=weight, config=config)
            if not again:
                return vector
            text = Case(
                When(language__in=list(again), then=F(column)),
                default=Value(""),
                output_field=TextField(),
            )
            return vector + SearchVector(text, weight=weight, config=second_config)

        return (
            weighted("headline", "A")
            + weighted("standfirst", "B")
            + weighted("tags", "C")
            + weighted("people", "C")
            + weighted("body", "D")
        )

    def _after_write(self, article_ids):
        SearchDocument.objects.filter(article_id__in=article_ids).update(
            search_vector=self._weighted_vector()
        )
        self._copy_to_search_listings(sorted(article_ids))

    def index_stored_documents(self):
        SearchDocument.objects.filter(search_vector__isnull=True).update(
            search_vector=self._weighted_vector()
        )
        self._copy_to_search_listings(None)

    def _copy_to_search_listings(self, article_ids: list[int] | None) -> None:
        """Make these stories' search listings (None: every story's) their listings with their
        documents' vectors, in one statement: rows are written or rewritten for the listed
        stories, and removed for the others (unpublished, expired, deleted)."""
        search, listing = SearchListing._meta.db_table, StoryListing._meta.db_table
        documents = SearchDocument._meta.db_table
        these = "= ANY(%s)" if article_ids is not None else "IS NOT NULL"
        shared = [field.column for field in ListingFields._meta.local_fields]
        columns = ", ".join(shared)
        copied = ", ".join(f"listing.{column}" for column in shared)
        updates = ", ".join(
            f"{column} = excluded.{column}" for column in [*shared, "search_vector"]
        )
        sql = (
            f"WITH unlisted AS (DELETE FROM {search} AS search WHERE search.article_id {these} "  # noqa: S608 - constants only
            f"AND NOT EXISTS (SELECT FROM {listing} AS listing "
            "WHERE listing.article_id = search.article_id)) "
            f"INSERT INTO {search} (article_id, {columns}, search_vector) "
            f"SELECT listing.article_id, {copied}, document.search_vector "
            f"FROM {listing} AS listing JOIN {documents} AS document "
            f"ON document.article_id = listing.article_id WHERE listing.article_id {these} "
            f"ON CONFLICT (article_id) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [article_ids] * 2 if article_ids is not None else [])


class SQLiteSearchEngine(SearchEngine):
    """FTS5 over `SearchDocument` (see migrations 0003 and 0025): triggers keep the index in step
    with the documents; `rank` is bm25 with the column weights headline 10, standfirst 5, tags 3,
    body 1, people 3."""

    table = SQLiteSearchIndex._meta.db_table

    # The matches as a set of ids that the listings are filtered by: joined instead, FTS5 would
    # drive the query and every match would be sorted by time, however many there are.
    def matching(self, stories, query):
        if not query.clauses:  # only exclusions: everything but their matches
            excluded = SQLiteSearchIndex.objects.filter(document__match=query.fts5(positive=False))
            return stories.exclude(pk__in=excluded.values("article_id"))
        matched = SQLiteSearchIndex.objects.filter(document__match=query.fts5())
        return stories.filter(pk__in=matched.values("article_id"))

    # FTS5 works out bm25 as it walks a query's matches, only for the rows it is asked for; for
    # a few rows picked out by id it evaluates the whole query again for each (12 ms a row for a
    # common word at 100,000 stories, 330 ms for a phrase of two). So the matches are walked
    # once, bm25 is worked out for the wanted ones, and a query with more matches than this is
    # not ranked (the walk stops there).
    RANK_ALL_UP_TO = 20_000

    def scores(self, article_ids, query):
        ids = [int(pk) for pk in article_ids]
        if not query.clauses or not ids:
            return {}
        sql = (
            f"SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(%s)) THEN -rank END "  # noqa: S608 - constants only
            f"FROM {self.table} WHERE {self.table} MATCH %s LIMIT %s"
        )
        with connection.cursor() as cursor:
            # `rank` is bm25, smaller for better matches.
            cursor.execute(sql, [json.dumps(ids), query.fts5(), self.RANK_ALL_UP_TO + 1])
            rows = cursor.fetchall()
        if len(rows) > self.RANK_ALL_UP_TO:
            return None
        return {pk: score for pk, score in rows if score is not None}

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
        return {article_id: highlighted(snippet) for article_id, snippet in rows if snippet}

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
