"""The filter bar's query language, parsed into a predicate over papers.

    diffusion "video generation"     all words and phrases must match (title, authors, abstract)
    -survey                          exclude
    title:llama author:"Yann LeCun"  abstract: org: kw:  field prefixes
    is:starred is:unread is:read is:new
    has:code has:project
    upvotes:>=20 stars:>100 comments:>3 upvotes:10..50
    day:2024-08-01 day:>=2024-08-01

Matching is case-insensitive substring matching. Everything here is pure: no Textual, no IO.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from paperterm.model import Paper


class QueryError(ValueError):
    """A malformed query; the message says what is wrong, fit for the filter bar."""


class PaperFlags(Protocol):
    def is_read(self, paper_id: str) -> bool: ...
    def is_starred(self, paper_id: str) -> bool: ...
    def is_new(self, paper: Paper) -> bool: ...


Predicate = Callable[[Paper, PaperFlags], bool]

TEXT_FIELDS: dict[str, Callable[[Paper], str]] = {
    "title": lambda p: p.title,
    "author": lambda p: ", ".join(p.authors),
    "abstract": lambda p: p.abstract,
    "org": lambda p: f"{p.organization} {p.org_handle}",
    "kw": lambda p: " | ".join(p.ai_keywords),
}
FIELD_ALIASES = {"authors": "author", "keyword": "kw", "keywords": "kw", "summary": "abstract"}
NUMBER_FIELDS: dict[str, Callable[[Paper], int | None]] = {
    "upvotes": lambda p: p.upvotes,
    "stars": lambda p: p.github_stars,
    "comments": lambda p: p.comments,
}
NUMBER_ALIASES = {"votes": "upvotes", "likes": "upvotes"}
IS_VALUES = ("starred", "unread", "read", "new")
HAS_VALUES = ("code", "project")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z]+):)?("([^"]*)"?|\S+)?')
_COMPARE = re.compile(r"^(>=|<=|>|<|=)?(.+)$")


@dataclass
class Query:
    text: str
    predicates: list[Predicate] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    """Terms to highlight where they match (positive text terms only)."""
    words: list[tuple[str, bool]] = field(default_factory=list)
    """Plain words and phrases (casefolded, negated?): matched through a SearchIndex when
    one is given, which is several times faster over thousands of papers."""
    rest: list[Predicate] = field(default_factory=list)
    """Every other predicate (fields, states, numbers)."""

    @property
    def is_empty(self) -> bool:
        return not self.predicates

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return all(predicate(paper, flags) for predicate in self.predicates)

    def predicate(
        self, flags: PaperFlags, index: SearchIndex | None = None
    ) -> Callable[[Paper], bool]:
        """One function of a paper, for filtering thousands of papers fast."""
        if index is None or not self.words:
            predicates = self.predicates
        else:
            ok, excluded = self.word_sets(index)

            def in_words(paper: Paper, flags: PaperFlags) -> bool:
                return paper.id in ok if ok is not None else paper.id not in excluded

            predicates = [in_words, *self.rest]
        if len(predicates) == 1:
            only = predicates[0]
            return lambda paper: only(paper, flags)

        def every(paper: Paper) -> bool:
            return all(predicate(paper, flags) for predicate in predicates)

        return every

    def word_sets(self, index: SearchIndex) -> tuple[set[str] | None, set[str]]:
        """Ids matching every positive word (None: there is none), and ids to leave out."""
        positive = [needle for needle, negate in self.words if not negate]
        negative = [needle for needle, negate in self.words if negate]
        # Words already searched cost nothing, so they go first; each word after them is
        # looked for only among the papers every earlier word left (typing the third word
        # of a query searches hundreds of papers, not ten thousand).
        positive.sort(key=lambda needle: not index.knows(needle))
        allowed: set[str] | None = None
        for needle in positive:
            allowed = index.matching(needle, within=allowed)
        excluded: set[str] = set()
        for needle in negative:
            excluded |= index.matching(needle, within=allowed)
        return ((allowed - excluded) if allowed is not None else None), excluded


class SearchIndex:
    """Every loaded paper's search text, for finding a word in thousands of papers with
    one C-level `in` per paper (and fewer as a word grows: see `matching`)."""

    MEMO_SIZE = 256

    def __init__(self, papers: list[Paper]) -> None:
        self._ids = [p.id for p in papers]
        self._texts = [p.haystack for p in papers]
        self._text_of = dict(zip(self._ids, self._texts, strict=True))
        self._memo: dict[str, set[str]] = {}

    def knows(self, needle: str) -> bool:
        return needle in self._memo

    def matching(self, needle: str, within: set[str] | None = None) -> set[str]:
        """Ids of the papers whose search text contains `needle` (casefolded); only those
        in `within` when it is given."""
        found = self._memo.get(needle)
        if found is None and within is not None and self._few(within):
            # Few papers left to look at: check those, and keep no partial answer.
            return self._among(needle, within)
        if found is None:
            found = self._search(needle)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[needle] = found
        return found if within is None else found & within

    def _search(self, needle: str) -> set[str]:
        if not needle:
            return set(self._ids)
        # A text holding `needle` holds every piece of it, so the answer lies within the
        # answer for the word as it was a keystroke ago (or with its first letter off).
        known = [self._memo[part] for part in (needle[:-1], needle[1:]) if part in self._memo]
        if known:
            smallest = min(known, key=len)
            if self._few(smallest):
                return self._among(needle, smallest)
        return {i for i, text in zip(self._ids, self._texts, strict=True) if needle in text}

    def _few(self, ids: set[str]) -> bool:
        """Under half the papers: checking them one by one beats scanning them all."""
        return len(ids) * 2 < len(self._text_of)

    def _among(self, needle: str, ids: set[str]) -> set[str]:
        text_of = self._text_of
        return {i for i in ids if needle in text_of[i]}


def parse_query(text: str) -> Query:
    query = Query(text)
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:  # pragma: no cover - the regex always advances
            raise QueryError(f"cannot read the query at column {pos + 1}")
        pos = match.end()
        negate, name, raw, quoted = (
            match.group(1) == "-",
            match.group(2),
            match.group(3),
            match.group(4),
        )
        if raw is None:
            if name:
                raise QueryError(f"{name}: needs a value")
            if negate:
                raise QueryError("a lone '-' needs a word after it")
            continue
        is_phrase = raw.startswith('"')
        if is_phrase and (len(raw) < 2 or not raw.endswith('"')):
            raise QueryError('a quoted phrase is not closed with "')
        value = quoted if is_phrase else raw
        assert value is not None
        predicate = _term(name.lower() if name else None, value, is_phrase, query, negate)
        predicate = _negated(predicate) if negate else predicate
        query.predicates.append(predicate)
        if name is None:
            query.words.append((value.casefold(), negate))
        else:
            query.rest.append(predicate)
    return query


def _negated(predicate: Predicate) -> Predicate:
    return lambda paper, flags: not predicate(paper, flags)


def _term(name: str | None, value: str, phrase: bool, query: Query, negate: bool) -> Predicate:
    if name is None:
        needle = value.casefold()
        if not needle:
            return lambda paper, flags: True
        if not negate:
            query.highlights.append(value)
        return lambda paper, flags: needle in paper.haystack
    name = FIELD_ALIASES.get(name, name)
    name = NUMBER_ALIASES.get(name, name)
    if name in TEXT_FIELDS:
        getter = TEXT_FIELDS[name]
        needle = value.casefold()
        if not negate:
            query.highlights.append(value)
        return lambda paper, flags: needle in getter(paper).casefold()
    if name in NUMBER_FIELDS:
        return _number(name, value)
    if name == "day":
        return _day(value)
    if name == "is":
        return _is(value.lower())
    if name == "has":
        return _has(value.lower())
    known = ", ".join([*TEXT_FIELDS, *NUMBER_FIELDS, "day", "is", "has"])
    raise QueryError(f"unknown field {name}: (known: {known})")


def _number(name: str, value: str) -> Predicate:
    getter = NUMBER_FIELDS[name]
    if ".." in value:
        low_text, _, high_text = value.partition("..")
        try:
            low = int(low_text) if low_text else None
            high = int(high_text) if high_text else None
        except ValueError:
            raise QueryError(f"{name}: wants a range of whole numbers like 10..50") from None

        def in_range(paper: Paper, flags: PaperFlags) -> bool:
            got = getter(paper)
            if got is None:
                return False
            return (low is None or got >= low) and (high is None or got <= high)

        return in_range
    match = _COMPARE.match(value)
    assert match is not None
    op_text, number_text = match.group(1) or "=", match.group(2)
    try:
        number = int(number_text)
    except ValueError:
        raise QueryError(
            f"{name}: wants a number, optionally with >, >=, <, <= (got {value!r})"
        ) from None
    op = _OPS[op_text]

    def compare(paper: Paper, flags: PaperFlags) -> bool:
        got = getter(paper)
        return got is not None and op(got, number)

    return compare


def _day(value: str) -> Predicate:
    match = _COMPARE.match(value)
    assert match is not None
    op = _OPS[match.group(1) or "="]
    try:
        day = date.fromisoformat(match.group(2))
    except ValueError:
        raise QueryError(f"day: wants a date like 2024-08-01 (got {value!r})") from None
    return lambda paper, flags: op(paper.day, day)


def _is(value: str) -> Predicate:
    if value == "starred":
        return lambda paper, flags: flags.is_starred(paper.id)
    if value == "read":
        return lambda paper, flags: flags.is_read(paper.id)
    if value == "unread":
        return lambda paper, flags: not flags.is_read(paper.id)
    if value == "new":
        return lambda paper, flags: flags.is_new(paper)
    raise QueryError(f"is: takes {', '.join(IS_VALUES)} (got {value!r})")


def _has(value: str) -> Predicate:
    if value in ("code", "github"):
        return lambda paper, flags: paper.github is not None
    if value in ("project", "page"):
        return lambda paper, flags: paper.project_page is not None
    raise QueryError(f"has: takes {', '.join(HAS_VALUES)} (got {value!r})")


def highlight_pattern(query: Query) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every positive text term, longest first."""
    terms = sorted({t for t in query.highlights if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
