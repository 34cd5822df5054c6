"""The full-text engines (articles/search/engines.py), on whichever database the suite runs on."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from articles import changes
from articles.models import Article
from articles.search.engines import get_engine
from articles.search.models import SearchDocument, SearchListing
from articles.search.query import parse_query
from articles.search.results import find
from articles.search.text import plain_text

from ..helpers.factories import make_article, make_draft

pytestmark = pytest.mark.django_db


def search(text):
    """Headlines of the published stories matching `text`, best first."""
    query = parse_query(text)
    engine = get_engine()
    matches = find(engine.matching(engine.listings(query).due(), query), query=query, ranked=True)
    headlines = dict(Article.objects.filter(pk__in=matches.ids).values_list("pk", "headline"))
    return [headlines[pk] for pk in matches.ids]


class TestQueryParsing:
    def test_words_phrases_exclusions_and_or(self):
        query = parse_query('Mali "Wagner Group" -France helicopters OR drones')
        assert query.clauses == (
            (("mali",),),
            (("wagner", "group"),),
            (("helicopters",), ("drones",)),
        )
        assert query.excluded == (("france",),)

    def test_punctuation_never_reaches_the_database_as_syntax(self):
        for hostile in ["' OR 1=1--", "(a+)+$", "a & | !b:*", 'NEAR(a b) "x* ^y', "col:term"]:
            query = parse_query(hostile)
            expression = query.fts5()
            # Every word is quoted; nothing else than words, quotes, parentheses and operators.
            for word in query.words:
                assert f'"{word}' in expression or f"{word}" in expression
            assert ":" not in expression and "*" not in expression and "^" not in expression

    def test_unbalanced_quote_runs_to_the_end(self):
        assert parse_query('"weapons from russia').clauses == ((("weapons", "from", "russia"),),)

    def test_only_punctuation_is_an_empty_query(self):
        assert not parse_query("'\"!&|()*")
        assert not parse_query("or OR or")

    def test_the_number_of_terms_is_capped(self):
        query = parse_query(" ".join(f"w{n}" for n in range(100)))
        assert len(query.clauses) == 16

    def test_index_text_has_no_html_and_no_highlight_markers(self):
        text = plain_text("<p>One&nbsp;<b>bold</b></p><p>two\x02three\ue000 &lt;tag&gt;</p>")
        assert text == "One bold two three ‹tag›"


class TestRanking:
    def test_headline_beats_standfirst_beats_tags_beats_body(self, committed):
        with committed():
            make_article("Body", standfirst="x", body="<p>A story about drones.</p>")
            make_article("Headline: drones overhead", standfirst="x")
            make_article("Tags", standfirst="x", tags=["Drones"])
            make_article("Standfirst", standfirst="Drones were seen.")
        assert search("drones") == ["Headline: drones overhead", "Standfirst", "Tags", "Body"]

    def test_english_stemming(self, committed):
        with committed():
            make_article("Helicopter delivered", standfirst="x")
            make_article("Unrelated", standfirst="x")
        assert search("helicopters") == ["Helicopter delivered"]
        assert search("delivering") == ["Helicopter delivered"]

    def test_phrase(self, committed):
        with committed():
            make_article("Weapons from Russia", standfirst="x")
            make_article("Russia sends weapons", standfirst="x")
        assert search('"weapons from russia"') == ["Weapons from Russia"]
        assert sorted(search("weapons russia")) == ["Russia sends weapons", "Weapons from Russia"]

    def test_exclusion_and_or(self, committed):
        with committed():
            make_article("Mali and France", standfirst="x")
            make_article("Mali and Russia", standfirst="x")
            make_article("Niger and France", standfirst="x")
        assert search("mali -france") == ["Mali and Russia"]
        assert sorted(search("mali or niger")) == [
            "Mali and France",
            "Mali and Russia",
            "Niger and France",
        ]
        assert sorted(search("-mali")) == ["Niger and France"]

    def test_ties_are_broken_by_newest(self, committed):
        now = timezone.now()
        with committed():
            make_article("Old storm", standfirst="x", published_at=now - datetime.timedelta(days=3))
            make_article("New storm", standfirst="x", published_at=now - datetime.timedelta(days=1))
        assert search("storm") == ["New storm", "Old storm"]

    def test_highlights_mark_the_words_and_escape_the_rest(self, committed):
        with committed():
            story = make_article(
                "Plain", body="<p>Before &lt;script&gt; the <b>convoy</b> arrived.</p>"
            )
        highlights = get_engine().highlights([story.pk], parse_query("convoys"))
        assert "<mark>convoy</mark>" in highlights[story.pk]
        assert "‹script›" in highlights[story.pk]
        assert "<script>" not in highlights[story.pk]


class TestIndexIsKeptCurrent:
    def test_written_in_the_transaction_that_changes_the_story(self):
        """The commit that publishes a story carries its searchable text; a rollback, neither."""
        with transaction.atomic():
            make_article("Volcano erupts", standfirst="x")
            assert search("volcano") == ["Volcano erupts"]
            transaction.set_rollback(True)
        assert search("volcano") == []
        assert not SearchDocument.objects.exists()

    def test_edit(self, committed):
        with committed():
            story = make_article("Volcano erupts", standfirst="x")
        with committed():
            story.headline = "Earthquake strikes"
            story.save()
        assert search("volcano") == []
        assert search("earthquake") == ["Earthquake strikes"]

    def test_tag_change(self, committed):
        with committed():
            story = make_article("A story", standfirst="x", tags=["Sahel"])
        assert search("sahel") == ["A story"]
        with committed():
            story.tags.set(["Desert"])
        assert search("sahel") == []
        assert search("desert") == ["A story"]

    def test_unpublish_and_drafts(self, committed):
        with committed():
            story = make_article("Volcano erupts", standfirst="x")
            make_draft("Volcano draft", standfirst="x")
            make_article(
                "Volcano embargo",
                standfirst="x",
                published_at=timezone.now() + datetime.timedelta(hours=2),
            )
        assert search("volcano") == ["Volcano erupts"]
        with committed():
            story.status = Article.Status.UNPUBLISHED
            story.save()
        assert search("volcano") == []

    def test_delete(self, committed):
        with committed():
            story = make_article("Volcano erupts", standfirst="x")
        with committed():
            story.delete()
        assert search("volcano") == []
        assert not SearchDocument.objects.exists()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM articles_search_fts "
                    "WHERE articles_search_fts MATCH 'volcano'"
                )
                assert cursor.fetchone() == (0,)

    def test_one_transaction_indexes_each_story_once(self, committed, monkeypatch):
        indexed = []
        engine = get_engine()
        original = engine.index
        monkeypatch.setattr(engine, "index", lambda ids: (indexed.append(set(ids)), original(ids)))
        with committed(), changes.atomic():
            story = make_article("Volcano", standfirst="x", tags=["One", "Two"])
            story.tags.add("Three")
            story.save()
        assert indexed == [{story.pk}]


def test_rebuild_command_recreates_the_index_with_a_progress_report(committed):
    with committed():
        stories = [make_article(f"Glacier {n}", standfirst="x") for n in range(3)]
    # A broken index: no documents and no search listings (PostgreSQL).
    SearchDocument.objects.all().delete()
    SearchListing.objects.all().delete()
    assert search("glacier") == []
    out = io.StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
    assert sorted(search("glacier")) == sorted(story.headline for story in stories)
    assert "3/3 stories" in out.getvalue()
    assert "Indexed 3 stories" in out.getvalue()
