"""Authors: bylines with several roles, author pages and their feeds, JSON-LD Person, the API and
ninjs, linking imported bylines, and the desk's author list and merge."""

import json
import re

import feedparser
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from articles.credits import Credit, parse_credit_line
from articles.editorial import services
from articles.editorial.authors import merge_authors
from articles.models import Author, Contributor
from articles.wire.importing import import_parsed, parse_copy

from ..helpers.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

Role = Contributor.Role


@pytest.fixture
def people(db):
    return {
        "amina": Author.objects.create(
            name="Amina Traoré",
            title="West Africa correspondent",
            bio="Reports from Bamako.",
            links="https://example.org/amina\nnot a link",
        ),
        "jean": Author.objects.create(name="Jean Dupont"),
        "sara": Author.objects.create(name="Sara Lind"),
        "li": Author.objects.create(name="Li Wei"),
    }


def credit(article, *pairs):
    for position, (author, role) in enumerate(pairs):
        Contributor.objects.create(article=article, author=author, role=role, position=position)


def test_the_byline_reads_naturally_with_several_roles_and_links(client, people):
    article = make_article("Floods in Mopti")
    credit(
        article,
        (people["amina"], Role.BY),
        (people["jean"], Role.BY),
        (people["sara"], Role.ADDITIONAL),
        (people["li"], Role.TRANSLATED),
    )
    assert article.byline_text() == (
        "By Amina Traoré and Jean Dupont; additional reporting by Sara Lind; translated by Li Wei"
    )
    page = client.get(article.get_absolute_url()).content.decode()
    byline = re.search(r'<span class="byline">(.*?)</span>', page).group(1)
    assert byline.startswith('By <a class="byline__author" href="/authors/amina-traore/">Amina')
    assert ' and <a class="byline__author" href="/authors/jean-dupont/">Jean Dupont</a>' in byline
    assert "; additional reporting by <a" in byline and "; translated by <a" in byline


def test_a_free_text_byline_stays_for_wire_copy(client):
    article = make_article(byline="News Agencies")
    assert article.byline_text() == "By News Agencies"
    # The name isolated for right-to-left pages (i18n).
    page = client.get(article.get_absolute_url()).content.decode()
    assert "By <bdi>News Agencies</bdi>" in page


def test_author_index_and_page_list_only_published_stories(client, people):
    published = make_article("Published with Amina")
    credit(published, (people["amina"], Role.REPORTING))
    draft = make_draft("Draft with Amina")
    credit(draft, (people["amina"], Role.BY))
    credit(make_draft("Jean only on a draft"), (people["jean"], Role.BY))

    index = client.get(reverse("articles:author_index")).content.decode()
    assert "Amina Traoré" in index and "Jean Dupont" not in index
    page = client.get(people["amina"].get_absolute_url()).content.decode()
    assert "Published with Amina" in page and "Draft with Amina" not in page
    assert "West Africa correspondent" in page and "https://example.org/amina" in page
    assert client.get(people["jean"].get_absolute_url()).status_code == 404


def test_author_page_json_ld_person(client, people):
    credit(make_article(), (people["amina"], Role.BY))
    page = client.get(people["amina"].get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert data["@type"] == "Person" and data["name"] == "Amina Traoré"
    assert data["jobTitle"] == "West Africa correspondent"
    assert data["sameAs"] == ["https://example.org/amina"]
    assert data["url"].endswith("/authors/amina-traore/")


def test_the_story_json_ld_names_its_authors_as_persons(client, people):
    article = make_article()
    credit(article, (people["amina"], Role.BY), (people["li"], Role.TRANSLATED))
    page = client.get(article.get_absolute_url()).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    news = next(json.loads(s) for s in scripts if '"NewsArticle"' in s)
    assert [(p["@type"], p["name"]) for p in news["author"]] == [("Person", "Amina Traoré")]
    assert news["author"][0]["url"].endswith("/authors/amina-traore/")


@pytest.mark.parametrize("kind", ["author-atom", "author-rss"])
def test_author_feeds(client, people, kind):
    credit(make_article("In the feed"), (people["amina"], Role.BY))
    credit(make_draft("Not in the feed"), (people["amina"], Role.BY))
    response = client.get(reverse(f"syndication:{kind}", args=["amina-traore"]))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert [entry.title for entry in feed.entries] == ["In the feed"]
    assert feed.entries[0].author == "Amina Traoré"


def test_the_author_page_does_not_grow_with_stories(
    client, people, django_assert_max_num_queries, warm_page_cache
):
    for n in range(3):
        credit(make_article(f"Story {n}"), (people["amina"], Role.BY))
    url = people["amina"].get_absolute_url()
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for n in range(3, 15):
        credit(make_article(f"Story {n}"), (people["amina"], Role.BY))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_api_and_ninjs_carry_the_authors(client, people):
    article = make_article()
    credit(article, (people["amina"], Role.BY), (people["li"], Role.PHOTOS))
    data = client.get(reverse("api:article", kwargs={"id": article.pk})).json()
    assert [(a["name"], a["role"]) for a in data["authors"]] == [
        ("Amina Traoré", "By"),
        ("Li Wei", "Photos by"),
    ]
    ninjs = client.get(reverse("api:article-ninjs", kwargs={"id": article.pk})).json()
    assert ninjs["by"] == "Amina Traoré; photos by Li Wei"
    assert [p["name"] for p in ninjs["people"]] == ["Amina Traoré", "Li Wei"]


def test_an_imported_byline_links_known_authors_and_keeps_unknown_names(people):
    story = {
        "uri": "urn:agency:1",
        "headline": "Imported with a byline",
        "body_text": "A paragraph.",
        "by": "amina traoré and Someone Unknown",
    }
    article = import_parsed(parse_copy(json.dumps(story))).article
    assert list(article.authors.all()) == [people["amina"]]
    article.refresh_from_db()
    assert article.byline == "Someone Unknown"
    assert article.byline_text() == "By Amina Traoré and Someone Unknown"


def test_a_given_byline_is_read_as_written():
    assert parse_credit_line("By A. Traoré, J. Dupont and S. Lind", strict=False) == (
        Credit("by", "A. Traoré"),
        Credit("by", "J. Dupont"),
        Credit("by", "S. Lind"),
    )
    # A byline field is a byline: lower-case agency names are kept, not refused.
    assert parse_credit_line("news agencies; editing by J. Dupont", strict=False) == (
        Credit("by", "news agencies"),
        Credit("edited", "J. Dupont"),
    )


def test_merging_two_records_of_one_person(people):
    twin = Author.objects.create(name="A. Traoré", title="", bio="")
    article, other = make_article(), make_article()
    credit(article, (people["amina"], Role.BY))
    credit(other, (twin, Role.BY))
    Contributor.objects.create(article=article, author=twin, role=Role.BY, position=1)
    merge_authors(keep=people["amina"], others=[twin], user=None)
    assert not Author.objects.filter(pk=twin.pk).exists()
    assert set(people["amina"].articles.all()) == {article, other}
    assert Contributor.objects.filter(article=article).count() == 1


def test_a_merged_authors_page_and_feeds_redirect_to_the_author_kept(
    client, people, django_assert_max_num_queries
):
    twin = Author.objects.create(name="A. Traoré")
    credit(make_article("Their story"), (twin, Role.BY))
    earlier = Author.objects.create(name="Amina T.")
    merge_authors(keep=twin, others=[earlier], user=None)
    merge_authors(keep=people["amina"], others=[twin], user=None)
    kept = people["amina"]
    for old in ("a-traore", "amina-t"):  # a redirect to a merged author follows it on
        with django_assert_max_num_queries(3):
            page = client.get(f"/authors/{old}/")
        assert page.status_code == 301
        assert page["Location"] == kept.get_absolute_url()
        for kind in ("author-atom", "author-rss"):
            feed = client.get(reverse(f"syndication:{kind}", args=[old]))
            assert feed.status_code == 301
            assert feed["Location"] == reverse(f"syndication:{kind}", args=[kept.slug])
    assert client.get(kept.get_absolute_url()).status_code == 200
    assert client.get("/authors/nobody-at-all/").status_code == 404
    assert client.get(reverse("syndication:author-rss", args=["nobody-at-all"])).status_code == 404


def test_the_desk_lists_authors_with_counts_and_merges_them(editor_client, people):
    credit(make_article(), (people["amina"], Role.BY))
    credit(make_draft(), (people["amina"], Role.BY))
    listing = editor_client.get(reverse("admin:articles_author_changelist")).content.decode()
    assert re.search(
        r"Amina Traoré.*?field-story_count\">2<.*?field-published_count\">1<", listing, re.S
    )
    url = reverse("admin:articles_author_changelist")
    ids = [people["jean"].pk, people["sara"].pk]
    page = editor_client.post(url, {"action": "merge_action", ACTION_CHECKBOX_NAME: ids})
    assert "Keep this record" in page.content.decode()
    done = editor_client.post(
        url,
        {"action": "merge_action", ACTION_CHECKBOX_NAME: ids, "apply": "1", "keep": ids[0]},
    )
    assert done.status_code == 302
    assert not Author.objects.filter(pk=ids[1]).exists()


def test_the_contributor_picker_autocompletes_authors(editor_client, people):
    url = reverse("admin:autocomplete") + (
        "?term=ami&app_label=articles&model_name=contributor&field_name=author"
    )
    results = editor_client.get(url).json()["results"]
    assert [r["text"] for r in results] == ["Amina Traoré"]


def test_a_withdrawn_story_leaves_its_authors_page(client, people, committed):
    article = make_article("Gone soon")
    credit(article, (people["amina"], Role.BY))
    assert client.get(people["amina"].get_absolute_url()).status_code == 200
    with committed():
        services.kill_story(article=article, user=None, reason="Kill")
    assert client.get(people["amina"].get_absolute_url()).status_code == 404
    assert "Amina" not in client.get(reverse("articles:author_index")).content.decode()


def test_the_author_index_does_not_grow_with_stories(
    client, people, django_assert_max_num_queries, warm_page_cache, committed
):
    for author in people.values():
        credit(make_article(), (author, Role.BY))
    with django_assert_max_num_queries(6) as few:
        assert client.get(reverse("articles:author_index")).status_code == 200
    with committed():  # the page cache starts afresh, as after any change
        for author in people.values():
            for _ in range(3):
                credit(make_article(), (author, Role.REPORTING))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("articles:author_index")).content.decode()
    assert re.search(r"Amina Traoré</a>.*?facet-count\">4<", page, re.S)


def test_bylines_and_author_pages_in_french_and_arabic(client, people):
    article = make_article("Inondations à Mopti", language="fr")
    credit(
        article,
        (people["amina"], Role.BY),
        (people["jean"], Role.BY),
        (people["sara"], Role.REPORTING),
    )
    page = client.get(article.get_absolute_url()).content.decode()
    byline = re.search(r'<span class="byline">(.*?)</span>', page).group(1)
    assert byline.startswith('Par <a class="byline__author"')
    assert " et <a" in byline and "; reportage de <a" in byline
    french = client.get("/fr/authors/").content.decode()
    assert "<h1>Auteurs</h1>" in french and "3 auteurs ayant publié" in french
    arabic = client.get("/ar/authors/").content.decode()
    assert "<h1>الكتّاب</h1>" in arabic


def test_an_authors_changed_slug_keeps_the_old_page_and_feeds_working(
    editor_client, client, people, committed
):
    amina, jean = people["amina"], people["jean"]
    credit(make_article("Their story"), (amina, Role.BY))
    credit(make_article("His story"), (jean, Role.BY))

    def rename(author, slug):
        url = reverse("admin:articles_author_change", args=[author.pk])
        fields = {"name": author.name, "slug": slug, "title": "", "bio": "", "links": ""}
        return editor_client.post(url, fields)

    assert rename(amina, "amina-traore-bamako").status_code == 302
    amina.refresh_from_db()
    assert amina.slug == "amina-traore-bamako"
    old_page = client.get("/authors/amina-traore/")
    assert old_page.status_code == 301
    assert old_page["Location"] == amina.get_absolute_url()
    assert client.get(old_page["Location"]).status_code == 200
    for kind in ("author-atom", "author-rss"):
        feed = client.get(reverse(f"syndication:{kind}", args=["amina-traore"]))
        assert feed.status_code == 301
        assert feed["Location"] == reverse(f"syndication:{kind}", args=[amina.slug])

    # Another author cannot take her old address: it must keep leading to her.
    refused = rename(jean, "amina-traore")
    assert refused.status_code == 200
    assert "was an earlier address of “Amina Traoré”" in refused.content.decode()
    jean.refresh_from_db()
    assert jean.slug == "jean-dupont"

    # Back to the first address: it is hers again, and the second one now redirects.
    with committed():  # the page cache starts afresh, as after any change
        assert rename(amina, "amina-traore").status_code == 302
    assert client.get("/authors/amina-traore/").status_code == 200
    assert client.get("/authors/amina-traore-bamako/")["Location"] == "/authors/amina-traore/"
