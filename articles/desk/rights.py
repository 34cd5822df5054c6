"""What the desk shows about a story's rights: its embargo (with the time left), its expiry and
its withdrawal. Read-only helpers for the story list and the story form."""

import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Article, format_moment


def time_left(moment: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """ "2 d 3 h", "3 h 20 min", "12 min", "under a minute" until `moment`."""
    seconds = int((moment - (now or timezone.now())).total_seconds())
    if seconds < 60:
        return "under a minute"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def rights_notes(article: Article) -> list[tuple[str, str]]:
    """(kind, sentence) pairs for what limits the story now: "embargo", "expired", "expires",
    "withdrawn"."""
    now = timezone.now()
    notes = []
    if article.withdrawn_at is not None:
        who = article.withdrawn_by.get_username() if article.withdrawn_by else "the system"
        reason = f": {article.withdrawal_reason}" if article.withdrawal_reason else ""
        notes.append(
            (
                "withdrawn",
                f"WITHDRAWN by {who} at {format_moment(article.withdrawn_at)}{reason}. "
                "Its address answers 410 Gone.",
            )
        )
    if article.embargoed_until is not None and article.embargoed_until > now:
        notes.append(
            (
                "embargo",
                f"EMBARGOED until {format_moment(article.embargoed_until)} "
                f"({time_left(article.embargoed_until, now)} left).",
            )
        )
    if article.expires_at is not None:
        if article.expires_at <= now:
            notes.append(
                ("expired", f"EXPIRED at {format_moment(article.expires_at)}: off every page.")
            )
        else:
            notes.append(
                (
                    "expires",
                    f"Expires at {format_moment(article.expires_at)} "
                    f"({time_left(article.expires_at, now)} left).",
                )
            )
    image = article.lead_image
    if image is not None and image.expires_at is not None and image.expires_at <= now:
        notes.append(("expired", "The lead photo's licence has expired: readers see no photo."))
    return notes


def rights_badges(article: Article):
    """The notes as short badges for the story list."""
    short = {
        "withdrawn": lambda: "Withdrawn",
        "embargo": lambda: f"Embargoed · {time_left(article.embargoed_until)} left",
        "expired": lambda: "Expired",
        "expires": lambda: f"Expires in {time_left(article.expires_at)}",
    }
    badges = []
    for kind, sentence in rights_notes(article):
        if kind == "expired" and any(k == "expired" for k, _ in badges):
            continue
        badge = format_html(
            '<span class="rights-badge rights-badge--{}" title="{}">{}</span>',
            kind,
            sentence,
            short[kind](),
        )
        badges.append((kind, badge))
    return mark_safe(" ".join(str(badge) for _, badge in badges)) if badges else "—"  # noqa: S308 - each badge is built by format_html
