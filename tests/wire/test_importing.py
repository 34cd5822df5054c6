import io

import pytest
from django.core.management import CommandError, call_command

from articles.management.commands.seed import SEED_FILE
from articles.models import Article, Image, Source
from articles.wire.importing import FEED_COPY, NINJS_COPY, WIRE_COPY, copy_format, parse_copy
from articles.wire.ninjs import NinjsError, NinjsStory
from articles.wire.text import WireStory

pytestmark = pytest.mark.django_db

SEED = SEED_FILE

STORY = """Floods close roads in the capital

Heavy rain overnight cut power to thousands of homes.

Rescue workers wade through a flooded street [Ahmed Jallanzo/EPA]

The river burst its banks before dawn.

Source: Al Jazeera and news agencies
"""


def run_import(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wire", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def story_file(tmp_path):
    path = tmp_path / "floods.txt"
    path.write_text(STORY)
    return path


class TestImportWire:
    def test_imports_a_draft_with_every_part_filled_in(self, story_file):
        out, _ = run_import(story_file)
        article = Article.objects.get()
        assert "created" in out and str(story_file) in out
        assert article.status == Article.Status.DRAFT
        assert article.headline == "Floods close roads in the capital"
        assert article.standfirst == "Heavy rain overnight cut power to thousands of homes."
        assert article.body == "<p>The river burst its banks before dawn.</p>"
        assert article.lead_image.caption == "Rescue workers wade through a flooded street"
        assert article.lead_image.credit == "Ahmed Jallanzo/EPA"
        assert not article.lead_image.is_file_photo
        assert sorted(s.name for s in article.sources.all()) == ["Al Jazeera", "News Agencies"]
        assert not Article.objects.published().exists()

    def test_publish_flag_publishes(self, story_file):
        run_import(story_file, "--publish")
        assert Article.objects.published().count() == 1

    def test_reimport_updates_instead_of_duplicating(self, story_file):
        run_import(story_file)
        story_file.write_text(STORY.replace("before dawn", "just before dawn"))
        out, _ = run_import(story_file)
        assert "updated" in out
        assert Article.objects.count() == 1
        assert Image.objects.count() == 1
        assert Source.objects.count() == 2
        assert "just before dawn" in Article.objects.get().body

    def test_reimport_without_publish_keeps_a_published_story_published(self, story_file):
        run_import(story_file, "--publish")
        run_import(story_file)
        assert Article.objects.published().count() == 1

    def test_bad_file_is_named_and_the_rest_still_import(self, story_file, tmp_path):
        empty = tmp_path / "empty.txt"
        empty.write_bytes(b"")
        missing = tmp_path / "missing.txt"
        with pytest.raises(CommandError, match="1 created, 0 updated, 2 failed"):
            call_command(
                "import_wire",
                str(empty),
                str(story_file),
                str(missing),
                stdout=io.StringIO(),
                stderr=(err := io.StringIO()),
            )
        assert f"error: {empty}: file is empty" in err.getvalue()
        assert f"error: {missing}: No such file or directory" in err.getvalue()
        assert Article.objects.count() == 1

    def test_hostile_text_is_stored_as_text(self, tmp_path):
        hostile = tmp_path / "hostile.txt"
        hostile.write_text(
            "<script>alert('h')</script> Headline\n\n<b onmouseover=x()>Stand</b>\n\n"
            "Caption <img src=x onerror=alert(1)> [EPA]\n\n<script>alert(1)</script> body\n"
        )
        run_import(hostile, "--publish")
        article = Article.objects.get()
        assert article.headline.startswith("<script>")  # text, escaped when rendered
        assert "<script>" not in article.body
        assert "&lt;script&gt;alert(1)&lt;/script&gt; body" in article.body


class TestSeed:
    def test_seed_loads_the_story_published_on_1_october_2021(self, seed_story):
        assert seed_story.headline == "Mali receives helicopters and weapons from Russia"
        assert seed_story.is_published
        assert seed_story.published_at.date().isoformat() == "2021-10-01"
        assert [s.name for s in seed_story.sources.all()] == ["News Agencies"]
        names = {tag.name for tag in seed_story.tags.all()}
        assert {"Mali", "Russia", "France", "Wagner Group", "Sahel"} <= names
        assert seed_story.lead_image.credit == "Benoit Tessier/Reuters"
        assert seed_story.lead_image.is_file_photo
        assert not seed_story.lead_image.file
        assert seed_story.body.count("<p>") == 16
        assert "“Mali bought these helicopters" in seed_story.body

    def test_seed_twice_changes_nothing(self, seed_story):
        before = Article.objects.values().get()
        call_command("seed", stdout=(out := io.StringIO()))
        assert "already loaded" in out.getvalue()
        assert Article.objects.values().get() == before
        assert (Image.objects.count(), Source.objects.count()) == (1, 1)

    def test_seed_keeps_an_editors_changes(self, seed_story):
        Article.objects.filter(pk=seed_story.pk).update(headline="Edited by the desk")
        call_command("seed", stdout=io.StringIO())
        assert Article.objects.get().headline == "Edited by the desk"

    def test_shipped_seed_matches_the_agency_file(self):
        assert SEED.read_text(encoding="utf-8").startswith("Mali receives helicopters")
        assert SEED.read_text(encoding="utf-8").rstrip().endswith("Source: News Agencies")


class TestEnsureEditor:
    def test_creates_an_editor_with_a_random_password_once(self, settings):
        call_command("ensure_editor", stdout=(out := io.StringIO()))
        password = (settings.LOCAL_DIR / "editor-password").read_text().strip()
        assert len(password) >= 12 and password in out.getvalue()
        from django.contrib.auth import authenticate

        assert authenticate(username="editor", password=password).is_superuser
        call_command("ensure_editor", stdout=(again := io.StringIO()))
        assert password in again.getvalue()

    def test_passwords_differ_between_machines(self, settings, django_user_model):
        call_command("ensure_editor", stdout=io.StringIO())
        first = (settings.LOCAL_DIR / "editor-password").read_text()
        django_user_model.objects.all().delete()
        call_command("ensure_editor", stdout=io.StringIO())
        assert (settings.LOCAL_DIR / "editor-password").read_text() != first


class TestCopyFormat:
    """`copy_format`: the one place that tells ninjs, a feed and wire text apart (the wire desk's
    `parse_copy` and the ingest channels set to "decide from the copy" both ask it)."""

    @pytest.mark.parametrize(
        ("copy", "kind"),
        [
            ('{"uri": "urn:x:1", "headline": "Floods"}', NINJS_COPY),
            ('[{"uri": "urn:x:1"}, {"uri": "urn:x:2"}]', NINJS_COPY),
            ("[\n  {\n", NINJS_COPY),
            ("[]", NINJS_COPY),
            ('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', FEED_COPY),
            ('<feed xmlns="http://www.w3.org/2005/Atom"/>', FEED_COPY),
            (STORY, WIRE_COPY),
            ("[Updated] Floods close roads\n\nHeavy rain overnight.\n", WIRE_COPY),
        ],
    )
    @pytest.mark.parametrize(
        "lead", ["", "  \r\n\t", "\ufeff", "\ufeff \n"], ids=["bare", "space", "bom", "bom+space"]
    )
    def test_from_text_and_bytes(self, copy, kind, lead):
        assert copy_format(lead + copy) == kind
        assert copy_format((lead + copy).encode()) == kind

    def test_the_wire_desk_reads_json_as_ninjs_and_refuses_a_list(self):
        one = '{"uri": "urn:x:1", "headline": "Floods", "body_text": "Rain."}'
        assert isinstance(parse_copy("\ufeff \n" + one), NinjsStory)
        with pytest.raises(NinjsError, match="JSON object"):
            parse_copy('\ufeff[{"uri": "urn:x:1", "headline": "Floods"}]')
        assert isinstance(parse_copy("[Updated] " + STORY), WireStory)
