import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.management.commands.seed import SEED_FILE
from articles.models import Article, Source, Tag
from articles.wire.suggest import story_texts, suggest_sources, suggest_tags, suggestions_for

from ..helpers.factories import make_article, make_draft, make_source, make_staff

pytestmark = pytest.mark.django_db

SEED = SEED_FILE
DESK = "/admin/articles/wire-desk/"

STORY = """Floods close roads in Monrovia

Heavy rain overnight cut power to thousands of homes in Liberia.

Rescue workers wade through a flooded street [Ahmed Jallanzo/EPA]

The river burst its banks before dawn, officials in Liberia said.

Source: Al Jazeera
"""

NINJS = {
    "uri": "urn:agency:quake-1",
    "headlines": [{"role": "main", "value": "Earthquake shakes Lima"}],
    "descriptions": [{"role": "summary", "value": "No damage was reported."}],
    "bodies": [{"contentType": "text/html", "value": "<p>Peru felt the quake at noon.</p>"}],
}


def names(suggestions):
    return [s.name for s in suggestions]


def suggest(text, **kw):
    return names(suggest_tags(story_texts(body_html=text), **kw))


class TestSuggestions:
    def test_seed_story_suggests_mali_russia_and_france(self, seed_story):
        tag_suggestions, _ = suggestions_for(seed_story)
        assert {"Mali", "Russia", "France"} <= set(names(tag_suggestions))
        assert all(s.applied for s in tag_suggestions if s.name in {"Mali", "Russia", "France"})
        assert names(tag_suggestions)[0] == "Mali"  # the most mentioned, and in the headline

    def test_seed_text_suggests_existing_tags_only(self, db):
        for name in ("Mali", "Russia", "France", "Wagner Group", "Cricket"):
            Tag.objects.create(name=name)
        text = SEED.read_text()
        found = names(suggest_tags(story_texts(body_html=text)))
        assert {"Mali", "Russia", "France", "Wagner Group"} <= set(found)
        assert "Cricket" not in found

    def test_whole_words_only(self, db):
        Tag.objects.create(name="Mali")
        assert suggest("A Malian official and the Somali coast.") == []
        assert suggest("Mali’s army (Mali) and “Mali”.") == ["Mali"]

    def test_proper_nouns_keep_their_case_lowercase_tags_do_not(self, db):
        Tag.objects.create(name="France")
        Tag.objects.create(name="climate")
        assert suggest("a france-like shape") == []
        assert suggest("FRANCE WINS") == ["France"]
        assert suggest("Climate talks") == ["climate"]

    def test_longest_name_wins(self, db):
        Tag.objects.create(name="Wagner")
        Tag.objects.create(name="Wagner Group")
        assert suggest("The Wagner  Group arrived.") == ["Wagner Group"]

    def test_headline_mentions_weigh_more(self, db):
        for name in ("Mali", "Niger"):
            Tag.objects.create(name=name)
        texts = story_texts(headline="Mali votes", body_html="<p>Niger. Niger.</p>")
        assert names(suggest_tags(texts)) == ["Mali", "Niger"]

    def test_sources_named_in_the_copy(self, db):
        make_source("Reuters")
        make_source("News Agencies")
        texts = story_texts(body_html="<p>he told news agencies</p>", caption="Jane Doe/Reuters")
        assert names(suggest_sources(texts)) == ["Reuters"]

    def test_regex_characters_in_names_are_literal(self, db):
        Tag.objects.create(name="C++")
        Tag.objects.create(name="(Mali)")
        assert suggest("Written in C++ today. Cxx is not.") == ["C++"]


class TestWireDesk:
    def test_requires_a_staff_login(self, client):
        response = client.get(DESK)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_form_renders(self, editor_client):
        response = editor_client.get(DESK)
        assert response.status_code == 200
        assert b"Import as drafts" in response.content

    def test_pasted_text_becomes_a_draft_and_lands_on_it(self, editor_client, editor):
        Tag.objects.create(name="Liberia")
        response = editor_client.post(DESK, {"text": STORY})
        article = Article.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
        assert article.status == Article.Status.DRAFT
        assert article.headline == "Floods close roads in Monrovia"
        assert article.standfirst.startswith("Heavy rain overnight")
        assert (
            article.body
            == "<p>The river burst its banks before dawn, officials in Liberia said.</p>"
        )
        assert (article.lead_image.caption, article.lead_image.credit) == (
            "Rescue workers wade through a flooded street",
            "Ahmed Jallanzo/EPA",
        )
        assert [s.name for s in article.sources.all()] == ["Al Jazeera"]
        assert article.created_by == editor
        assert article.revisions.exists()
        # Suggested, never applied.
        assert article.tags.count() == 0
        shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "Liberia" in shown and "Review the suggestions" in shown
        page = editor_client.get(response["Location"])
        assert page.status_code == 200

    def test_seed_copy_on_the_desk_suggests_mali_russia_and_france(self, editor_client):
        for name in ("Mali", "Russia", "France"):
            Tag.objects.create(name=name)
        response = editor_client.post(DESK, {"text": SEED.read_text()})
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.tags.count() == 0
        shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
        for name in ("Mali", "Russia", "France"):
            assert name in shown

    def test_uploaded_wire_and_ninjs_files(self, editor_client):
        files = [
            SimpleUploadedFile("floods.txt", STORY.encode(), content_type="text/plain"),
            SimpleUploadedFile("quake.json", json.dumps(NINJS).encode()),
        ]
        response = editor_client.post(DESK, {"files": files})
        first = Article.objects.get(headline="Floods close roads in Monrovia")
        assert response["Location"] == reverse("admin:articles_article_change", args=[first.pk])
        quake = Article.objects.get(headline="Earthquake shakes Lima")
        assert quake.status == Article.Status.DRAFT
        assert quake.body == "<p>Peru felt the quake at noon.</p>"

    def test_bad_files_are_named_and_the_rest_still_import(self, editor_client):
        files = [
            SimpleUploadedFile("empty.txt", b""),
            SimpleUploadedFile("broken.json", b"{nope"),
            SimpleUploadedFile("floods.txt", STORY.encode()),
        ]
        response = editor_client.post(DESK, {"files": files}, follow=True)
        assert Article.objects.count() == 1
        text = response.content.decode()
        assert "Not imported from broken.json: not valid JSON" in text
        assert "Not imported from empty.txt: file is empty" in text

    def test_nothing_importable_shows_the_form_with_reasons(self, editor_client):
        response = editor_client.post(DESK, {"text": "Only a headline"})
        assert response.status_code == 200
        assert Article.objects.count() == 0
        assert "no standfirst" in response.content.decode()
        empty = editor_client.post(DESK, {"text": "  "})
        assert "Paste a story or choose at least one file." in empty.content.decode()

    def test_hostile_copy_is_escaped(self, editor_client):
        hostile = SimpleUploadedFile("<img src=x onerror=alert(1)>.txt", b"<script>x</script>\n\ny")
        response = editor_client.post(DESK, {"files": [hostile]})
        assert response.status_code == 200
        assert b"<img src=x" not in response.content
        assert b"&lt;img src=x onerror=alert(1)&gt;.txt" in response.content

    def test_refuses_to_overwrite_a_published_story(self, editor_client, seed_story):
        before = seed_story.body
        response = editor_client.post(DESK, {"text": SEED.read_text().replace("four", "five")})
        assert response.status_code == 200
        assert "already a published story" in response.content.decode()
        seed_story.refresh_from_db()
        assert seed_story.body == before

    def test_reimporting_a_draft_updates_it(self, editor_client):
        editor_client.post(DESK, {"text": STORY})
        editor_client.post(DESK, {"text": STORY.replace("before dawn", "at dawn")})
        assert Article.objects.count() == 1
        assert "at dawn" in Article.objects.get().body

    def test_users_who_cannot_add_stories_are_refused(self, client, db):
        viewer = make_staff("viewer", role="Reporter")
        viewer.groups.clear()
        client.force_login(viewer)
        assert client.post(DESK, {"text": STORY}).status_code == 403
        assert not Article.objects.exists()


class TestSuggestPage:
    def url(self, article):
        return reverse("wiredesk:suggest-tags", args=[article.pk])

    @pytest.fixture
    def story(self, db):
        for name in ("Liberia", "Monrovia", "Floods"):
            Tag.objects.create(name=name)
        make_source("EPA")
        return make_draft(
            "Floods close roads in Monrovia",
            body="<p>Liberia said the floods hit Monrovia. Photo: EPA</p>",
            tags=["Floods"],
        )

    def test_lists_suggestions_and_marks_applied(self, editor_client, story):
        page = editor_client.get(self.url(story)).content.decode()
        assert 'name="tags"' in page
        assert "Monrovia" in page and "Liberia" in page and "EPA" in page
        assert "already tagged" in page  # Floods

    def test_adds_only_what_is_ticked(self, editor_client, story):
        monrovia = Tag.objects.get(name="Monrovia")
        epa = Source.objects.get(name="EPA")
        response = editor_client.post(
            self.url(story),
            {"tags": [monrovia.pk], "sources": [epa.pk], "opened_version": story.version},
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert sorted(t.name for t in story.tags.all()) == ["Floods", "Monrovia"]
        assert [s.name for s in story.sources.all()] == ["EPA"]
        assert story.version == 2  # a normal, versioned save

    def test_only_suggested_tags_can_be_added(self, editor_client, story):
        other = Tag.objects.create(name="Cricket")
        response = editor_client.post(
            self.url(story), {"tags": [other.pk], "opened_version": story.version}
        )
        assert response.status_code == 200
        assert not story.tags.filter(pk=other.pk).exists()

    def test_a_stale_page_does_not_overwrite(self, editor_client, story):
        monrovia = Tag.objects.get(name="Monrovia")
        story.standfirst = "Changed meanwhile"
        story.version += 1
        story.save()
        response = editor_client.post(
            self.url(story), {"tags": [monrovia.pk], "opened_version": story.version - 1}
        )
        assert response.status_code == 200
        assert not story.tags.filter(pk=monrovia.pk).exists()

    def test_reporters_cannot_change_published_stories(self, client, story):
        published = make_article("Monrovia floods", body="<p>Liberia</p>")
        reporter = make_staff("reporter", role="Reporter")
        client.force_login(reporter)
        assert client.get(self.url(published)).status_code == 200
        liberia = Tag.objects.get(name="Liberia")
        response = client.post(
            self.url(published), {"tags": [liberia.pk], "opened_version": published.version}
        )
        assert response.status_code == 403
        assert not published.tags.exists()


def test_admin_links_to_the_desk_and_the_suggestions(editor_client, seed_story):
    changelist = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f'href="{DESK}"' in changelist
    change = editor_client.get(reverse("admin:articles_article_change", args=[seed_story.pk]))
    suggest_url = reverse("wiredesk:suggest-tags", args=[seed_story.pk])
    assert f'href="{suggest_url}"' in change.content.decode()


class TestImportWireCommand:
    """`import_wire` over folders, with ninjs files and a progress bar."""

    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_wire", *map(str, args), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    @pytest.fixture
    def folder(self, tmp_path):
        (tmp_path / "desk" / "day2").mkdir(parents=True)
        (tmp_path / "desk" / "floods.txt").write_text(STORY)
        (tmp_path / "desk" / "day2" / "quake.json").write_text(json.dumps(NINJS))
        (tmp_path / "desk" / "notes.md").write_text("not wire copy")
        (tmp_path / "desk" / ".hidden.txt").write_text("editor swap file")
        return tmp_path / "desk"

    def test_imports_every_wire_and_ninjs_file_in_a_folder(self, db, folder):
        out, _ = self.run(folder)
        assert set(Article.objects.values_list("headline", flat=True)) == {
            "Floods close roads in Monrovia",
            "Earthquake shakes Lima",
        }
        assert out.strip().endswith("2 created, 0 updated, 0 failed")

    def test_safe_to_run_again(self, db, folder):
        self.run(folder)
        out, _ = self.run(folder)
        assert Article.objects.count() == 2
        assert out.strip().endswith("0 created, 2 updated, 0 failed")

    def test_failures_are_summarised_and_the_rest_import(self, db, folder):
        (folder / "broken.json").write_text("{")
        (folder / "empty.txt").write_text("")
        with pytest.raises(CommandError, match="2 created, 0 updated, 2 failed"):
            call_command(
                "import_wire", str(folder), stdout=io.StringIO(), stderr=(err := io.StringIO())
            )
        assert f"error: {folder / 'broken.json'}: not valid JSON" in err.getvalue()
        assert f"error: {folder / 'empty.txt'}: file is empty" in err.getvalue()
        assert Article.objects.count() == 2

    def test_an_empty_folder_is_a_failure(self, db, tmp_path):
        with pytest.raises(CommandError, match="0 created, 0 updated, 1 failed"):
            call_command("import_wire", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())

    def test_progress_bar(self, db, folder):
        _, err = self.run(folder, "--progress")
        frames = [frame for frame in err.split("\r") if frame.startswith("\033[K[")]
        assert frames[-1].startswith("\033[K[" + "#" * 30 + "] 2/2  floods.txt")
        assert any("1/2" in frame and "#" * 15 + "." * 15 in frame for frame in frames)

    def test_no_progress_bar_when_not_asked_or_not_a_terminal(self, db, folder):
        _, err = self.run(folder)
        assert "#" not in err
        _, err = self.run(folder, "--no-progress")
        assert "#" not in err
