"""Looking at channels and taking their items: one story per item, once per version.

A delivery (file, object, feed document) holds one or more items, each keyed by its uri or guid
and a version. An item already taken is skipped without a write; a new version of a taken item
updates its story with a revision ("Updated from Agency X, version 3"), or is held as a draft
when the channel says so. An agency kill withdraws its story and is remembered even when the story
was never taken, so that copy of it delivered later (an earlier version arriving late, a replay)
is refused with the kill named, never imported. An item that cannot be read is recorded as
failed with its reason and raw copy, and the others go on (it is taken again only when an editor
retries it); a channel that cannot be reached backs off. One look takes at most
`INGEST_ITEMS_PER_LOOK` new items, so no job outlives the worker's lease; when more are waiting
the next look is queued at once.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass

import feedparser
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.html import escape, strip_tags

from .. import changes
from ..background.jobs import enqueue
from ..models import Article
from ..wire.importing import (
    CopyError,
    KilledCopy,
    channel_external_id,
    copy_format,
    external_id_of,
    identities,
    import_story,
    refuse_killed,
    remember_and_withdraw,
)
from ..wire.ninjs import MAX_TAG_NAME, NinjsStory, parse_ninjs
from ..wire.text import WireKill, parse_wire
from .models import IngestChannel, IngestedItem
from .sources import ChannelUnreachable, Delivery, fetch

logger = logging.getLogger(__name__)
Outcome = IngestedItem.Outcome

# What the raw copy of an item is, so a failed item can be read again for a retry.
NINJS, FEED_ENTRY, WIRE = "ninjs", "feed-entry", "wire"
# ninjs pubStatus values by which an agency takes a story back (see also wire/ninjs.py).
KILLED_STATUSES = {"canceled", "cancelled", "withheld", "withdrawn", "killed"}


class ItemError(ValueError):
    """This item cannot be taken; the message says why."""


@dataclass(frozen=True)
class Item:
    key: str
    version: str
    name: str
    kind: str  # NINJS, FEED_ENTRY or WIRE
    raw: str
    fingerprint: str = ""
    error: str = ""  # set when the delivery could not even be split into items


@dataclass
class PollSummary:
    taken: int = 0
    held: int = 0
    skipped: int = 0
    refused: int = 0  # copy of a story its agency killed
    failed: int = 0
    unchanged: int = 0
    more: bool = False  # stopped at INGEST_ITEMS_PER_LOOK with new items still waiting

    @property
    def new(self) -> int:
        return self.taken + self.held + self.skipped + self.refused + self.failed

    def __str__(self):
        return (
            f"{self.taken} taken, {self.held} held, {self.skipped} skipped, "
            + (f"{self.refused} refused (killed), " if self.refused else "")
            + f"{self.failed} failed, {self.unchanged} already seen"
            + (", more waiting" if self.more else "")
        )


# -- Splitting deliveries into items ----------------------------------------------------------


def _hash(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:16]


def items_of(delivery: Delivery, channel_format: str) -> list[Item]:
    """The items in one delivery; a delivery that cannot be read is one failed item."""
    content = delivery.content
    text = content.decode("utf-8-sig", errors="replace")
    fmt = channel_format
    if fmt == IngestChannel.Format.AUTO:
        fmt = IngestChannel.Format(copy_format(text))
    failed = Item(
        key=delivery.name,
        version=delivery.fingerprint[:16],
        name=delivery.name,
        kind=WIRE,
        raw=text,
        fingerprint=delivery.fingerprint,
    )
    if delivery.error or not content:
        return [dataclasses.replace(failed, error=delivery.error or "empty")]
    if fmt == IngestChannel.Format.NINJS:
        try:
            doc = json.loads(text)
        except ValueError as error:
            return [dataclasses.replace(failed, kind=NINJS, error=f"not JSON: {error}")]
        docs = [doc]  # one story, or a JSON value that is not one (failed below)
        if isinstance(doc, list):
            docs = doc
        elif isinstance(doc, dict) and isinstance(doc.get("items", doc.get("data")), list):
            docs = doc.get("items", doc.get("data"))
        return [_ninjs_item(entry, delivery) for entry in docs]
    if fmt == IngestChannel.Format.FEED:
        feed = feedparser.parse(content)
        if not feed.entries and feed.bozo:
            return [
                dataclasses.replace(
                    failed, kind=FEED_ENTRY, error=f"not a feed: {feed.bozo_exception}"
                )
            ]
        return [_feed_item(entry, delivery) for entry in feed.entries]
    return [
        Item(
            key=delivery.name,
            version=_hash(content),
            name=delivery.name,
            kind=WIRE,
            raw=text,
            fingerprint=delivery.fingerprint,
        )
    ]


def _ninjs_item(doc, delivery: Delivery) -> Item:
    raw = json.dumps(doc, ensure_ascii=False, indent=1)
    if not isinstance(doc, dict):
        return Item(
            delivery.name + "#" + _hash(raw),
            _hash(raw),
            delivery.name,
            NINJS,
            raw,
            delivery.fingerprint,
            error=NOT_AN_OBJECT,
        )
    key = _ninjs_key(doc)
    version = str(doc.get("version") or "").strip() or _hash(raw)
    if not key:
        return Item(
            delivery.name + "#" + _hash(raw),
            version[:100],
            delivery.name,
            NINJS,
            raw,
            delivery.fingerprint,
            error=NO_URI,
        )
    return Item(key[:300], version[:100], delivery.name, NINJS, raw, delivery.fingerprint)


NOT_AN_OBJECT = "a ninjs item is a JSON object"
NO_URI = "no uri: the item cannot be told apart from others"


def _ninjs_key(doc: dict) -> str:
    return str(doc.get("uri") or doc.get("guid") or "").strip()


def _feed_item(entry, delivery: Delivery) -> Item:
    content = entry.get("content") or []
    fields = {
        "id": entry.get("id") or entry.get("link") or "",
        "link": entry.get("link", ""),
        "title": entry.get("title", ""),
        "summary": entry.get("summary", ""),
        "content": content[0].get("value", "") if content else "",
        "author": entry.get("author", ""),
        # Asked for only when present: feedparser warns when "updated" falls back to "published".
        "updated": (entry["updated"] if "updated" in dict.keys(entry) else "")
        or entry.get("published", ""),
        "tags": [tag.get("term", "") for tag in entry.get("tags", [])],
    }
    raw = json.dumps(fields, ensure_ascii=False, indent=1)
    # The version is the entry's time in UTC as ISO 8601, so versions sort by time ("Fri, 11 Dec"
    # as written sorts before "Thu, 10 Dec"); the copy's hash when it gives no time.
    parsed = dict.get(entry, "updated_parsed") or dict.get(entry, "published_parsed")
    version = time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else _hash(raw)
    key = fields["id"] or delivery.name + "#" + _hash(raw)
    return Item(key[:300], version[:100], delivery.name, FEED_ENTRY, raw, delivery.fingerprint)


# -- Reading one item into a story ------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """An agency's kill or withdrawal of the story imported under `external_id` (and, for ninjs,
    under its `uri` on the desk)."""

    external_id: str
    reason: str
    headline: str = ""
    uri: str = ""


def story_of(item: Item) -> NinjsStory | Kill:
    """The story (or the kill) an item carries; raises ItemError."""
    if item.error:
        raise ItemError(item.error)
    try:
        if item.kind == NINJS:
            doc = json.loads(item.raw)
            # Checked here as well as when splitting, so a retried item is held to them too.
            if not isinstance(doc, dict):
                raise ItemError(NOT_AN_OBJECT)
            if not _ninjs_key(doc):
                raise ItemError(NO_URI)
            status = str(doc.get("pubStatus") or doc.get("pubstatus") or "usable").casefold()
            if status in KILLED_STATUSES:
                note = str(doc.get("ednote") or "").strip()
                return Kill(
                    _external_id(item),
                    f"ninjs pubStatus {status}" + (f": {note}" if note else ""),
                    headline=" ".join(str(doc.get("headline") or "").split())[:300],
                    uri=str(doc.get("uri") or "").strip(),
                )
            story = parse_ninjs(doc)
            return dataclasses.replace(story, external_id=_external_id(item))
        if item.kind == FEED_ENTRY:
            return _feed_story(item, json.loads(item.raw))
        wire = parse_wire(item.raw)
        if isinstance(wire, WireKill):
            return Kill(external_id_of(wire), wire.reason, headline=wire.headline)
    except ItemError:
        raise
    except CopyError as error:
        raise ItemError(str(error)) from error
    except ValueError as error:
        raise ItemError(f"unreadable: {error}") from error
    return NinjsStory(
        external_id=external_id_of(wire),
        headline=wire.headline,
        standfirst=wire.standfirst,
        body_html=wire.body_html,
        byline=wire.byline,  # its byline and closing credits, as a manual import keeps them
        sources=wire.sources,
        embargoed_until=wire.embargoed_until,
    )


def _external_id(item: Item) -> str:
    return channel_external_id(item.key)


def _feed_story(item: Item, fields: dict) -> NinjsStory:
    headline = " ".join(str(fields.get("title", "")).split())
    if not headline:
        raise ItemError("no title")
    if len(headline) > 300:
        raise ItemError(f"title is {len(headline)} characters; at most 300")
    summary = str(fields.get("summary", ""))
    body = str(fields.get("content", "")) or summary
    if not body.strip():
        raise ItemError("no content or summary")
    if "<" not in body:
        body = f"<p>{escape(body)}</p>"
    link = fields.get("link", "")
    if link:
        body += f'\n<p><a href="{escape(link)}">Original story</a></p>'
    standfirst = "" if summary == body else summary
    if "<" in standfirst:
        standfirst = strip_tags(standfirst)
    tags = tuple(dict.fromkeys(" ".join(str(t).split()) for t in fields.get("tags", [])))
    for tag in tags:
        if len(tag) > MAX_TAG_NAME:
            raise ItemError(f"category is {len(tag)} characters; at most {MAX_TAG_NAME}")
    return NinjsStory(
        external_id=_external_id(item),
        headline=headline,
        standfirst=standfirst.strip()[:2000],
        body_html=body,
        byline=str(fields.get("author", ""))[:200],
        tags=tuple(t for t in tags if t),
    )


# -- Taking items -------------------------------------------------------------------------------


def take(channel: IngestChannel, item: Item, *, again: bool = False) -> str:
    """Take one item: its story written and its row recorded in one transaction (a worker killed
    in the middle leaves neither). Returns the outcome, or "" for an item already seen.

    An item seen before is not taken again, even one that failed (it waits for an editor's
    retry, which passes `again`). Whatever goes wrong with one item is recorded on it as failed,
    except a database that cannot be reached or is locked: that stops the look (the task is
    retried) and leaves the item to be taken by the next.
    """
    seen = IngestedItem.objects.filter(channel=channel, key=item.key, version=item.version)
    if (seen.exclude(outcome=Outcome.FAILED) if again else seen).exists():
        return ""
    try:
        with changes.atomic():
            outcome, reason, article = _write_story(channel, item)
            _record(channel, item, outcome=outcome, reason=reason, article=article)
        return outcome
    except ItemError as error:
        reason = str(error)
    except IntegrityError as error:
        if seen.exclude(outcome=Outcome.FAILED).exists():
            return ""  # another worker took it meanwhile; what this one wrote was rolled back
        reason = _unexpected(channel, item, error)
    except (OperationalError, InterfaceError):
        raise  # not this item's fault
    except Exception as error:
        reason = _unexpected(channel, item, error)
    try:
        with transaction.atomic():
            _record(channel, item, outcome=Outcome.FAILED, reason=reason, article=None)
    except IntegrityError:
        return ""  # taken by another worker after all
    return Outcome.FAILED


def _unexpected(channel, item: Item, error: Exception) -> str:
    logger.exception("Ingest channel %s: item %s v%s failed", channel, item.key, item.version)
    return f"{type(error).__name__}: {error}"[:2000]


def _record(channel, item: Item, *, outcome, reason, article) -> None:
    """Record what became of an item: a new row, or the failed row of an item retried. A row
    another worker has just recorded is never overwritten: the insert fails on the unique
    constraint and this item's transaction is rolled back."""
    fields = {
        "name": item.name[:300],
        "kind": item.kind,
        "fingerprint": item.fingerprint,
        "outcome": outcome,
        "reason": reason,
        "raw": item.raw,
        "article": article,
    }
    retried = IngestedItem.objects.filter(
        channel=channel, key=item.key, version=item.version, outcome=Outcome.FAILED
    ).update(**fields, updated_at=timezone.now())
    if not retried:
        IngestedItem.objects.create(channel=channel, key=item.key, version=item.version, **fields)


def _write_story(channel: IngestChannel, item: Item):
    story = story_of(item)
    if isinstance(story, Kill):
        return _kill(channel, item, story)
    try:
        refuse_killed(identities(story.external_id, story.uri))
    except KilledCopy as refused:
        return Outcome.REFUSED, f"Not imported: {refused}", None
    taken_before = IngestedItem.objects.filter(
        channel=channel, key=item.key, outcome__in=[Outcome.TAKEN, Outcome.HELD]
    ).exclude(version=item.version)
    newer = _newer_version(item.version, taken_before.values_list("version", flat=True))
    if newer:
        return Outcome.SKIPPED, f"version {newer} was already taken", None
    sources = story.sources + ((channel.source.name,) if channel.source else ())
    tags = tuple(dict.fromkeys(story.tags + tuple(channel.tag_names)))
    existing = Article.objects.filter(external_id=story.external_id).first()
    outcome = Outcome.TAKEN
    if existing is None:
        action = f"Imported from {channel.name}, version {item.version}"
    elif existing.status == Article.Status.PUBLISHED and (
        channel.on_update == IngestChannel.OnUpdate.HOLD
    ):
        held_id = "held:" + _hash(f"{story.external_id}|{item.version}")
        story = dataclasses.replace(story, external_id=held_id)
        action = (
            f"Held from {channel.name}, version {item.version}: an update to "
            f"“{existing.headline}” (#{existing.pk}) for review"
        )
        outcome = Outcome.HELD
    else:
        action = f"Updated from {channel.name}, version {item.version}"
    result = import_story(
        external_id=story.external_id,
        headline=story.headline,
        standfirst=story.standfirst,
        body_html=story.body_html,
        byline=story.byline or None,
        sources=sources,
        tags=tags,
        embargoed_until=story.embargoed_until,
        language=story.language,
        publish=channel.publish and existing is None,
        how=f"from {channel.name}",
        action=action,
    )
    reason = "" if outcome == Outcome.TAKEN else f"update of story #{existing.pk} held as a draft"
    return outcome, reason, result.article


_NUMBERED = re.compile(r"\d+(?:\.\d+)*")


def _version_order(version: str):
    """Where a version sorts among its item's others: numbers as numbers (2 < 10, 1.2 < 1.10),
    times as times; None for a version with no order (a hash of the copy)."""
    if _NUMBERED.fullmatch(version):
        return (0, tuple(int(part) for part in version.split(".")))
    try:
        moment = datetime.datetime.fromisoformat(version)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return (1, moment.timestamp())


def _newer_version(version: str, taken) -> str:
    """A version already taken that is newer than `version`. Only versions of one kind compare;
    a version with no order is never older than another (the latest delivery wins)."""
    mine = _version_order(version)
    if mine is None:
        return ""
    ordered = [(order, v) for v in taken if (order := _version_order(v)) is not None]
    newer = [(order, v) for order, v in ordered if order[0] == mine[0] and order > mine]
    return max(newer)[1] if newer else ""


def _kill(channel, item, kill: Kill):
    """Apply the kill as the desk does (articles/wire/importing.py): the kill remembered, so copy
    of the story delivered after it is refused, and the story, if taken, withdrawn from every
    surface at once. Here only the item's outcome and reason are added."""
    article = remember_and_withdraw(
        identities(kill.external_id, kill.uri),
        headline=kill.headline,
        reason=kill.reason,
        source=f"Kill from {channel.name}, version {item.version}",
    )
    if article is None:
        return (
            Outcome.SKIPPED,
            f"{kill.reason}: no such story was taken here; the kill is remembered and any copy "
            "of this story delivered later is refused",
            None,
        )
    return Outcome.TAKEN, f"Withdrew story #{article.pk}: {kill.reason}", article


# -- Polling ---------------------------------------------------------------------------------------


def poll(channel: IngestChannel) -> PollSummary:
    """Look at the channel once and take what is new: at most `INGEST_ITEMS_PER_LOOK` items,
    saying in the summary when more are waiting."""
    summary = PollSummary()
    now = timezone.now()
    # Deliveries already read (whatever became of their items) are not read again.
    seen = set(channel.items.exclude(fingerprint="").values_list("fingerprint", flat=True))
    try:
        fetched = fetch(channel, seen=seen)
    except ChannelUnreachable as error:
        _unreachable(channel, error, now)
        raise
    except Exception as error:  # e.g. a location urllib cannot parse: the channel says so too
        unreachable = ChannelUnreachable(f"{type(error).__name__}: {error}")
        _unreachable(channel, unreachable, now)
        raise unreachable from error
    # A delivery is taken whole; the cap is looked at between deliveries.
    for delivery in fetched.deliveries:
        if delivery.fingerprint in seen:
            summary.unchanged += 1
            continue
        if summary.new >= settings.INGEST_ITEMS_PER_LOOK:
            summary.more = True
            break
        for item in items_of(delivery, channel.format):
            outcome = take(channel, item)
            if outcome:
                setattr(summary, outcome, getattr(summary, outcome) + 1)
            else:
                summary.unchanged += 1
    if channel.consecutive_failures:
        logger.warning("Ingest channel %s reachable again", channel)
    channel.consecutive_failures = 0
    IngestChannel.objects.filter(pk=channel.pk).update(
        last_checked_at=now,
        last_error="",
        consecutive_failures=0,
        etag=fetched.etag[:300],
        last_modified=fetched.last_modified[:100],
        next_check_at=now + channel.backoff(),
    )
    return summary


def _unreachable(channel: IngestChannel, error: ChannelUnreachable, now) -> None:
    channel.consecutive_failures += 1
    if channel.consecutive_failures == 1:  # once per outage, not once per look
        logger.warning("Ingest channel %s unreachable: %s", channel, error)
    IngestChannel.objects.filter(pk=channel.pk).update(
        last_checked_at=now,
        last_error=str(error)[:2000],
        consecutive_failures=channel.consecutive_failures,
        next_check_at=now + channel.backoff(),
    )


def retry(item: IngestedItem) -> str:
    """Take a failed item again from its kept raw copy (after a fix)."""
    again = Item(
        key=item.key,
        version=item.version,
        name=item.name,
        kind=item.kind,
        raw=item.raw,
        fingerprint=item.fingerprint,
    )
    return take(item.channel, again, again=True)


@task()
def poll_channel(channel_pk: int) -> str:
    """One look at a channel; when it stopped with items still waiting, the next look is queued
    at once (the channel's next look stays claimed, so the scheduler does not queue another)."""
    channel = IngestChannel.objects.filter(pk=channel_pk, enabled=True).first()
    if channel is None:
        return "no such channel, or disabled"
    try:
        summary = poll(channel)
    except ChannelUnreachable as error:
        return f"unreachable: {error}"
    if summary.more:
        transaction.on_commit(lambda: enqueue(poll_channel, channel_pk))
    return str(summary)


def queue_due_channels() -> int:
    """Queue a look at every enabled channel that is due. Each is claimed by moving its next
    look forward with a conditional update, so two schedulers never queue the same one."""
    now = timezone.now()
    queued = 0
    due = IngestChannel.objects.filter(enabled=True).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    )
    for channel in due:
        claimed = IngestChannel.objects.filter(
            pk=channel.pk, next_check_at=channel.next_check_at
        ).update(next_check_at=now + channel.backoff())
        if claimed:
            transaction.on_commit(lambda pk=channel.pk: enqueue(poll_channel, pk))
            queued += 1
    return queued
