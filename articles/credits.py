"""Credit lines as agencies and editors write them, read into (role, name) pairs and back.

"By Amina Traoré and Jean Dupont", "Reporting by X; Editing by Y", Reuters' closing
"(Reporting by X in Bamako; Writing by Y; Editing by Z)". Pure Python (no Django, no database):
the wire parser (articles/wire/text.py) finds such lines in copy, the importer links the names
to known authors, and `Article.byline_groups()` reads the free-text rest of a byline.

Roles are `Contributor.Role` values ("by", "reporting", …); a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BY, REPORTING, ADDITIONAL, TRANSLATED, PHOTOS, EDITED = (
    "by",
    "reporting",
    "additional",
    "translated",
    "photos",
    "edited",
)
ROLES = (BY, REPORTING, ADDITIONAL, TRANSLATED, PHOTOS, EDITED)
# How a free-text byline names each role (read back by `parse_credit_line`).
ROLE_PHRASES = {
    BY: "By",
    REPORTING: "Reporting by",
    ADDITIONAL: "Additional reporting by",
    TRANSLATED: "Translated by",
    PHOTOS: "Photos by",
    EDITED: "Edited by",
}
# Every way copy names a role, lower case, without the final "by".
_PHRASES = {
    "": BY,
    "written": BY,
    "writing": BY,
    "words": BY,
    "story": BY,
    "compiled": BY,
    "reporting": REPORTING,
    "reported": REPORTING,
    "additional reporting": ADDITIONAL,
    "with additional reporting": ADDITIONAL,
    "translated": TRANSLATED,
    "translation": TRANSLATED,
    "translating": TRANSLATED,
    "photos": PHOTOS,
    "photo": PHOTOS,
    "photographs": PHOTOS,
    "photography": PHOTOS,
    "pictures": PHOTOS,
    "edited": EDITED,
    "editing": EDITED,
}
_ROLE_RE = re.compile(
    r"\A(?P<phrase>"
    + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True) if p)
    + r")?\s*\bby\b\s*:?\s*(?P<names>.*)\Z",
    re.IGNORECASE | re.DOTALL,
)
_NAME_SEP_RE = re.compile(r"\s*(?:,|&|\band\b)\s*", re.IGNORECASE)
# "Tim Kelly in Tokyo": where the reporter was is not part of the name.
_PLACE_RE = re.compile(r"\s+(?:in|from)\s+\S.*\Z")
# Name particles written in lower case ("Ursula von der Leyen", "Mohamed al-Bashir").
_PARTICLES = {
    "al", "el", "bin", "ben", "bint", "abu", "da", "das", "de", "del", "della", "der", "di",
    "dos", "du", "la", "le", "ter", "ten", "van", "von", "y", "zu",
}  # fmt: skip
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Credit:
    role: str  # one of ROLES
    name: str


def parse_credit_line(text: str, *, strict: bool = True) -> tuple[Credit, ...] | None:
    """The credits in one line, in order: "By A and B; reporting by C in Paris" →
    (by A, by B, reporting C).

    `strict` (for lines found in copy): every ";"-part names its role ("By", "Reporting by"…)
    and every name looks like a person's or an agency's, else None, so that a sentence such as
    "By Thursday, the troops had left." is never taken for a byline. Not strict (a byline given
    as such, e.g. ninjs `by`): a part without a role is "By", and names are taken as written.
    """
    credits: list[Credit] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        match = _ROLE_RE.match(part)
        if match is None:
            if strict:
                return None
            role, names = BY, part
        else:
            role, names = _PHRASES[(match.group("phrase") or "").casefold()], match.group("names")
        for raw in _NAME_SEP_RE.split(names.strip().rstrip(".")):
            name = " ".join(_PLACE_RE.sub("", raw).split())
            if not name:
                continue
            if strict and not looks_like_name(name):
                return None
            credits.append(Credit(role, name))
    if not credits:
        return None
    return tuple(credits)


def looks_like_name(name: str) -> bool:
    """ "Amina Traoré", "J. Dupont", "Ursula von der Leyen", "Reuters": capitalised words."""
    words = name.split()
    if not 0 < len(words) <= MAX_NAME_WORDS or not words[0][:1].isupper():
        return False
    for word in words:
        bare = word.strip(".'’-")
        if not bare or not re.fullmatch(r"[^\W\d_][\w.'’-]*", word):
            return False
        if not (bare[0].isupper() or bare.split("-")[0].casefold() in _PARTICLES):
            return False
    return True


def credit_line(credits) -> str:
    """Credits back into one line, grouped by role in the roles' order: "A and B; reporting by
    C; edited by D" (the "By" names first, without the word)."""
    groups: dict[str, list[str]] = {}
    for credit in credits:
        groups.setdefault(credit.role, []).append(credit.name)
    parts = []
    for role in ROLES:
        if names := groups.get(role):
            joined = _join(names)
            if role == BY:
                parts.append(joined)
            else:
                phrase = ROLE_PHRASES[role]
                parts.append(f"{phrase if not parts else phrase.lower()} {joined}")
    return "; ".join(parts)


def free_byline_parts(byline: str) -> list[tuple[str, list[str]]]:
    """A free-text byline as (role, names) parts: "News Agencies" → [("by", ["News Agencies"])];
    "Tom Ray; reporting by Ann Lee and Bo Li" → [("by", ["Tom Ray"]), ("reporting", ["Ann Lee",
    "Bo Li"])]. A part without a role is kept whole (an agency's "Al Jazeera and news agencies")."""
    parts = []
    for part in (p.strip() for p in (byline or "").split(";")):
        if not part:
            continue
        match = _ROLE_RE.match(part)
        if match is None or not match.group("phrase"):
            whole = part if match is None else match.group("names").strip()
            if whole:
                parts.append((BY, [whole]))
            continue
        role = _PHRASES[match.group("phrase").casefold()]
        names = [name for name in _NAME_SEP_RE.split(match.group("names").strip()) if name]
        if names:
            parts.append((role, names))
    return parts


def _join(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
