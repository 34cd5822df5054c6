"""A folder channel end to end: first delivery, re-delivery, new versions, held updates, bad
items quarantined while the others are taken, and retries."""

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
