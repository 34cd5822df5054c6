"""A folder channel end to end: first delivery, re-delivery, new versions, held updates, bad
items quarantined while the others are taken, and retries."""

import json

import pytest

from articles.ingest import polling
from articles.ingest.models import IngestChannel, IngestedItem
from articles.models import Article, Revision

from .conftest import WIRE_TEXT, ninjs

pytestmark = pytest.mark.django_db
Outcome = IngestedItem.Outcome


def test_first_delivery_takes_every_item_as_a_draft(folder, folder_channel):
    (folder / "a.json").write_text(ninjs("urn:x:1", headline="Floods close roads"))
    (folder / "b.json").write_text(ninjs("urn:x:2", headline="Bridge reopens"))
    (folder / "storm.txt").write_text(WIRE_TEXT)

    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed) == (3, 0)
    stories = Article.objects.order_by("headline")
    assert [s.headline for s in stories] == [
        "Bridge reopens",
        "Floods close roads",
        "Storm reaches the coast",
    ]
    story = stories[1]
    assert story.status == Article.Status.DRAFT
    assert sorted(story.tags.names()) == ["Weather", "World"]
    assert [s.name for s in story.sources.all()] == ["Agency X"]
    assert story.revisions.get().action == "Imported from Agency X, version 1"
    item = IngestedItem.objects.get(key="urn:x:1")
    assert (item.version, item.outcome, item.article) == ("1", Outcome.TAKEN, story)
    folder_channel.refresh_from_db()
    assert folder_channel.last_checked_at and folder_channel.next_check_at
    assert folder_channel.last_error == ""


def test_redelivery_changes_nothing(folder, folder_channel, django_assert_max_num_queries):
    (folder / "a.json").write_text(ninjs("urn:x:1"))
    (folder / "storm.txt").write_text(WIRE_TEXT)
    polling.poll(folder_channel)
    before = (Article.objects.count(), Revision.objects.count(), IngestedItem.objects.count())
    updated_at = Article.objects.get(external_id__startswith="ingest:").updated_at

    # The same files again, and the same item in a new file: nothing is written.
    (folder / "copy-of-a.json").write_text(ninjs("urn:x:1"))
    with django_assert_max_num_queries(8):
        summary = polling.poll(folder_channel)

    assert summary.taken == 0 and summary.unchanged == 3
    after = (Article.objects.count(), Revision.objects.count(), IngestedItem.objects.count())
    assert after == before
    assert Article.objects.get(external_id__startswith="ingest:").updated_at == updated_at


def test_a_new_version_updates_the_story_with_a_revision(folder, folder_channel):
    (folder / "a.json").write_text(ninjs("urn:x:1", body="First take."))
    polling.poll(folder_channel)
    story = Article.objects.get()

    (folder / "a.json").write_text(ninjs("urn:x:1", version=3, body="Fuller story."))
    summary = polling.poll(folder_channel)

    assert summary.taken == 1
    story.refresh_from_db()
    assert "Fuller story." in story.body
    assert story.revisions.first().action == "Updated from Agency X, version 3"
    assert Article.objects.count() == 1
    assert list(
        IngestedItem.objects.filter(key="urn:x:1")
        .values_list("version", flat=True)
        .order_by("version")
    ) == ["1", "3"]


def test_an_older_version_after_a_newer_one_is_skipped(folder, folder_channel):
    (folder / "a.json").write_text(ninjs("urn:x:1", version=4, body="Latest."))
    polling.poll(folder_channel)
    (folder / "a.json").write_text(ninjs("urn:x:1", version=2, body="Stale."))
    summary = polling.poll(folder_channel)
    assert summary.skipped == 1
    assert "Latest." in Article.objects.get().body
    assert IngestedItem.objects.get(version="2").reason == "version 4 was already taken"


def test_a_published_story_update_can_be_held_as_a_draft(folder, folder_channel, editor):
    from articles.editorial.services import publish_or_schedule

    folder_channel.on_update = IngestChannel.OnUpdate.HOLD
    folder_channel.save()
    (folder / "a.json").write_text(ninjs("urn:x:1", body="As published."))
    polling.poll(folder_channel)
    story = Article.objects.get()
    publish_or_schedule(article=story, user=editor)

    (folder / "a.json").write_text(ninjs("urn:x:1", version=2, body="Agency rewrite."))
    summary = polling.poll(folder_channel)

    assert summary.held == 1
    story.refresh_from_db()
    assert "As published." in story.body and story.status == Article.Status.PUBLISHED
    held = Article.objects.exclude(pk=story.pk).get()
    assert held.status == Article.Status.DRAFT and "Agency rewrite." in held.body
    assert f"(#{story.pk}) for review" in held.revisions.get().action
    assert IngestedItem.objects.get(version="2").outcome == Outcome.HELD


def test_bad_items_are_kept_with_reason_and_raw_copy_and_the_others_are_taken(
    folder, folder_channel
):
    (folder / "good.json").write_text(ninjs("urn:x:1"))
    (folder / "broken.json").write_text('{"uri": "urn:x:2", "headline": ')
    (folder / "no-body.json").write_text(ninjs("urn:x:3", body="").replace("<p></p>", ""))
    (folder / "also-good.txt").write_text(WIRE_TEXT)

    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed) == (2, 2)
    assert Article.objects.count() == 2
    broken = IngestedItem.objects.get(name="broken.json")
    assert broken.outcome == Outcome.FAILED
    assert broken.reason.startswith("not JSON")
    assert broken.raw == '{"uri": "urn:x:2", "headline": '
    no_body = IngestedItem.objects.get(key="urn:x:3")
    assert no_body.outcome == Outcome.FAILED and "no body" in no_body.reason
    assert '"uri": "urn:x:3"' in no_body.raw


def test_a_failed_item_can_be_retried_after_a_fix(folder, folder_channel, monkeypatch):
    (folder / "a.json").write_text(ninjs("urn:x:1"))
    real_story_of = polling.story_of

    def outage(item):
        raise polling.ItemError("the parser had a bug")

    monkeypatch.setattr(polling, "story_of", outage)
    polling.poll(folder_channel)
    item = IngestedItem.objects.get()
    assert item.outcome == Outcome.FAILED and not Article.objects.exists()

    monkeypatch.setattr(polling, "story_of", real_story_of)  # the fix
    assert polling.retry(item) == Outcome.TAKEN
    item.refresh_from_db()
    assert item.outcome == Outcome.TAKEN and item.article == Article.objects.get()


def test_a_missing_folder_backs_off_and_says_so(folder_channel, folder):
    folder.rmdir()
    with pytest.raises(polling.ChannelUnreachable):
        polling.poll(folder_channel)
    with pytest.raises(polling.ChannelUnreachable):
        polling.poll(IngestChannel.objects.get())
    channel = IngestChannel.objects.get()
    assert channel.consecutive_failures == 2
    assert "no folder at" in channel.last_error
    waited = channel.next_check_at - channel.last_checked_at
    assert waited.total_seconds() == 4 * channel.interval_minutes * 60


def test_the_scheduler_queues_only_due_channels(
    folder, folder_channel, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    (folder / "a.json").write_text(ninjs("urn:x:1"))
    later = IngestChannel.objects.create(
        name="Later",
        location=str(folder),
        next_check_at=timezone.now() + timezone.timedelta(hours=1),
    )
    off = IngestChannel.objects.create(name="Off", location=str(folder), enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert polling.queue_due_channels() == 1  # the immediate backend runs it at once
    assert IngestedItem.objects.filter(channel=folder_channel).count() == 1
    assert not IngestedItem.objects.filter(channel__in=[later, off]).exists()
    # Claimed: a second scheduler turn finds nothing due.
    assert polling.queue_due_channels() == 0


def test_a_kill_in_the_channel_withdraws_the_story_everywhere(
    folder, folder_channel, client, committed
):
    from articles.editorial.services import publish_or_schedule

    (folder / "a.json").write_text(ninjs("urn:x:1", headline="Minister resigns"))
    (folder / "storm.txt").write_text(WIRE_TEXT)
    polling.poll(folder_channel)
    for story in Article.objects.all():
        publish_or_schedule(article=story, user=None)
    minister = Article.objects.get(headline="Minister resigns")
    assert client.get(minister.get_absolute_url()).status_code == 200

    # The agency takes both back: ninjs pubStatus canceled, and a wire-text kill notice.
    (folder / "a.json").write_text(
        ninjs("urn:x:1", version=2, headline="Minister resigns", pubStatus="canceled")
    )
    (folder / "kill.txt").write_text("KILL KILL KILL\n\nStorm reaches the coast\n\nWrong port.\n")
    with committed():  # the page cache is invalidated when the kill commits
        summary = polling.poll(folder_channel)

    assert summary.taken == 2
    assert not Article.objects.published().exists()
    assert client.get(minister.get_absolute_url()).status_code == 410
    assert "ninjs pubStatus canceled" in minister.revisions.first().action
    item = IngestedItem.objects.get(key="urn:x:1", version="2")
    assert item.reason.startswith(f"Withdrew story #{minister.pk}")
    # Re-delivered, the kill changes nothing more.
    revisions = Revision.objects.count()
    assert polling.poll(folder_channel).taken == 0
    assert Revision.objects.count() == revisions


def test_a_kill_for_a_story_never_taken_is_skipped(folder, folder_channel):
    (folder / "a.json").write_text(ninjs("urn:x:404", pubStatus="withheld"))
    assert polling.poll(folder_channel).skipped == 1
    assert "no such story was taken here" in IngestedItem.objects.get().reason


def test_channel_items_keep_their_byline_and_credits_like_a_manual_import(folder, folder_channel):
    from articles.models import Author, Contributor

    from ..wire.test_credits import REUTERS

    amina, jean = (
        Author.objects.create(name="Amina Traoré"),
        Author.objects.create(name="Jean Dupont"),
    )
    (folder / "mali.txt").write_text(REUTERS)
    (folder / "a.json").write_text(
        ninjs("urn:x:1", by="By Jean Dupont and Someone New; editing by Amina Traoré")
    )

    assert polling.poll(folder_channel).taken == 2

    wire = Article.objects.get(headline__startswith="Mali junta")
    assert [(c.author, c.role) for c in wire.contributions.all()] == [
        (amina, Contributor.Role.BY),
        (jean, Contributor.Role.REPORTING),
    ]
    assert wire.byline == (
        "Reporting by Tiemoko Diallo; additional reporting by Li Wei; edited by Alex Richardson"
    )
    assert "Editing by" not in wire.body
    ninjs_story = Article.objects.get(headline="Floods close roads")
    assert [(c.author, c.role) for c in ninjs_story.contributions.all()] == [
        (jean, Contributor.Role.BY),
        (amina, Contributor.Role.EDITED),
    ]
    assert ninjs_story.byline == "Someone New"
    assert ninjs_story.byline_text() == ("By Jean Dupont and Someone New; edited by Amina Traoré")


def test_an_unexpected_error_fails_only_its_item(folder, folder_channel, monkeypatch):
    real_import_story = polling.import_story

    def import_story(**fields):
        if fields["headline"] == "Bridge reopens":
            raise RuntimeError("disk full")
        return real_import_story(**fields)

    monkeypatch.setattr(polling, "import_story", import_story)
    (folder / "a.json").write_text(ninjs("urn:x:1"))
    (folder / "b.json").write_text(ninjs("urn:x:2", headline="Bridge reopens"))
    (folder / "storm.txt").write_text(WIRE_TEXT)

    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed) == (2, 1)
    assert Article.objects.count() == 2
    failed = IngestedItem.objects.get(key="urn:x:2")
    assert (failed.outcome, failed.reason) == (Outcome.FAILED, "RuntimeError: disk full")
    assert '"headline": "Bridge reopens"' in failed.raw


def test_a_database_that_cannot_be_reached_stops_the_look_and_fails_no_item(
    folder, folder_channel, monkeypatch
):
    from django.db import OperationalError

    def import_story(**fields):
        raise OperationalError("database is locked")

    monkeypatch.setattr(polling, "import_story", import_story)
    (folder / "a.json").write_text(ninjs("urn:x:1"))
    with pytest.raises(OperationalError):
        polling.poll(folder_channel)
    assert not IngestedItem.objects.exists()  # the next look takes it


def test_json_that_is_not_a_story_is_a_failed_item(folder, folder_channel):
    folder_channel.format = IngestChannel.Format.NINJS
    folder_channel.save()
    (folder / "number.json").write_text("42")
    (folder / "list.json").write_text(f'["just a string", {ninjs("urn:x:1")}]')

    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed) == (1, 2)
    reasons = set(
        IngestedItem.objects.filter(outcome=Outcome.FAILED).values_list("reason", flat=True)
    )
    assert reasons == {"a ninjs item is a JSON object"}
    assert Article.objects.get().headline == "Floods close roads"


def test_a_file_that_cannot_be_read_is_a_failed_item(folder, folder_channel, monkeypatch):
    from pathlib import Path

    (folder / "a.json").write_text(ninjs("urn:x:1"))
    (folder / "locked.json").write_text(ninjs("urn:x:2"))
    real_read_bytes = Path.read_bytes

    def read_bytes(path):
        if path.name == "locked.json":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed) == (1, 1)
    locked = IngestedItem.objects.get(name="locked.json")
    assert locked.reason == "could not read the file: Permission denied"
    # Readable again (and so a different delivery), it is taken.
    monkeypatch.setattr(Path, "read_bytes", real_read_bytes)
    assert polling.poll(folder_channel).taken == 1
    assert Article.objects.count() == 2


def test_files_over_the_size_cap_or_empty_are_failed_items_that_say_so(
    folder, folder_channel, settings
):
    settings.INGEST_MAX_BYTES = 200
    (folder / "small.txt").write_text(WIRE_TEXT)
    (folder / "big.json").write_text(ninjs("urn:x:1", body="Long. " * 100))
    (folder / "bigger.json").write_text(ninjs("urn:x:2", body="Longer. " * 100))
    (folder / "empty.json").write_text("")
    (folder / "also-empty.json").write_text("")
    summary = polling.poll(folder_channel)
    # Each is its own failed delivery (none hides another as "already seen").
    assert (summary.taken, summary.failed, summary.unchanged) == (1, 4, 0)
    assert IngestedItem.objects.get(name="big.json").reason.endswith(
        "larger than the size cap (200 bytes)"
    )
    assert IngestedItem.objects.get(name="also-empty.json").reason == "empty"
    assert polling.poll(folder_channel).unchanged == 5  # and each is seen once


def test_a_failed_item_redelivered_waits_for_a_retry(folder, folder_channel, monkeypatch):
    (folder / "no-body.json").write_text(ninjs("urn:x:1", body="").replace("<p></p>", ""))
    polling.poll(folder_channel)
    failed = IngestedItem.objects.get()
    assert failed.outcome == Outcome.FAILED

    calls = []
    monkeypatch.setattr(polling, "story_of", lambda item: calls.append(item))
    (folder / "copy.json").write_text(ninjs("urn:x:1", body="").replace("<p></p>", ""))
    summary = polling.poll(folder_channel)

    assert (summary.failed, summary.unchanged) == (0, 2)
    assert calls == []  # neither read again nor rewritten: it waits for an editor's Retry
    assert IngestedItem.objects.get().updated_at == failed.updated_at


def test_a_retried_item_is_held_to_the_same_checks(folder, folder_channel):
    (folder / "a.json").write_text(json.dumps({"headline": "No uri", "body_html": "<p>Text.</p>"}))
    polling.poll(folder_channel)
    item = IngestedItem.objects.get()
    assert item.reason.startswith("no uri")

    assert polling.retry(item) == Outcome.FAILED
    assert not Article.objects.exists()
    item.refresh_from_db()
    assert item.reason.startswith("no uri")


def test_an_item_taken_meanwhile_by_another_worker_is_not_taken_twice(
    folder, folder_channel, monkeypatch
):
    """Two looks at one channel at once (a scheduled one and Look now): both see the item as
    new; the second to record it finds the first's row and rolls back its own writes."""
    from articles import changes

    class OtherWorkerFirst:
        """Between this look's check and its transaction, another worker records the item."""

        def atomic(self):
            IngestedItem.objects.create(
                channel=folder_channel, key="urn:x:1", version="1", outcome=Outcome.TAKEN
            )
            return changes.atomic()

    monkeypatch.setattr(polling, "changes", OtherWorkerFirst())
    (folder / "a.json").write_text(ninjs("urn:x:1"))

    summary = polling.poll(folder_channel)

    assert (summary.taken, summary.failed, summary.unchanged) == (0, 0, 1)
    assert not Article.objects.exists()  # this look's story was rolled back
    assert IngestedItem.objects.get().outcome == Outcome.TAKEN  # the other's row stands


def test_versions_without_order_update_the_story_in_the_order_delivered(folder, folder_channel):
    """ninjs without a version is versioned by a hash of its copy, which has no order: each
    new copy updates the story (hashes compared as text would skip about half of them)."""
    bodies = ["First take.", "Second take.", "Third take.", "Fourth take.", "Fifth take."]
    for body in bodies:
        doc = json.loads(ninjs("urn:x:1", body=body))
        del doc["version"]
        (folder / "a.json").write_text(json.dumps(doc))
        assert polling.poll(folder_channel).taken == 1
    story = Article.objects.get()
    assert "Fifth take." in story.body
    assert story.revisions.count() == len(bodies)


def test_versions_are_compared_as_numbers(folder, folder_channel):
    for version, body in [("1.2", "Older."), ("1.10", "Newer."), ("1.9", "Stale.")]:
        (folder / "a.json").write_text(ninjs("urn:x:1", version=version, body=body))
        polling.poll(folder_channel)
    assert "Newer." in Article.objects.get().body
    assert IngestedItem.objects.get(version="1.9").reason == "version 1.10 was already taken"


FEED_ENTRY = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Agency Y</title><link>http://example.org/</link>
<description>Wire</description>
<item><guid>urn:y:1</guid><title>Harbour fire put out</title>
<description>{text}</description><pubDate>{date}</pubDate>{more}</item>
</channel></rss>"""


def test_a_feed_entry_updated_later_in_the_week_is_a_new_version(folder, folder_channel):
    """Feed versions are the entry's time, compared as times: "Fri, 11 Dec" as written sorts
    before "Thu, 10 Dec"."""
    (folder / "wire.rss").write_text(
        FEED_ENTRY.format(
            text="Crews at the harbour.", date="Thu, 10 Dec 2026 23:00:00 +0100", more=""
        )
    )
    polling.poll(folder_channel)
    (folder / "wire.rss").write_text(
        FEED_ENTRY.format(text="The fire is out.", date="Fri, 11 Dec 2026 08:00:00 GMT", more="")
    )

    summary = polling.poll(folder_channel)

    assert summary.taken == 1
    story = Article.objects.get()
    assert "The fire is out." in story.body
    assert story.revisions.first().action == ("Updated from Agency X, version 2026-12-11T08:00:00Z")
    assert IngestedItem.objects.order_by("received_at").first().version == "2026-12-10T22:00:00Z"


def test_a_feed_category_longer_than_a_tag_fails_its_entry(folder, folder_channel):
    category = f"<category>{'x' * 101}</category>"
    (folder / "wire.rss").write_text(
        FEED_ENTRY.format(text="Crews.", date="Thu, 10 Dec 2026 23:00:00 GMT", more=category)
    )
    (folder / "storm.txt").write_text(WIRE_TEXT)
    summary = polling.poll(folder_channel)
    assert (summary.taken, summary.failed) == (1, 1)
    assert (
        IngestedItem.objects.get(key="urn:y:1").reason == "category is 101 characters; at most 100"
    )


def test_a_look_takes_at_most_the_cap_and_queues_the_next_at_once(
    folder, folder_channel, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_ITEMS_PER_LOOK = 2
    for n in range(5):
        (folder / f"{n}.json").write_text(ninjs(f"urn:x:{n}", headline=f"Story {n}"))

    summary = polling.poll(folder_channel)
    assert (summary.taken, summary.more) == (2, True)
    assert str(summary).endswith("more waiting")

    # The task queues the next look itself when it commits (the immediate backend runs it).
    # One look taking 2 leaves 1: all 3 are taken only if that look queued another.
    with django_capture_on_commit_callbacks(execute=True):
        polling.poll_channel.enqueue(folder_channel.pk)
    assert Article.objects.count() == 5
    assert IngestedItem.objects.filter(outcome=Outcome.TAKEN).count() == 5


def test_a_channel_that_goes_away_and_comes_back(folder, folder_channel, caplog):
    (folder / "a.json").write_text(ninjs("urn:x:1"))
    assert polling.poll(folder_channel).taken == 1
    (folder / "a.json").unlink()
    folder.rmdir()  # the agency's share is unmounted

    for _ in range(3):
        with pytest.raises(polling.ChannelUnreachable, match="no folder at"):
            polling.poll(IngestChannel.objects.get())
    channel = IngestChannel.objects.get()
    assert channel.consecutive_failures == 3
    assert Article.objects.count() == 1  # what was taken stays

    folder.mkdir()
    (folder / "b.json").write_text(ninjs("urn:x:2", headline="Back again"))
    assert polling.poll(channel).taken == 1
    channel.refresh_from_db()
    assert (channel.consecutive_failures, channel.last_error) == (0, "")
    waited = channel.next_check_at - channel.last_checked_at
    assert waited.total_seconds() == channel.interval_minutes * 60  # the interval again
    messages = [r.getMessage() for r in caplog.records if r.name == "articles.ingest.polling"]
    assert messages == [
        "Ingest channel Agency X unreachable: no folder at " + str(folder),
        "Ingest channel Agency X reachable again",
    ]
