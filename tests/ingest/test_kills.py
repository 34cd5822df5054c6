"""Killed stories never leak: an agency kill is remembered even for a story never taken here, so
copy of it delivered after the kill (an earlier version arriving late, a channel replaying) is
refused on every path, with the kill named, and nothing reaches readers."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.desk.wiredesk import import_copy
from articles.editorial.services import publish_or_schedule
from articles.ingest import polling
from articles.ingest.models import IngestedItem, KilledStory
from articles.models import Article
from articles.wire.importing import KilledCopy, import_parsed, parse_copy

from ..helpers.factories import make_staff
from .conftest import WIRE_TEXT, ninjs

pytestmark = pytest.mark.django_db
Outcome = IngestedItem.Outcome

PUBLIC_LISTS = [
    "/",
    reverse("syndication:latest-rss"),
    reverse("syndication:latest-atom"),
    reverse("syndication:latest-json"),
    reverse("api:articles"),
]


def assert_nowhere_public(headline: str):
    """Not on the front page, in the feeds or the API; any story by that headline answers 410."""
    reader = Client()
    for url in PUBLIC_LISTS:
        assert headline not in reader.get(url).content.decode(), url
    assert not Article.objects.published().filter(headline=headline).exists()
    for story in Article.objects.filter(headline=headline):
        assert reader.get(story.get_absolute_url()).status_code in (404, 410)
        api = reader.get(reverse("api:article", kwargs={"id": story.pk}))
        assert api.status_code in (404, 410)


@pytest.fixture
def publishing_channel(folder_channel):
    # The worst case: a channel that publishes new stories at once.
    folder_channel.publish = True
    folder_channel.save()
    return folder_channel


def test_a_kill_before_the_copy_refuses_the_copy_when_it_arrives(
    folder, publishing_channel, committed
):
    # The kill (version 2) comes first; the story was never taken here.
    (folder / "kill.json").write_text(
        ninjs(
            "urn:x:9", version=2, headline="Minister resigns", pubStatus="canceled", ednote="Legal"
        )
    )
    (folder / "kill.txt").write_text("KILL KILL KILL\n\nStorm reaches the coast\n\nWrong port.\n")
    assert polling.poll(publishing_channel).skipped == 2
    kill = IngestedItem.objects.get(key="urn:x:9")
    assert "no such story was taken here" in kill.reason
    assert "any copy of this story delivered later is refused" in kill.reason

    # Then the story itself, version 1, arrives late: in both formats.
    (folder / "late.json").write_text(ninjs("urn:x:9", version=1, headline="Minister resigns"))
    (folder / "storm.txt").write_text(WIRE_TEXT)
    with committed():
        summary = polling.poll(publishing_channel)

    assert (summary.taken, summary.held, summary.refused) == (0, 0, 2)
    assert "2 refused (killed)" in str(summary)
    assert not Article.objects.exists()
    late = IngestedItem.objects.get(key="urn:x:9", version="1")
    assert (late.outcome, late.article) == (Outcome.REFUSED, None)
    assert late.reason.startswith("Not imported: the agency killed “Minister resigns”")
    assert "Kill from Agency X, version 2" in late.reason
    assert "ninjs pubStatus canceled: Legal" in late.reason
    storm = IngestedItem.objects.get(name="storm.txt")
    assert storm.outcome == Outcome.REFUSED and "Wrong port." in storm.reason
    assert_nowhere_public("Minister resigns")
    assert_nowhere_public("Storm reaches the coast")

    # A replay, a later version, the same story in another file: all refused, nothing imported.
    (folder / "replay.json").write_text(ninjs("urn:x:9", version=3, headline="Minister resigns"))
    assert polling.poll(publishing_channel).refused == 1
    assert polling.poll(publishing_channel).new == 0
    assert not Article.objects.exists()


def test_the_channel_page_says_why_an_item_was_refused(client, folder, folder_channel):
    (folder / "kill.json").write_text(
        ninjs("urn:x:9", version=2, headline="Minister resigns", pubStatus="withheld")
    )
    polling.poll(folder_channel)
    (folder / "late.json").write_text(ninjs("urn:x:9", version=1, headline="Minister resigns"))
    polling.poll(folder_channel)

    client.force_login(make_staff("ed", role="Editor"))
    url = reverse("admin:articles_ingestchannel_page", args=[folder_channel.pk])
    page = client.get(url).content.decode()
    assert "Refused: killed by the agency (1)" in page
    assert "Not imported: the agency killed “Minister resigns”" in page
    assert "ninjs pubStatus withheld" in page
    refused = client.get(f"{url}?outcome=refused").content.decode()
    assert "late.json" in refused and "kill.json" not in refused


def test_a_kill_of_a_taken_story_still_withdraws_it_and_a_late_copy_stays_out(
    folder, folder_channel, committed
):
    (folder / "a.json").write_text(ninjs("urn:x:1", version=2, headline="Minister resigns"))
    polling.poll(folder_channel)
    minister = Article.objects.get()
    publish_or_schedule(article=minister, user=None)

    (folder / "a.json").write_text(
        ninjs("urn:x:1", version=3, headline="Minister resigns", pubStatus="canceled")
    )
    with committed():
        assert polling.poll(folder_channel).taken == 1
    minister.refresh_from_db()
    assert minister.withdrawn_at and minister.status == Article.Status.UNPUBLISHED
    assert KilledStory.objects.filter(article=minister).exists()

    # A replayed version 1 (and an unversioned copy) neither revise nor republish it.
    (folder / "old.json").write_text(ninjs("urn:x:1", version=1, headline="Minister resigns"))
    (folder / "new.json").write_text(ninjs("urn:x:1", version="", headline="Minister resigns"))
    revisions = minister.revisions.count()
    with committed():
        assert polling.poll(folder_channel).refused == 2
    assert minister.revisions.count() == revisions
    assert_nowhere_public("Minister resigns")


def test_the_wire_import_path_refuses_copy_of_a_killed_story(committed):
    result = import_parsed(parse_copy("WITHDRAWN\n\nStorm reaches the coast\n\nWrong port.\n"))
    assert result.killed and result.article is None
    refused = pytest.raises(KilledCopy, match="the agency killed “Storm reaches the coast”")
    with refused, committed():
        import_parsed(parse_copy(WIRE_TEXT), publish=True)

    kill = {"uri": "urn:agency:7", "pubStatus": "canceled", "headline": "Dam bursts"}
    import_parsed(parse_copy(json.dumps(kill)))
    story = {"uri": "urn:agency:7", "headline": "Dam bursts", "body_text": "Water."}
    with pytest.raises(KilledCopy, match="ninjs pubStatus canceled"):
        import_parsed(parse_copy(json.dumps(story)), publish=True)

    assert not Article.objects.exists()
    assert_nowhere_public("Storm reaches the coast")
    assert_nowhere_public("Dam bursts")


def test_import_wire_says_the_agency_killed_the_story(tmp_path):
    (tmp_path / "1-kill.txt").write_text("KILL\n\nStorm reaches the coast\n\nWrong port.\n")
    (tmp_path / "2-storm.txt").write_text(WIRE_TEXT)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wire", str(tmp_path), "--publish", stdout=out, stderr=err)
    output = out.getvalue()
    assert "kill noted:" in output and "never imported here" in output
    assert "refused:" in output and "the agency killed “Storm reaches the coast”" in output
    assert "0 created, 0 updated, 0 failed, 1 refused (killed), 1 kills noted" in output
    assert not Article.objects.exists()
    assert_nowhere_public("Storm reaches the coast")


def test_the_wire_desk_refuses_copy_of_a_killed_story(editor_client):
    response = editor_client.post(
        "/admin/articles/wire-desk/",
        {"text": "KILL KILL KILL\n\nStorm reaches the coast\n\nWrong port.\n"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing to withdraw" in page and "will be refused" in page

    response = editor_client.post("/admin/articles/wire-desk/", {"text": WIRE_TEXT})
    assert response.status_code == 200
    page = response.content.decode()
    assert "refused: the agency killed “Storm reaches the coast”" in page
    assert "Wrong port." in page
    assert not Article.objects.exists()


def test_a_kill_taken_by_a_channel_holds_on_the_desk_and_the_other_way(
    folder, folder_channel, editor
):
    # A channel's ninjs kill, then the same agency story pasted on the desk.
    (folder / "kill.json").write_text(
        ninjs("urn:x:5", version=2, headline="Bridge falls", pubStatus="canceled")
    )
    polling.poll(folder_channel)
    outcome = import_copy("Pasted text", ninjs("urn:x:5", headline="Bridge falls"), user=editor)
    assert outcome.article is None and "the agency killed “Bridge falls”" in outcome.error

    # A desk kill, then the story delivered through the channel.
    kill = {"uri": "urn:x:6", "pubStatus": "withheld", "headline": "Port closes"}
    assert import_copy("kill.json", json.dumps(kill), user=editor).note
    (folder / "late.json").write_text(ninjs("urn:x:6", headline="Port closes"))
    assert polling.poll(folder_channel).refused == 1
    assert not Article.objects.exists()


def test_a_reporter_cannot_record_a_kill(client):
    reporter = make_staff("rita", role="Reporter")
    outcome = import_copy("kill.txt", "KILL\n\nStorm reaches the coast\n", user=reporter)
    assert outcome.error == "Only an editor can apply an agency kill."
    assert not KilledStory.objects.exists()
