"""Revisions: a JSON snapshot of every field of an article after each save, and word diffs.

Why our own model instead of django-reversion: reversion does not version django-taggit tags and
has no diff view (its compare add-on is GPL). A snapshot holding the fields, the tag names, the
source ids and names, the lead image id and the contributors (author and role, in byline order)
is small, and restoring it is plain code we control.

`record_revision()` writes one revision at once, unless it runs inside `revision_block()`: then
every article touched in the block gets exactly one revision when the block ends (still inside the
caller's transaction), taken after its tags and sources were saved too. The admin wraps each save
in a block, so "Edited" and "Published" in one click are one revision.
"""

import contextlib
import difflib
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Article, Contributor, Revision

# article pk -> (user, [actions]) for the innermost open block; None outside any block.
_pending: ContextVar[dict | None] = ContextVar("pending_revisions", default=None)


def _stored(article_pk: int) -> Article | None:
    return (
        Article.objects.select_related("lead_image")
        .prefetch_related("sources", "tags", "contributions__author")
        .filter(pk=article_pk)
        .first()
    )


def snapshot(article: Article) -> dict:
    """Every field an editor can change, as stored in the database right now."""
    return _snapshot_of(_stored(article.pk))


# The parts of a snapshot a working draft holds (articles/editorial/services.py): the rest
# (status, time, slug) is always the live story's.
DRAFT_KEYS = ("headline", "standfirst", "body", "byline", "lead_image", "sources", "tags")
# What restoring a revision brings back: its draft parts and its contributors. Credits are never
# part of a working draft, so a restore into one (a live story) leaves them as they are.
RESTORED_KEYS = (*DRAFT_KEYS, "contributors")


def _snapshot_of(stored: Article) -> dict:
    """The story as its editors see it: the live fields, its working draft (if any) over them."""
    live = live_snapshot_of(stored)
    if stored.working_draft:
        return (
            live | {key: stored.working_draft[key] for key in DRAFT_KEYS} | {"working_draft": True}
        )
    return live


def live_snapshot(article: Article) -> dict:
    """What readers see of the story (its working draft left out)."""
    return live_snapshot_of(_stored(article.pk))


def live_snapshot_of(stored: Article) -> dict:
    image = stored.lead_image
    return {
        "headline": stored.headline,
        "standfirst": stored.standfirst,
        "body": stored.body,
        "byline": stored.byline,
        "slug": stored.slug,
        "status": stored.status,
        "published_at": stored.published_at.isoformat() if stored.published_at else None,
        "embargoed_until": _iso(stored.embargoed_until),
        "expires_at": _iso(stored.expires_at),
        "lead_image": {"id": image.pk, "label": str(image)} if image else None,
        "sources": [
            {"id": source.pk, "name": source.name}
            for source in sorted(stored.sources.all(), key=lambda s: s.name.lower())
        ],
        "tags": sorted((tag.name for tag in stored.tags.all()), key=str.lower),
        "contributors": [
            {
                "id": credit.author_id,
                "slug": credit.author.slug,
                "name": credit.author.name,
                "role": credit.role,
            }
            for credit in stored.contributions.all()
        ],
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def record_revision(article: Article, *, user, action: str) -> Revision | None:
    """Store a revision of `article` now, or at the end of the enclosing `revision_block()`."""
    pending = _pending.get()
    if pending is None:
        return _write_revision(article.pk, user=user, actions=[action])
    previous_user, actions = pending.get(article.pk, (None, []))
    if action not in actions:
        actions.append(action)
    pending[article.pk] = (user or previous_user, actions)
    return None


@contextlib.contextmanager
def revision_block():
    """Collect revisions until the block ends; use inside `transaction.atomic()`."""
    if _pending.get() is not None:  # nested: the outermost block writes
        yield
        return
    pending: dict = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # Only reached when the block succeeded: an exception skips writing (and rolls back).
    for article_pk, (user, actions) in pending.items():
        _write_revision(article_pk, user=user, actions=actions)


def _write_revision(article_pk: int, *, user, actions: list[str]) -> Revision | None:
    stored = _stored(article_pk)
    if stored is None:  # deleted for good in the same block
        return None
    last = Revision.objects.filter(article_id=article_pk).aggregate(n=Max("number"))["n"] or 0
    return Revision.objects.create(
        article=stored,
        number=last + 1,
        article_version=stored.version,
        action="; ".join(actions),
        snapshot=_snapshot_of(stored),
        created_by=user if user is not None and user.is_authenticated else None,
        created_at=timezone.now(),
    )


# ---- Comparing two snapshots -------------------------------------------------------------------

BLOCK_TAGS = {
    "p", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "figure", "figcaption", "pre", "div", "hr", "table", "tr",
}  # fmt: skip


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of a body, one paragraph a line: what a reader reads, not the markup."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _tokens(text: str) -> list[str]:
    """Words, with a "\\n" token between paragraphs."""
    return re.findall(r"[^\s]+|\n", (text or "").strip())


def _join(tokens: list[str], *, after: str | None) -> str:
    text, previous = "", after
    for word in tokens:
        if word != "\n" and previous not in (None, "\n"):
            text += " "
        text += word
        previous = word
    return text


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`[(op, text)]` with op "equal", "delete" or "insert": the words removed and added."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[tuple[str, str]] = []
    previous: str | None = None

    def emit(op: str, tokens: list[str]):
        nonlocal previous
        if not tokens:
            return
        text = _join(tokens, after=previous)
        if op != "equal" and text.startswith(" "):
            # The space before a change is unchanged; keep it out of the highlight.
            segments.append(("equal", " "))
            text = text[1:]
        segments.append((op, text))
        previous = tokens[-1]

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            last_before = previous
            emit("delete", a[i1:i2])
            # The inserted words follow the same text the deleted ones did.
            previous = last_before if i2 > i1 else previous
            emit("insert", b[j1:j2])
    return segments


@dataclass
class FieldChange:
    name: str
    label: str
    # Exactly one of these describes the change.
    segments: list[tuple[str, str]] = field(default_factory=list)  # word diff
    old: str = ""
    new: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.segments:
            return "words"
        if self.added or self.removed:
            return "set"
        return "value"


TEXT_FIELDS = [("headline", "Headline"), ("standfirst", "Standfirst"), ("body", "Body")]
VALUE_FIELDS = [("byline", "Byline"), ("slug", "Slug"), ("status", "Status")]


def _status_label(value: str) -> str:
    try:
        return Article.Status(value).label
    except ValueError:
        return value or "—"


def _moment_label(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    return timezone.localtime(moment).strftime("%d %b %Y, %H:%M") if moment else "—"


def contributors_label(credits: list[dict]) -> str:
    """ "By Amina Traoré and Jean Dupont; Reporting by Li Wei" in the snapshot's order; "—"."""
    groups: dict[str, list[str]] = {}
    for credit in credits:
        groups.setdefault(credit["role"], []).append(credit["name"])
    parts = []
    for role, names in groups.items():
        try:
            label = str(Contributor.Role(role).label)
        except ValueError:
            label = role
        parts.append(f"{label} {' and '.join(names)}")
    return "; ".join(parts) or "—"


def compare(old: dict, new: dict) -> list[FieldChange]:
    """The fields that differ between two snapshots, in form order."""
    changes: list[FieldChange] = []
    for name, label in TEXT_FIELDS:
        before, after = old.get(name) or "", new.get(name) or ""
        if name == "body":
            before, after = html_to_text(before), html_to_text(after)
        if before != after:
            changes.append(FieldChange(name, label, segments=word_diff(before, after)))
        elif name == "body" and (old.get(name) or "") != (new.get(name) or ""):
            changes.append(
                FieldChange(name, label, old="Formatting only", new="Same words, new markup")
            )
    for name, label in VALUE_FIELDS:
        before, after = old.get(name) or "", new.get(name) or ""
        if before != after:
            if name == "status":
                before, after = _status_label(before), _status_label(after)
            changes.append(FieldChange(name, label, old=before or "—", new=after or "—"))
    if old.get("published_at") != new.get("published_at"):
        changes.append(
            FieldChange(
                "published_at",
                "Publication time",
                old=_moment_label(old.get("published_at")),
                new=_moment_label(new.get("published_at")),
            )
        )
    old_image, new_image = old.get("lead_image"), new.get("lead_image")
    if (old_image or {}).get("id") != (new_image or {}).get("id"):
        changes.append(
            FieldChange(
                "lead_image",
                "Lead photo",
                old=(old_image or {}).get("label", "—"),
                new=(new_image or {}).get("label", "—"),
            )
        )
    old_credits, new_credits = old.get("contributors"), new.get("contributors")
    if (
        old_credits is not None  # older revisions did not keep them
        and new_credits is not None
        and [(c["id"], c["role"]) for c in old_credits]
        != [(c["id"], c["role"]) for c in new_credits]
    ):
        changes.append(
            FieldChange(
                "contributors",
                "Contributors",
                old=contributors_label(old_credits),
                new=contributors_label(new_credits),
            )
        )
    for name, label, key in [("sources", "Sources", "name"), ("tags", "Tags", None)]:
        before = [item[key] if key else item for item in old.get(name, [])]
        after = [item[key] if key else item for item in new.get(name, [])]
        if set(before) != set(after):
            changes.append(
                FieldChange(
                    name,
                    label,
                    added=[item for item in after if item not in before],
                    removed=[item for item in before if item not in after],
                )
            )
    return changes
