"""The /search/ page: filters, facets, published-only counts, hostile input, query counts."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from articles.models import Article

from ..helpers.factories import make_article, make_draft, make_source

pytestmark = pytest.mark.django_db


def page_text(response):
    return response.content.decode()


def result_headlines(response):
    return [
        html.unescape(h)
        for h in re.findall(r'class="card__headline"><a [^>]*>([^<]*)</a>', page_text(response))
    ]


def facet_counts(response, heading):
    """{name: count} of one facet box."""
    text = page_text(response)
    box = text.split(heading, 1)[1].split("</ul>", 1)[0]
    return {
        html.unescape(name): int(count)
        for name, count in re.findall(r'>([^<>]+)</a> <span class="facet-count">(\d+)</span>', box)
    }


@pytest.fixture
def newsroom(committed):
    """Published stories over a few tags and sources, plus drafts and embargoed stories that
    carry the same tags and words and must never be counted."""
    reuters, afp = make_source("Reuters"), make_source("AFP")
    now = timezone.now()
    with committed():
        for n in range(12):
            tags = ["Mali"]
            if n % 2 == 0:
                tags.append("Russia")
            if n % 3 == 0:
                tags.append("France")
            if n % 4 == 0:
                tags.append("Wagner Group")
            make_article(
                f"Story {n:02d} about the junta" if n % 2 else f"Story {n:02d} on helicopters",
                standfirst="Reporting from Bamako.",
                body="<p>Helicopters arrived.</p>" if n % 5 == 0 else "<p>Nothing else.</p>",
                tags=tags,
                sources=[reuters if n % 2 else afp],
                published_at=now - datetime.timedelta(days=n + 1),
            )
        for n in range(3):
            make_draft(
                f"Draft {n} on helicopters", tags=["Mali", "Russia", "Secret"], sources=[afp]
            )
            make_article(
                f"Embargoed {n} on helicopters",
                tags=["Mali", "Russia", "Secret"],
                sources=[afp],
                published_at=now + datetime.timedelta(days=1),
            )


def brute_force_tag_counts(stories):
    counts = {}
    for story in stories:
        for tag in story.tags.all():
            counts[tag.name] = counts.get(tag.name, 0) + 1
    return counts


class TestFilters:
    def test_tags_must_all_match(self, client, newsroom):
        response = client.get("/search/?tag=mali&tag=russia&tag=france")
        expected = (
            Article.objects.published().filter(tags__slug="russia").filter(tags__slug="france")
        )
        assert sorted(result_headlines(response)) == sorted(a.headline for a in expected)
        assert len(result_headlines(response)) == 2  # stories 0 and 6

    def test_excluded_tags(self, client, newsroom):
        response = client.get("/search/?tag=mali&exclude_tag=russia")
        assert all(int(h[6:8]) % 2 == 1 for h in result_headlines(response))
        assert len(result_headlines(response)) == 6
        assert "not Russia" in page_text(response)

    def test_source_and_dates(self, client, newsroom):
        reuters = client.get("/search/?source=reuters")
        assert len(result_headlines(reuters)) == 6
        day = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
        one_day = client.get(f"/search/?from={day}&to={day}")
        assert result_headlines(one_day) == ["Story 02 on helicopters"]

    def test_text_with_tags_ranks_and_highlights(self, client, newsroom):
        response = client.get("/search/?q=helicopters&tag=wagner-group")
        headlines = result_headlines(response)
        # Headline matches first (0, 4, 8 all have the word in the headline and the tag).
        assert headlines == [
            "Story 00 on helicopters",
            "Story 04 on helicopters",
            "Story 08 on helicopters",
        ]
        assert "<mark>Helicopters</mark>" in page_text(response)

    def test_sort_newest(self, client, newsroom):
        response = client.get("/search/?q=helicopters&sort=newest")
        headlines = result_headlines(response)
        assert headlines == sorted(headlines)  # Story 00 is the newest

    def test_unknown_tag_gives_an_empty_result_that_says_what_to_drop(self, client, newsroom):
        response = client.get("/search/?q=helicopters&tag=atlantis")
        assert response.status_code == 200
        text = page_text(response)
        assert "There is no topic “atlantis”" in text
        assert "No published story matches this search." in text
        assert 'href="?q=helicopters">search without atlantis' in text

    def test_renamed_tag_in_an_old_link_still_filters(self, client, newsroom):
        from articles.editorial.tagging import rename_tag
        from articles.models import Tag

        rename_tag(Tag.objects.get(slug="russia"), new_name="Russian Federation")
        response = client.get("/search/?tag=russia")
        assert len(result_headlines(response)) == 6


class TestFacetsArePublishedOnlyAndExact:
    @pytest.mark.parametrize(
        "query, stories",
        [
            ("", lambda: Article.objects.published()),
            ("?tag=russia", lambda: Article.objects.published().filter(tags__slug="russia")),
            (
                "?q=helicopters",
                lambda: [
                    a
                    for a in Article.objects.published()
                    if "helicopters" in (a.headline + a.body).lower()
                ],
            ),
            (
                "?q=helicopters&tag=mali&tag=russia",
                lambda: [
                    a
                    for a in Article.objects.published().filter(tags__slug="russia")
                    if "helicopters" in (a.headline + a.body).lower()
                ],
            ),
        ],
    )
    def test_tag_and_source_facets_equal_a_brute_force_count(
        self, client, newsroom, query, stories
    ):
        response = client.get("/search/" + query)
        expected = list(stories())
        assert sorted(result_headlines(response)) == sorted(a.headline for a in expected)
        selected = set(re.findall(r"tag=([\w-]+)", query))
        tag_counts = brute_force_tag_counts(expected)
        shown = facet_counts(response, "Topics in these results")
        assert shown == {name: n for name, n in tag_counts.items() if name.lower() not in selected}
        assert "Secret" not in shown
        source_counts = {}
        for story in expected:
            for source in story.sources.all():
                source_counts[source.name] = source_counts.get(source.name, 0) + 1
        assert facet_counts(response, ">Sources<") == source_counts
        assert f"{len(expected)} stor" in page_text(response)

    def test_facet_links_add_and_active_filters_remove(self, client, newsroom):
        text = page_text(client.get("/search/?q=helicopters&tag=mali"))
        assert 'href="?q=helicopters&amp;tag=mali&amp;tag=russia">Russia</a>' in text
        assert 'href="?q=helicopters&amp;tag=mali&amp;source=afp">AFP</a>' in text
        assert 'href="?q=helicopters" aria-label="Remove filter Mali"' in text
        assert 'href="?tag=mali" aria-label="Remove filter “helicopters”"' in text

    def test_drafts_and_embargoed_stories_never_appear(self, client, newsroom):
        for url in [
            "/search/",
            "/search/?q=helicopters",
            "/search/?tag=secret",
            "/search/?q=draft",
        ]:
            text = page_text(client.get(url))
            assert "Draft " not in text and "Embargoed" not in text and ">Secret<" not in text


class TestHostileInput:
    @pytest.mark.parametrize(
        "query",
        [
            "q=" + "a" * 10_240,
            "q=%00mali%00",
            "q=%ff%fe%fd",
            "tag=%ff%00",
            'q="unbalanced quotes',
            "q=%27+OR+1%3D1--",
            "q=(a%2B)%2B%24",
            "q=a+%26+%7C+%21b%3A*",
            "q=NEAR(a+b)+col%3Aterm+%5Ex",
            "q=or",
            "q=-",
            "page=-1",
            "page=0",
            "page=abc",
            "page=99999999999999999999999",
            "page=1.5",
            "page=40",
            "from=2024-02-30",
            "from=9999-12-31&to=9999-12-31",
            "from=2024-05-01&to=2024-01-01",
            "sort=drop+table",
            "source=%00",
            "exclude_tag=%00%00",
        ],
    )
    def test_never_a_server_error(self, client, newsroom, query):
        response = client.get("/search/?" + query)
        assert response.status_code in {200, 400}
        assert "<h1>Search</h1>" in page_text(response)

    def test_clear_messages_for_what_cannot_be_searched(self, client, newsroom):
        long_query = client.get("/search/?q=" + "a" * 10_240)
        assert long_query.status_code == 400
        assert "Search text can be at most 200 characters long." in page_text(long_query)
        for page in ["-1", "0", "abc", "1.5", "99999999999999999999999"]:
            response = client.get(f"/search/?page={page}")
            assert response.status_code == 400
            assert "The page must be a whole number" in page_text(response)
        beyond = client.get("/search/?page=40")
        assert beyond.status_code == 200 and "Page 1 of 1" not in page_text(beyond)

    def test_a_thousand_tags_are_capped_and_the_page_says_so(
        self, client, newsroom, django_assert_max_num_queries
    ):
        query = "&".join(["tag=mali"] + [f"tag=t{n}" for n in range(999)])
        with django_assert_max_num_queries(3):
            response = client.get("/search/?" + query)
        assert response.status_code == 200
        text = page_text(response)
        assert "A search combines at most 10 topics; only the first 10 were used." in text
        assert text.count('aria-label="Remove filter') == 10

    def test_more_parameters_than_django_reads_is_a_clear_400(self, client, newsroom):
        response = client.get("/search/?" + "&".join(f"tag=t{n}" for n in range(5000)))
        assert response.status_code == 400
        assert "A search can have at most 1,000 parameters." in page_text(response)

    def test_reflected_input_is_escaped(self, client, newsroom):
        attack = "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        for query in [f"q={attack}", f"tag={attack}", f"source={attack}"]:
            text = page_text(client.get("/search/?" + query))
            assert "<script>alert(1)</script>" not in text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


class TestQueryCounts:
    """The number of queries per search page does not depend on how many stories match."""

    @pytest.mark.parametrize(
        "query, limit",
        [
            # Nothing asked: the kept counts (two queries), the page's ids, its stories and
            # their sources, the top tags' and sources' names.
            ("", 7),
            ("?tag=mali", 8),  # the same for one tag, + the tag asked for
            # The matches, the page's stories and their sources, the facets' names, highlights,
            # and the ranking (on SQLite: a count of the word's matches, then their bm25).
            ("?q=helicopters", 8),
            ("?tag=mali&tag=russia", 7),  # + the tags asked for
            ("?q=helicopters&tag=mali&tag=russia&source=afp", 9),  # + the tags and source asked
            ("?q=zzzz", 1),  # nothing matches: the ids only
        ],
    )
    def test_pinned(self, client, committed, django_assert_max_num_queries, query, limit):
        afp = make_source("AFP")
        for size in (3, 30):
            with committed():
                for n in range(size):
                    make_article(
                        f"Helicopters {size}-{n}",
                        tags=["Mali", "Russia", f"Extra {n}"],
                        sources=[afp, make_source()],
                    )
            with django_assert_max_num_queries(limit):
                assert client.get("/search/" + query).status_code == 200
