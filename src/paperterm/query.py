"""The filter bar's query language, parsed into a tree that matches papers.

    diffusion "video generation"     all words and phrases must match (title, authors, abstract)
    lora OR adapter                  either
    (lora OR adapter) -survey        parentheses group; - leaves out a term or a group
    -(survey OR benchmark)
    title:llama author:"Yann LeCun"  abstract: org: kw:  field prefixes
    is:starred is:unread is:read is:new
    has:code has:project
    upvotes:>=20 stars:>100 comments:>3 upvotes:10..50 upvotes:..5
    day:2024-08-01 day:>=2024-08-01 day:2026-08-01..2026-08-15

Words and phrases match at the start of a word, in any case: `RL` finds "RL" and "RLHF",
not "world" or "control"; `diffu` finds "diffusion". Everything here is pure: no Textual,
no IO.

Over 400 lines because the tokenizer, the parser, the tree and its index-backed matcher
are one language: each node kind is read, matched and highlighted in one place.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, repeat
from typing import Any, Protocol

from paperterm.model import Paper


class QueryError(ValueError):
    """A malformed query; the message says what is wrong, fit for the filter bar."""


class PaperFlags(Protocol):
    def is_read(self, paper_id: str) -> bool: ...
    def is_starred(self, paper_id: str) -> bool: ...
    def is_new(self, paper: Paper) -> bool: ...
    def is_changed(self, paper_id: str) -> bool: ...
    def note(self, paper_id: str) -> str: ...


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
BRIEF_LACKS = frozenset({"abstract", "kw"})
"""The text fields a brief paper (`Paper.brief`) has empty."""
IS_VALUES = ("starred", "unread", "read", "new", "changed")
HAS_VALUES = ("code", "project", "note")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
_COMPARE = re.compile(r"^(>=|<=|>|<|=)?(.+)$")
_FIELD = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def starts_word(needle: str, text: str) -> bool:
    """Whether `needle` occurs in `text` at the start of a word (both casefolded).

    A needle that does not begin with a letter or digit (`[cls]`, `-`) matches anywhere.
    """
    index = text.find(needle)
    if index <= 0 or not _is_word(needle[0]):
        return index != -1
    while index != -1:
        if not _is_word(text[index - 1]):
            return True
        index = text.find(needle, index + 1)
    return False


Mask = bytes
"""A set of an index's papers: a byte per paper in the index's order, 1 where it is in.
Made and combined in C (`compress`, big-int `&`), with no hash lookup per paper: at 100k
papers a set of ids cost a lookup per paper (a cache miss each, ~0.5 us on these machines)
where a mask costs a byte."""


def mask_and(a: Mask, b: Mask) -> Mask:
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(len(a), "little")


def mask_or(a: Mask, b: Mask) -> Mask:
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(len(a), "little")


def mask_minus(a: Mask, b: Mask) -> Mask:
    """In `a` and not in `b`."""
    x = int.from_bytes(a, "little")
    return (x ^ (x & int.from_bytes(b, "little"))).to_bytes(len(a), "little")


# ---------------------------------------------------------------- the tree


class Node:
    """A part of a query: matches one paper, or finds the matching papers among many (as
    a `Mask` over an index's papers)."""

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        raise NotImplementedError

    def mask(self, run: _Run, within: Mask | None) -> Mask:
        """The matching papers (only those in `within`, when given)."""
        flags = run.flags
        return run.index.select(lambda paper: self.matches(paper, flags), within)

    def cost(self, run: _Run) -> int:
        """Evaluated cheapest first in an AND, so later terms look at fewer papers."""
        return 3

    def needs_texts(self) -> bool:
        """Whether matching reads a paper's abstract or keywords themselves, not only its
        index text (`index_text`) and what a list row holds (`Paper.brief`)."""
        return False


@dataclass
class Words(Node):
    """A plain word or phrase: title, authors or abstract, at the start of a word."""

    needle: str

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return not self.needle or starts_word(self.needle, search_text(paper))

    def mask(self, run: _Run, within: Mask | None) -> Mask:
        return run.index.matching(self.needle, within=within)

    def cost(self, run: _Run) -> int:
        return 0 if run.index.knows(self.needle) else 1

    def needs_texts(self) -> bool:
        return not _probe(self.needle)[1]  # the paper's own text decides (`_verified`)


@dataclass
class FieldWords(Node):
    name: str
    needle: str

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return starts_word(self.needle, TEXT_FIELDS[self.name](paper).casefold())

    def cost(self, run: _Run) -> int:
        return 2

    def needs_texts(self) -> bool:
        return self.name in BRIEF_LACKS


@dataclass
class Test(Node):
    """Any other term: a number, a day, a state, has:."""

    predicate: Predicate

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return self.predicate(paper, flags)


@dataclass
class Not(Node):
    child: Node

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return not self.child.matches(paper, flags)

    def mask(self, run: _Run, within: Mask | None) -> Mask:
        base = run.index.every if within is None else within
        return mask_minus(base, self.child.mask(run, within))

    def cost(self, run: _Run) -> int:
        return 4  # after the positive terms: it takes away from what they left

    def needs_texts(self) -> bool:
        return self.child.needs_texts()


@dataclass
class And(Node):
    children: list[Node]

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return all(child.matches(paper, flags) for child in self.children)

    def mask(self, run: _Run, within: Mask | None) -> Mask:
        # Each term is looked for only among the papers the earlier ones left: typing the
        # third word of a query searches hundreds of papers, not ten thousand.
        found = within
        for child in sorted(self.children, key=lambda c: c.cost(run)):
            found = child.mask(run, found)
            if 1 not in found:
                return run.index.nothing
        return run.index.every if found is None else found

    def needs_texts(self) -> bool:
        return any(child.needs_texts() for child in self.children)


@dataclass
class Or(Node):
    children: list[Node]

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return any(child.matches(paper, flags) for child in self.children)

    def mask(self, run: _Run, within: Mask | None) -> Mask:
        found = run.index.nothing
        for child in self.children:
            found = mask_or(found, child.mask(run, within))
        return found

    def needs_texts(self) -> bool:
        return any(child.needs_texts() for child in self.children)


@dataclass
class _Run:
    """One evaluation: the index and the flags."""

    index: SearchIndex
    flags: PaperFlags


@dataclass
class Query:
    text: str
    root: Node | None = None
    highlights: list[str] = field(default_factory=list)
    """Terms to highlight where they match (text terms not under a `-`)."""

    @property
    def is_empty(self) -> bool:
        return self.root is None

    @property
    def needs_texts(self) -> bool:
        """Whether it needs an index of whole papers (`SearchIndex(papers)` of papers not
        brief), not one made from stored index texts alone."""
        return self.root is not None and self.root.needs_texts()

    def matches(self, paper: Paper, flags: PaperFlags) -> bool:
        return self.root is None or self.root.matches(paper, flags)

    def matching_mask(self, index: SearchIndex, flags: PaperFlags) -> Mask | None:
        """The indexed papers that match, in the index's order; None when the query
        matches everything."""
        if self.root is None:
            return None
        return self.root.mask(_Run(index, flags), None)

    def matching_ids(self, index: SearchIndex, flags: PaperFlags) -> set[str] | None:
        """Ids of the indexed papers that match; None when the query matches everything."""
        found = self.matching_mask(index, flags)
        return None if found is None else index.ids_of(found)

    def predicate(
        self, flags: PaperFlags, index: SearchIndex | None = None
    ) -> Callable[[Paper], bool]:
        """One function of a paper (through the index's sets when one is given)."""
        if index is None:
            return lambda paper: self.matches(paper, flags)
        ok = self.matching_ids(index, flags)
        if ok is None:
            return lambda paper: True
        return lambda paper: paper.id in ok


_NON_WORD = re.compile(r"\W")
_NON_WORD_ASCII = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")}
)


def word_text(text: str) -> str:
    """`text` casefolded, each character that is not part of a word (`_is_word`) made a
    space, with a space in front: a needle of word characters starts a word of `text`
    exactly when `" " + needle` is in it, one C-level `in` instead of `starts_word`'s
    loop. (`\\W` is the complement of `_is_word`: both are `isalnum()` or `_`.)"""
    folded = text.casefold()
    return " " + (
        folded.translate(_NON_WORD_ASCII) if folded.isascii() else _NON_WORD.sub(" ", folded)
    )


def search_text(paper: Paper) -> str:
    """Title, authors and abstract, casefolded: what plain filter words match against."""
    return "\n".join((paper.title, ", ".join(paper.authors), paper.abstract)).casefold()


INDEX_TEXT_VERSION = 1
"""Of `index_text`: the cache keeps index texts (`DayCache.load_index_texts`) under it,
and reads none made by another."""


def index_text(paper: Paper) -> str:
    """What the search index holds of a paper (whole, not brief): its `search_text` as a
    `word_text`."""
    return word_text(search_text(paper))


class SearchIndex:
    """Every loaded paper's search text as a `word_text`, for finding a word in a hundred
    thousand papers with one C-level `in` per paper, and, as the word grows, only among
    the papers its shorter self matched (see `matching`). Answers are `Mask`s in the order
    of the papers given. The papers may be brief (`Paper.brief`) when `texts` are given,
    made of them whole (`index_text`): such an index answers only a query that does not
    `needs_texts` (`Listing` keeps to that)."""

    MEMO_SIZE = 256
    WITHIN_MEMO_SIZE = 64

    def __init__(self, papers: list[Paper], texts: list[str] | None = None) -> None:
        self.papers = papers
        self._ids = [p.id for p in papers]
        self._texts = list(map(index_text, papers)) if texts is None else texts
        self.every: Mask = b"\x01" * len(papers)
        self.nothing: Mask = bytes(len(papers))
        self._memo: dict[str, Mask] = {}
        self._within_memo: dict[tuple[int, str], tuple[Mask, Mask]] = {}
        """(id of within, needle) -> (within, answer) for the last terms that were looked
        for among the papers earlier terms left, oldest first. Each letter typed of a
        query's second word is kept, so backspacing over it finds each again; `within` is
        held so its id is not reused while the entry lives."""
        self._positions_memo: list[tuple[Mask, list[int]]] = []
        """The positions of the last few masks looked among, newest first: each letter of
        a query's second word looks among the first word's papers again."""

    def reordered(self, order: Sequence[int]) -> SearchIndex:
        """The same papers in another order (`order[i]`: the paper now at i), without
        making their texts again (that is most of the index's cost). The memo is not
        carried: its masks are in this index's order."""
        papers, texts = self.papers, self._texts
        return SearchIndex(
            list(map(papers.__getitem__, order)), list(map(texts.__getitem__, order))
        )

    def ids_of(self, mask: Mask) -> set[str]:
        return set(map(self._ids.__getitem__, self._positions(mask)))

    def mask_of(self, ids: Iterable[str]) -> Mask:
        wanted = set(ids)
        return bytes(map(wanted.__contains__, self._ids))

    def _scatter(self, positions: Iterable[int]) -> Mask:
        """The mask with these positions in."""
        found = bytearray(len(self._ids))
        # A plain loop: the interpreter's specialised store beats a C-level
        # `map(found.__setitem__, ...)` (a method call per position) two to one here.
        for position in positions:
            found[position] = 1
        return bytes(found)

    def _positions(self, mask: Mask) -> list[int]:
        # Through positions, never `compress(self._texts, mask)`: walking a list of a
        # hundred thousand objects touches each (a cache miss apiece), matched or not.
        return list(compress(range(len(mask)), mask))

    def _positions_of(self, mask: Mask) -> list[int]:
        """`_positions`, kept for the same mask object (4 ms a time at 98.8k papers)."""
        for known, positions in self._positions_memo:
            if known is mask:
                return positions
        positions = self._positions(mask)
        self._positions_memo = [(mask, positions), *self._positions_memo[:3]]
        return positions

    def select(self, test: Callable[[Paper], bool], within: Mask | None = None) -> Mask:
        """The papers (only those in `within`, when given) that pass `test`."""
        if within is None:
            return bytes(map(test, self.papers))
        positions = self._positions(within)
        papers = map(self.papers.__getitem__, positions)
        return self._scatter(compress(positions, map(test, papers)))

    def knows(self, needle: str) -> bool:
        return needle in self._memo

    def matching(self, needle: str, within: Mask | None = None) -> Mask:
        """The papers whose search text has a word starting with `needle` (casefolded);
        only those in `within` when it is given."""
        found = self._memo.get(needle)
        if found is None and within is not None and self._few(within):
            # Few papers left to look at: check those. The answer is kept for the same
            # `within` (the earlier terms' memoized mask, held here so it stays that one):
            # the next letter of this word looks only among what this one found.
            among = within
            for end in range(len(needle), 0, -1):
                known = self._within_memo.get((id(within), needle[:end]))
                if known is not None and known[0] is within:
                    if end == len(needle):
                        return known[1]  # the same mask again: a later term's `within` holds
                    among = known[1]
                    break
            found_within = self._among(needle, among)
            if len(self._within_memo) >= self.WITHIN_MEMO_SIZE:
                del self._within_memo[next(iter(self._within_memo))]
            self._within_memo[(id(within), needle)] = (within, found_within)
            return found_within
        if found is None:
            found = self._search(needle)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[needle] = found
        return found if within is None else mask_and(found, within)

    def _search(self, needle: str) -> Mask:
        if not needle:
            return self.every
        # A word starting with `needle` starts with `needle` less its last letter too, so
        # the answer lies within the answer for the word as it was a keystroke ago: the
        # work of a keystroke is bounded by what the one before matched.
        known = self._memo.get(needle[:-1]) if len(needle) > 1 else None
        if known is not None and known.count(1) * 5 < len(self._ids) * 4:
            return self._among(needle, known)
        probe, exact = _probe(needle)
        # map keeps the loop in C: a comprehension cost twice as much at 100k.
        found = bytes(map(str.__contains__, self._texts, repeat(probe)))
        return found if exact else self._verified(needle, found)

    def _few(self, mask: Mask) -> bool:
        """Under half the papers: checking them one by one beats scanning them all."""
        return mask.count(1) * 2 < len(self._ids)

    def _among(self, needle: str, within: Mask) -> Mask:
        probe, exact = _probe(needle)
        positions = self._positions_of(within)
        texts = map(self._texts.__getitem__, positions)
        found = self._scatter(compress(positions, map(str.__contains__, texts, repeat(probe))))
        return found if exact else self._verified(needle, found)

    def _verified(self, needle: str, mask: Mask) -> Mask:
        """A needle with characters outside words (`gpt-4`, `[cls]`): the probe found the
        papers that could match; the paper's own text decides."""
        return self.select(lambda paper: starts_word(needle, search_text(paper)), mask)


def _probe(needle: str) -> tuple[str, bool]:
    """What to look for in a `word_text`, and whether finding it is the answer. A needle
    of word characters: itself, at a word start. Any other: its longest run of word
    characters, anywhere (a candidate, to be verified), or nothing to narrow by."""
    if not _NON_WORD.search(needle):
        return " " + needle, True
    runs = sorted(_NON_WORD.split(needle), key=len)
    return (runs[-1] if runs else ""), False


# ---------------------------------------------------------------- parsing

_Token = tuple[str, str]
"""(kind, text): kind is 'term' (a word, or field:value with the value's quotes taken
off), 'phrase', '(', ')', '-' or 'OR'."""


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos, end = 0, len(text)
    while pos < end:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "()":
            out.append((ch, ch))
            pos += 1
        elif ch == "-":
            if pos + 1 >= end or text[pos + 1].isspace():
                raise QueryError("a lone '-' needs a word after it")
            out.append(("-", "-"))
            pos += 1
        elif ch == '"':
            close = text.find('"', pos + 1)
            if close == -1:
                raise QueryError('a quoted phrase is not closed with "')
            out.append(("phrase", text[pos + 1 : close]))
            pos = close + 1
        else:
            start = pos
            while pos < end and not text[pos].isspace() and text[pos] not in '()"':
                pos += 1
            word = text[start:pos]
            field_match = _FIELD.match(word)
            if field_match and not field_match.group(2) and pos < end and text[pos] == '"':
                close = text.find('"', pos + 1)
                if close == -1:
                    raise QueryError('a quoted phrase is not closed with "')
                out.append(("term", f"{field_match.group(1)}:{text[pos + 1 : close]}"))
                pos = close + 1
            elif word == "OR":
                out.append(("OR", word))
            else:
                out.append(("term", word))
    return out


class _Parser:
    def __init__(self, tokens: list[_Token], query: Query) -> None:
        self.tokens = tokens
        self.pos = 0
        self.query = query

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr(negated=False)
        if self.pos < len(self.tokens):
            kind = self.peek()
            if kind == ")":
                raise QueryError("a ')' has no '(' before it")
            raise QueryError(f"cannot read the query at {self.tokens[self.pos][1]!r}")
        return node

    def or_expr(self, negated: bool) -> Node:
        parts = [self.and_expr(negated)]
        while self.peek() == "OR":
            self.pos += 1
            if self.peek() in (None, ")", "OR"):
                raise QueryError("OR needs a term on each side")
            parts.append(self.and_expr(negated))
        return parts[0] if len(parts) == 1 else Or(parts)

    def and_expr(self, negated: bool) -> Node:
        parts: list[Node] = []
        while self.peek() not in (None, ")", "OR"):
            parts.append(self.unary(negated))
        if not parts:
            raise QueryError("OR needs a term on each side")
        return parts[0] if len(parts) == 1 else And(parts)

    def unary(self, negated: bool) -> Node:
        if self.peek() == "-":
            self.pos += 1
            return Not(self.unary(not negated))
        return self.atom(negated)

    def atom(self, negated: bool) -> Node:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "(":
            if self.peek() == ")":
                raise QueryError("empty ( ): put terms inside")
            if self.peek() is None:
                raise QueryError("a '(' is not closed with ')'")
            node = self.or_expr(negated)
            if self.peek() != ")":
                raise QueryError("a '(' is not closed with ')'")
            self.pos += 1
            return node
        if kind == ")":
            raise QueryError("a ')' has no '(' before it")
        if kind == "phrase":
            if not negated and text.strip():
                self.query.highlights.append(text)
            return Words(text.casefold())
        return _term(text, self.query, negated)


def parse_query(text: str) -> Query:
    query = Query(text)
    query.root = _Parser(_tokens(text), query).parse()
    return query


def _term(text: str, query: Query, negated: bool) -> Node:
    match = _FIELD.match(text)
    if match is None:
        if not negated:
            query.highlights.append(text)
        return Words(text.casefold())
    name, value = match.group(1).lower(), match.group(2)
    if not value:
        raise QueryError(f"{name}: needs a value")
    name = FIELD_ALIASES.get(name, name)
    name = NUMBER_ALIASES.get(name, name)
    if name in TEXT_FIELDS:
        if not negated:
            query.highlights.append(value)
        return FieldWords(name, value.casefold())
    if name == "note":  # the user's own words, kept with the state, not the paper's
        needle = value.casefold()
        return Test(lambda paper, flags: starts_word(needle, flags.note(paper.id).casefold()))
    if name in NUMBER_FIELDS:
        return Test(_number(name, value))
    if name == "day":
        return Test(_day(value))
    if name == "is":
        return Test(_is(value.lower()))
    if name == "has":
        return Test(_has(value.lower()))
    known = ", ".join([*TEXT_FIELDS, "note", *NUMBER_FIELDS, "day", "is", "has"])
    raise QueryError(f"unknown field {name}: (known: {known})")


def _range(name: str, value: str, parse: Callable[[str], Any], wants: str) -> tuple[Any, Any]:
    low_text, _, high_text = value.partition("..")
    try:
        low = parse(low_text) if low_text else None
        high = parse(high_text) if high_text else None
    except ValueError:
        raise QueryError(f"{name}: wants a range {wants}") from None
    if low is not None and high is not None and low > high:
        raise QueryError(f"{name}: {value} is reversed (did you mean {high_text}..{low_text}?)")
    return low, high


def _number(name: str, value: str) -> Predicate:
    getter = NUMBER_FIELDS[name]
    if ".." in value:
        low, high = _range(name, value, int, "of whole numbers like 10..50")

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
    if ".." in value:
        low, high = _range("day", value, date.fromisoformat, "of dates like 2024-08-01..2024-08-15")

        def in_range(paper: Paper, flags: PaperFlags) -> bool:
            return (low is None or paper.day >= low) and (high is None or paper.day <= high)

        return in_range
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
    if value == "changed":
        return lambda paper, flags: flags.is_changed(paper.id)
    raise QueryError(f"is: takes {', '.join(IS_VALUES)} (got {value!r})")


def _has(value: str) -> Predicate:
    if value in ("code", "github"):
        return lambda paper, flags: paper.github is not None
    if value in ("project", "page"):
        return lambda paper, flags: paper.project_page is not None
    if value in ("note", "notes"):
        return lambda paper, flags: bool(flags.note(paper.id))
    raise QueryError(f"has: takes {', '.join(HAS_VALUES)} (got {value!r})")


def highlight_pattern(query: Query) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every highlighted term, at the start of a word as
    it matches, longest first."""
    terms = sorted({t for t in query.highlights if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    parts = [(r"(?<!\w)" if _is_word(t[0]) else "") + re.escape(t) for t in terms]
    return re.compile("|".join(parts), re.IGNORECASE)
