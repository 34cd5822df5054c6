import datetime

import pytest
from django.utils import timezone

from ..helpers.factories import make_article, make_draft, make_image, make_source

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


class TestFrontPage:
    def test_lead_story_and_latest_list(self, client, seed_story):
        newer = make_article("A newer story", published_at=timezone.now())
        page = html(client.get("/"))
        assert page.index("A newer story") < page.index(seed_story.headline)
        assert newer.standfirst in page
        assert f'href="{seed_story.get_absolute_url()}"' in page

    def test_drafts_and_scheduled_stories_stay_off(self, client, seed_story):
        make_draft("Secret draft")
        make_article("Embargoed story", published_at=timezone.now() + datetime.timedelta(hours=1))
        page = html(client.get("/"))
        assert "Secret draft" not in page
        assert "Embargoed story" not in page

    def test_empty_site_says_so(self, client, db):
        assert "No stories have been published yet" in html(client.get("/"))

    def test_query_count_does_not_grow_with_tags_and_sources(
        self, client, warm_page_cache, django_assert_max_num_queries
    ):
        for n in range(15):
            make_article(
                f"Story {n}",
                tags=[f"tag {n}-{t}" for t in range(6)],
                sources=[make_source(f"Source {n}-{s}") for s in range(3)],
                lead_image=make_image(),
            )
        # stories, sources, tags, and the lead photos' renditions (one query for all of them)
        with django_assert_max_num_queries(4):
            assert client.get("/").status_code == 200


class TestArticlePage:
    def test_shows_every_part_of_the_seed_story(self, client, seed_story):
        response = client.get(seed_story.get_absolute_url())
        page = html(response)
        assert response.status_code == 200
        assert "<title>Mali receives helicopters and weapons from Russia |" in page
        assert '<meta name="description" content="The delivery of military equipment' in page
        assert '<h1 class="story__headline">Mali receives helicopters' in page
        # The photo file has not arrived: no broken image, and no caption or credit under nothing.
        assert "France has warned Mali that hiring Wagner fighters" not in page
        assert "Benoit Tessier" not in page
        assert "<img" not in page
        assert 'Source: <a href="/sources/news-agencies/">News Agencies</a>' in page
        assert 'href="/tags/wagner-group/">Wagner Group</a>' in page
        assert "“What the Malian prime minister said is unacceptable." in page
        assert '<time datetime="2021-10-01T09:00:00+00:00">' in page

    def test_photo_with_a_file_is_shown_with_dimensions(self, client, seed_story):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from ..helpers.images import png_bytes

        image = seed_story.lead_image
        image.alt_text = "A cargo plane on the tarmac"
        image.file = SimpleUploadedFile("plane.png", png_bytes(40, 30))
        image.save()
        page = html(client.get(seed_story.get_absolute_url()))
        assert 'alt="A cargo plane on the tarmac" width="40" height="30"' in page

    def test_two_sources_read_naturally(self, client):
        story = make_article(sources=[make_source("Al Jazeera"), make_source("News Agencies")])
        page = html(client.get(story.get_absolute_url()))
        assert ">Al Jazeera</a> and <a" in page

    def test_headline_markup_is_escaped(self, client):
        story = make_article("<script>alert(1)</script> Big news")
        page = html(client.get(story.get_absolute_url()))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Big news" in page

    def test_draft_and_future_stories_are_404(self, client):
        draft = make_draft("Draft", published_at=timezone.now() - datetime.timedelta(days=1))
        future = make_article("Future", published_at=timezone.now() + datetime.timedelta(days=1))
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(future.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        "url",
        [
            "/2021/10/02/mali-receives-helicopters-and-weapons-from-russia/",
            "/2021/13/45/mali-receives-helicopters-and-weapons-from-russia/",
            "/2021/10/01/no-such-story/",
            "/no/such/page/",
        ],
    )
    def test_wrong_addresses_are_404(self, client, seed_story, url):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in html(response)

    def test_query_count_does_not_grow_with_tags_and_sources(
        self, client, warm_page_cache, django_assert_max_num_queries
    ):
        story = make_article(
            tags=[f"topic {n}" for n in range(25)],
            sources=[make_source() for _ in range(8)],
            lead_image=make_image(),
        )
        # story, sources, tags, the lead photo's renditions, corrections, the byline's credits
        # with their authors, related stories
        with django_assert_max_num_queries(7):
            assert client.get(story.get_absolute_url()).status_code == 200


class TestTagAndSourcePages:
    def test_tag_page_lists_published_stories_only(self, client, seed_story):
        make_draft("Draft about Mali", tags=["Mali"])
        page = html(client.get("/tags/mali/"))
        assert seed_story.headline in page
        assert "Draft about Mali" not in page
        assert "1 story" in page

    def test_source_page_lists_published_stories_only(self, client, seed_story):
        agencies = seed_story.sources.get()
        make_draft("Agency draft", sources=[agencies])
        page = html(client.get("/sources/news-agencies/"))
        assert seed_story.headline in page
        assert "Agency draft" not in page

    def test_tag_with_only_drafts_is_404(self, client, db):
        make_draft("Draft", tags=["Embargoed topic"])
        assert client.get("/tags/embargoed-topic/").status_code == 404

    def test_pagination(self, client, settings):
        settings.ARTICLES_PER_PAGE = 2
        for n in range(5):
            make_article(
                f"Paged story {n}",
                tags=["Paged"],
                published_at=timezone.now() - datetime.timedelta(hours=n + 1),
            )
        first, third = html(client.get("/tags/paged/")), html(client.get("/tags/paged/?page=3"))
        assert "Paged story 0" in first and "Paged story 2" not in first
        assert "Paged story 4" in third and "Page 3 of 3" in third

    @pytest.mark.parametrize("page", ["0", "-1", "4", "abc", "99999999999999999999", "1.5"])
    def test_bad_page_numbers_are_404(self, client, seed_story, page):
        assert client.get(f"/tags/mali/?page={page}").status_code == 404
        assert client.get(f"/sources/news-agencies/?page={page}").status_code == 404

    def test_list_query_counts_do_not_grow(
        self, client, warm_page_cache, django_assert_max_num_queries
    ):
        source = make_source("Reuters")
        for n in range(20):
            make_article(
                f"Story {n}",
                tags=["Common"] + [f"t{n}-{k}" for k in range(5)],
                sources=[source, make_source()],
            )
        # tag, its kept counts (two queries), its story ids from the index, the page's stories
        # and their sources, the co-occurring tags' names (no photos)
        with django_assert_max_num_queries(7):
            assert client.get("/tags/common/").status_code == 200
        # source, its count (two queries), the ids, the stories, their sources
        with django_assert_max_num_queries(6):
            assert client.get("/sources/reuters/").status_code == 200
