"""The channel admin and the channel page: what editors see, the buttons, who may press them."""

import pytest
from django.urls import reverse

from articles.accounts.models import AuditEntry
from articles.ingest import polling
from articles.ingest.models import IngestChannel, IngestedItem
from articles.models import Article

from ..helpers.factories import make_staff
from ..ingest.conftest import WIRE_TEXT, ninjs

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "good.json").write_text(ninjs("urn:x:1"))
    (folder / "bad.json").write_text('{"uri": "urn:x:2", "headline": ')
    (folder / "storm.txt").write_text(WIRE_TEXT)
    channel = IngestChannel.objects.create(name="Agency X", location=str(folder))
    polling.poll(channel)
    return channel


def page_url(channel, outcome=""):
    url = reverse("admin:articles_ingestchannel_page", args=[channel.pk])
    return f"{url}?outcome={outcome}" if outcome else url


def test_the_channel_page_shows_last_look_counts_and_failures(
    client, channel, django_assert_max_num_queries
):
    client.force_login(make_staff("ed", role="Editor"))
    with django_assert_max_num_queries(12):
        page = client.get(page_url(channel)).content.decode()
    assert "Last look" in page and "not yet" not in page
    assert "Taken (2)" in page and "Failed (1)" in page and "Skipped (0)" in page
    assert "not JSON" in page
    assert "{&quot;uri&quot;: &quot;urn:x:2&quot;, &quot;headline&quot;: " in page  # raw copy
    assert "Look now" in page and ">Retry</button>" in page
    failed_only = client.get(page_url(channel, "failed")).content.decode()
    assert "storm.txt" not in failed_only and "bad.json" in failed_only
    assert client.get(page_url(channel, "nonsense")).status_code == 404


def test_retry_from_the_page(client, channel):
    client.force_login(make_staff("ed", role="Editor"))
    item = IngestedItem.objects.get(outcome="failed")
    item.raw = ninjs("urn:x:2", headline="Fixed by hand")
    item.kind = polling.NINJS
    item.save()
    response = client.post(reverse("admin:articles_ingestchannel_retry", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == "taken"
    assert Article.objects.filter(headline="Fixed by hand").exists()


def test_look_now_queues_a_look(client, channel, tmp_path):
    client.force_login(make_staff("ed", role="Editor"))
    (tmp_path / "drop" / "more.json").write_text(ninjs("urn:x:9", headline="New one"))
    response = client.post(reverse("admin:articles_ingestchannel_look", args=[channel.pk]))
    assert response.status_code == 302
    assert Article.objects.filter(headline="New one").exists()  # immediate backend in tests


def test_reporters_cannot_see_or_run_channels(client, channel):
    client.force_login(make_staff("rep", role="Reporter"))
    item = IngestedItem.objects.get(outcome="failed")
    assert client.get(page_url(channel)).status_code == 403
    assert (
        client.post(reverse("admin:articles_ingestchannel_look", args=[channel.pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:articles_ingestchannel_retry", args=[item.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:articles_ingestchannel_changelist")).status_code == 403


def test_editors_configure_channels_in_the_admin(client, tmp_path):
    client.force_login(make_staff("ed", role="Editor"))
    response = client.post(
        reverse("admin:articles_ingestchannel_add"),
        {
            "name": "Agency Z",
            "enabled": "on",
            "kind": "http",
            "location": "https://agency.example/feed.rss",
            "format": "feed",
            "interval_minutes": "10",
            "default_tags": "World",
            "desk": "World",
            "on_update": "hold",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    channel = IngestChannel.objects.get(name="Agency Z")
    assert channel.on_update == "hold" and channel.tag_names == ["World"]
    listing = client.get(reverse("admin:articles_ingestchannel_changelist")).content.decode()
    assert "Agency Z" in listing and "Not looked yet" in listing


def test_the_get_request_for_a_button_is_refused(client, channel):
    client.force_login(make_staff("ed", role="Editor"))
    assert (
        client.get(reverse("admin:articles_ingestchannel_look", args=[channel.pk])).status_code
        == 405
    )


def test_channel_changes_are_in_the_audit_trail(client, tmp_path):
    editor = make_staff("ed", role="Editor")
    client.force_login(editor)
    form = {
        "name": "Agency Z",
        "enabled": "on",
        "kind": "http",
        "location": "https://agency.example/feed.rss",
        "format": "feed",
        "interval_minutes": "10",
        "default_tags": "World",
        "desk": "World",
        "on_update": "hold",
    }
    assert client.post(reverse("admin:articles_ingestchannel_add"), form).status_code == 302
    channel = IngestChannel.objects.get(name="Agency Z")
    change_url = reverse("admin:articles_ingestchannel_change", args=[channel.pk])
    assert client.post(change_url, form | {"interval_minutes": "30"}).status_code == 302
    assert client.post(change_url, form | {"interval_minutes": "30"}).status_code == 302  # same
    delete_url = reverse("admin:articles_ingestchannel_delete", args=[channel.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302

    entries = list(AuditEntry.objects.filter(action__startswith="channel_").order_by("pk"))
    assert [entry.action for entry in entries] == [
        AuditEntry.Action.CHANNEL_CREATED,
        AuditEntry.Action.CHANNEL_CHANGED,  # once: the second save changed nothing
        AuditEntry.Action.CHANNEL_DELETED,
    ]
    assert {entry.user_id for entry in entries} == {editor.pk}
    assert entries[1].details == {"interval_minutes": 30}
    assert all(entry.target_label == "Agency Z" for entry in entries)  # kept after the delete
