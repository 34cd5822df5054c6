"""Revisions of every save, the history page, word diffs, restore, and the trash."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.editorial import services
from articles.editorial.revisions import compare, html_to_text, word_diff
from articles.models import Article, Revision

from ..helpers.factories import make_article, make_draft, make_image, make_source, make_staff
from ..helpers.workflow_forms import change_url, opened_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(make_staff("ed", role="Editor"))
    return client


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:articles_article_{name}", args=args)


def save_through_admin(client, article, **changes):
    data = opened_form(client, article) | changes
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_every_admin_save_stores_one_revision_with_every_field(editor):
    reuters, afp = make_source("Reuters"), make_source("AFP")
    photo = make_image(caption="Harbour at dawn")
    article = make_draft(headline="Harbour reopens", tags=["Ports"], sources=[reuters])

    save_through_admin(
        editor,
        article,
        headline="Harbour reopens after storm",
        tags='Ports, "Storm Ciarán"',
        sources=[str(reuters.pk), str(afp.pk)],
        lead_image=str(photo.pk),
    )
    save_through_admin(editor, article, status="published")

    first, second = article.revisions.order_by("number")
    assert (first.number, first.action, first.created_by.username) == (1, "Edited", "ed")
    assert second.action == "Published"
    snap = first.snapshot
    assert snap["headline"] == "Harbour reopens after storm"
    assert snap["tags"] == ["Ports", "Storm Ciarán"]
    assert [s["name"] for s in snap["sources"]] == ["AFP", "Reuters"]
    assert snap["lead_image"]["id"] == photo.pk
    assert snap["status"] == "draft" and second.snapshot["status"] == "published"
    assert first.article_version == 2 and second.article_version == 3


def test_history_page_lists_revisions_and_compares_words_not_html(editor):
    article = make_draft(body="<p>The mayor said the bridge would open in <b>June</b>.</p>")
    services.save_article(article=article, user=None)
    article.body = "<p>The mayor said the new bridge would open in <b>July</b>.</p><p>More.</p>"
    article.headline = "Bridge delayed"
    services.save_article(article=article, user=None)

    history = editor.get(admin_url("history", article.pk)).content.decode()
    assert "Edited" in history and 'name="from" value="1"' in history

    page = editor.get(admin_url("compare", article.pk), {"from": 1, "to": 2}).content.decode()
    assert "<ins>new</ins>" in page
    assert "<del>June.</del>" in page and "<ins>July.\nMore.</ins>" in page
    assert "&lt;p&gt;" not in page and "&lt;b&gt;" not in page
    assert "<ins>Bridge delayed</ins>" in page


def test_compare_with_bad_input_is_never_a_500(editor):
    article = make_draft()
    services.save_article(article=article, user=None)
    compare_url = admin_url("compare", article.pk)
    assert editor.get(compare_url, {"from": "x", "to": "1"}).status_code == 302
    assert editor.get(compare_url).status_code == 302
    assert editor.get(compare_url, {"from": 1, "to": 99}).status_code == 404
    assert editor.get(admin_url("history", 999999)).status_code == 404


def test_restore_round_trip_including_tags_sources_and_photo(editor):
    old_photo, new_photo = make_image(caption="Old"), make_image(caption="New")
    wire, local = make_source("Wire"), make_source("Local desk")
    article = make_article(
        headline="Original headline",
        body="<p>Original words.</p>",
        tags=["Elections", "Senate"],
        sources=[wire],
        lead_image=old_photo,
        status="in_review",  # not live: saves and restores change the story itself
    )
    services.save_article(article=article, user=None)  # revision 1: the original

    save_through_admin(
        editor,
        article,
        headline="Rewritten headline",
        body="<p>Rewritten words.</p>",
        tags="Elections, Polls",
        sources=[str(local.pk)],
        lead_image=str(new_photo.pk),
    )
    assert article.revisions.count() == 2

    confirm = editor.get(admin_url("restore_revision", article.pk, 1))
    assert "<del>Rewritten</del>" in confirm.content.decode()  # what would change, first
    assert Article.objects.get(pk=article.pk).headline == "Rewritten headline"
    response = editor.post(admin_url("restore_revision", article.pk, 1))
    assert response.status_code == 302

    article = Article.objects.get(pk=article.pk)
    assert article.headline == "Original headline"
    assert article.body == "<p>Original words.</p>"
    assert sorted(t.name for t in article.tags.all()) == ["Elections", "Senate"]
    assert list(article.sources.all()) == [wire]
    assert article.lead_image == old_photo
    assert article.status == Article.Status.IN_REVIEW  # restoring words keeps the status

    # Nothing was lost: the rewrite is still revision 2, the restore is a new revision 3.
    numbers = list(article.revisions.order_by("number").values_list("number", "action"))
    assert numbers == [(1, "Edited"), (2, "Edited"), (3, "Restored revision 1")]
    assert Revision.objects.get(article=article, number=2).snapshot["tags"] == [
        "Elections",
        "Polls",
    ]
    # …and restoring revision 2 brings the rewrite back.
    editor.post(admin_url("restore_revision", article.pk, 2))
    assert Article.objects.get(pk=article.pk).headline == "Rewritten headline"


def test_restore_asks_first(editor):
    article = make_draft(headline="First words")
    services.save_article(article=article, user=None)
    article.headline = "Second words"
    services.save_article(article=article, user=None)
    page = editor.get(admin_url("restore_revision", article.pk, 1)).content.decode()
    assert "Restore this revision" in page and "<ins>First</ins>" in page
    assert Article.objects.get(pk=article.pk).headline == "Second words"  # nothing restored yet


def test_restoring_a_live_story_fills_its_working_draft_not_the_page(editor, client):
    article = make_article(headline="Live words", tags=["Mali"])
    services.save_article(article=article, user=None)
    revision = article.revisions.get()
    article.headline = "Newer live words"
    services.save_article(article=article, user=None)
    page = editor.get(admin_url("restore_revision", article.pk, revision.number)).content.decode()
    assert "working draft" in page and "readers keep seeing the published version" in page
    assert (
        editor.post(admin_url("restore_revision", article.pk, revision.number)).status_code == 302
    )
    stored = Article.objects.get(pk=article.pk)
    assert stored.headline == "Newer live words"  # readers' version untouched
    assert stored.working_draft["headline"] == "Live words"
    assert "Newer live words" in client.get(stored.get_absolute_url()).content.decode()
    assert stored.revisions.first().action == "Restored revision 1 into the working draft"


def test_admin_delete_goes_to_the_trash_and_an_editor_restores_it(editor, client):
    article = make_article(headline="Ferry timetable changes")
    url = article.get_absolute_url()
    response = editor.post(admin_url("delete", article.pk), {"post": "yes"})
    assert response.status_code == 302

    article.refresh_from_db()  # still in the database…
    assert article.deleted_at is not None and article.deleted_by.username == "ed"
    assert client.get(url).status_code == 404  # …but gone for readers
    changelist = editor.get(admin_url("changelist")).content.decode()
    assert change_url(article) not in changelist
    assert editor.get(change_url(article)).status_code == 302  # admin: "doesn't exist"
    trash = editor.get(admin_url("trash")).content.decode()
    assert "Ferry timetable changes" in trash

    assert editor.post(admin_url("recover", article.pk)).status_code == 302
    assert client.get(url).status_code == 200
    assert change_url(article) in editor.get(admin_url("changelist")).content.decode()
    assert "Ferry timetable changes" not in editor.get(admin_url("trash")).content.decode()


def test_bulk_delete_action_is_soft_too(editor):
    first, second = make_article(), make_article()
    response = editor.post(
        admin_url("changelist"),
        {"action": "move_to_trash", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert Article.objects.filter(deleted_at__isnull=False).count() == 2


def test_html_to_text_keeps_paragraphs_and_entities():
    assert html_to_text("<p>Tom &amp; Jerry</p><ul><li>one</li><li>two</li></ul>") == (
        "Tom & Jerry\none\ntwo"
    )


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("the cat sat", "the dog sat") == [
        ("equal", "the"),
        ("equal", " "),
        ("delete", "cat"),
        ("equal", " "),
        ("insert", "dog"),
        ("equal", " sat"),
    ]


def test_compare_reports_sets_and_values():
    old = {"headline": "A", "tags": ["x", "y"], "sources": [], "status": "draft"}
    new = {"headline": "A", "tags": ["y", "z"], "sources": [], "status": "published"}
    changes = {change.name: change for change in compare(old, new)}
    assert set(changes) == {"tags", "status"}
    assert (changes["tags"].added, changes["tags"].removed) == (["z"], ["x"])
    assert (changes["status"].old, changes["status"].new) == ("Draft", "Published")


def test_revisions_keep_the_contributors_show_their_change_and_restore_them(editor):
    from articles.models import Author, Contributor

    amina, jean = (
        Author.objects.create(name="Amina Traoré"),
        Author.objects.create(name="Jean Dupont"),
    )
    article = make_article(headline="Floods in Mopti", status="in_review")
    Contributor.objects.create(article=article, author=amina, role="by", position=0)
    services.save_article(article=article, user=None)  # revision 1: by Amina
    assert article.revisions.get().snapshot["contributors"] == [
        {"id": amina.pk, "slug": "amina-traore", "name": "Amina Traoré", "role": "by"}
    ]

    # An editor adds Jean as a reporter in the story form's contributor rows: revision 2.
    save_through_admin(
        editor,
        article,
        **{
            "contributions-1-author": str(jean.pk),
            "contributions-1-role": "reporting",
            "contributions-1-position": "1",
        },
    )
    assert [
        (c["name"], c["role"]) for c in article.revisions.get(number=2).snapshot["contributors"]
    ] == [("Amina Traoré", "by"), ("Jean Dupont", "reporting")]

    diff = editor.get(admin_url("compare", article.pk) + "?from=1&to=2").content.decode()
    assert "Contributors" in diff
    assert "By Amina Traoré; Reporting by Jean Dupont" in diff
    confirm = editor.get(admin_url("restore_revision", article.pk, 1)).content.decode()
    assert "Contributors" in confirm  # the restore says it changes them, before it does

    assert editor.post(admin_url("restore_revision", article.pk, 1)).status_code == 302
    assert [(c.author, c.role) for c in article.contributions.all()] == [(amina, "by")]
    restored = article.revisions.get(number=3)
    assert [c["name"] for c in restored.snapshot["contributors"]] == ["Amina Traoré"]
    assert [
        change.name
        for change in compare(article.revisions.get(number=2).snapshot, restored.snapshot)
    ] == ["contributors"]


def test_restoring_credits_follows_a_merge_and_leaves_a_live_storys_credits(client, editor):
    from articles.editorial.authors import merge_authors
    from articles.models import Author, Contributor

    twin, amina = Author.objects.create(name="A. Traoré"), Author.objects.create(name="Amina T")
    article = make_article(headline="Floods in Mopti", status="in_review")
    Contributor.objects.create(article=article, author=twin, role="by", position=0)
    services.save_article(article=article, user=None)
    revision = article.revisions.get()
    Contributor.objects.filter(article=article).delete()
    merge_authors(keep=amina, others=[twin], user=None)  # the twin's record is gone

    chief = make_staff("chief", role="Editor")
    services.restore_revision(revision=revision, user=chief)
    assert [(c.author, c.role) for c in article.contributions.all()] == [(amina, "by")]

    # A live story: the restore goes into the working draft, and the credits readers see stay
    # (no working draft holds credits; they change with "Publish changes").
    live = make_article(headline="Floods in Mali")
    Contributor.objects.create(article=live, author=amina, role="by", position=0)
    services.save_article(article=live, user=None)
    jean = Author.objects.create(name="Jean Dupont")
    Contributor.objects.filter(article=live).update(author=jean)
    services.save_article(article=live, user=None)
    first = live.revisions.get(number=1)
    confirm = editor.get(admin_url("restore_revision", live.pk, 1)).content.decode()
    assert "Contributors" not in confirm
    services.restore_revision(revision=first, user=chief)
    assert [c.author for c in live.contributions.all()] == [jean]
    assert "Jean Dupont" in client.get(live.get_absolute_url()).content.decode()
