"""The search box's language: websearch-style queries parsed into terms that are only ever passed
to the database as quoted words, never as raw user text.

Syntax: words, "quoted phrases" (an unclosed quote runs to the end), `-word` / `-"phrase"` to
exclude, and `or` between two terms.
"""

import re
from dataclasses import dataclass

from ..languages import fold_for_search

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 16

_WORD = re.compile(r"\w+")

Term = tuple[str, ...]  # one word, or the words of a phrase


@dataclass(frozen=True)
class ParsedQuery:
    """A websearch-style query: all `clauses` must match (each clause is one of its terms), and
    none of the `excluded` terms may."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self):
        return bool(self.clauses or self.excluded)

    @property
    def words(self) -> list[str]:
        return [word for clause in self.clauses for term in clause for word in term]

    def websearch(self) -> str:
        """The query in PostgreSQL's websearch syntax, rebuilt from nothing but word characters."""

        def term(words: Term) -> str:
            return f'"{" ".join(words)}"'

        parts = [" or ".join(term(t) for t in clause) for clause in self.clauses]
        parts += [f"-{term(t)}" for t in self.excluded]
        return " ".join(parts)

    def fts5(self, *, positive=True) -> str:
        """The query as an FTS5 expression: every word quoted, so nothing is read as syntax."""

        def term(words: Term) -> str:
            return '"' + " ".join(words) + '"'

        def any_of(terms) -> str:
            return "(" + " OR ".join(term(t) for t in terms) + ")"

        if not positive:
            return any_of(self.excluded)
        expression = " AND ".join(any_of(clause) for clause in self.clauses)
        if self.excluded:
            expression = f"({expression}) NOT {any_of(self.excluded)}"
        return expression


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> ParsedQuery:
    """Parse websearch syntax: words, "quoted phrases" (an unclosed quote runs to the end),
    `-word` / `-"phrase"` to exclude, and `or` between two terms. Punctuation separates words
    (so `(a+)+$` is the word `a` and `' OR 1=1--` is the phrase `1 1`), like PostgreSQL's
    `websearch_to_tsquery`."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    count = 0
    # Before splitting into words: Arabic vowel marks are not word characters to `\w`.
    for match in _TOKEN.finditer(fold_for_search(text)):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(clauses)
                continue
            negated, chunk = bare.startswith("-"), bare
        else:
            chunk = quoted
        words = tuple(word.lower() for word in _WORD.findall(chunk))
        if not words:
            continue
        count += 1
        if count > MAX_QUERY_TERMS:
            break
        if negated:
            excluded.append(words)
            pending_or = False
        elif pending_or:
            clauses[-1].append(words)
            pending_or = False
        else:
            clauses.append([words])
    return ParsedQuery(tuple(tuple(clause) for clause in clauses), tuple(excluded))
