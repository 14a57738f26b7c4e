"""Reading and writing JSON: orjson where it can, the standard library where it cannot.

orjson parses the site's JSON (a day page's data-props, an API answer, the cache's parsed
papers) three to five times faster than `json`, which is most of a day page's extraction
and of start-up's cache reads. It is stricter (UTF-8 only, no lone surrogates, no NaN, ints
within 64 bits, nesting within 1,024), so whatever it refuses goes to `json`, which then
decides exactly as it always did: the result never depends on which one read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

import orjson


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ValueError (or RecursionError) as `json.loads` does."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def loads_lenient(body: bytes) -> Any:
    """Parse a body whose bytes may not all be UTF-8, as `json.loads` of the body decoded
    with replacement characters would."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body.decode("utf-8", errors="replace"))


def dumps_pretty(value: Any) -> str:
    """Indented JSON (two spaces), non-ASCII kept; what orjson refuses goes to `json`."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False, indent=2)


def dumps_pretty_bytes(value: Any) -> bytes:
    """`dumps_pretty` as UTF-8, without a round trip through `str`; a lone surrogate
    (which only `json` lets through) becomes U+FFFD."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8", "replace")


def write_pretty(value: Any, out: IO[str]) -> None:
    """`value` as indented JSON on `out`; a list is written an element at a time (see
    `write_pretty_items`)."""
    if not isinstance(value, list):
        out.write(dumps_pretty(value) + "\n")
        return
    write_pretty_items(value, out)


def write_pretty_items(items: Iterable[Any], out: IO[str]) -> None:
    """An indented JSON array of `items`, each made and written as the one before is out:
    a long list starts arriving at once and is never held whole, as text or as records
    (`list --json` of every corpus day spent 1.2 s of its 1.8 s in an indented
    `json.dump`; at 98.8k papers, building every record before writing the first cost
    another 1.5 s, most of it fresh memory)."""
    for chunk in pretty_items(items):
        out.write(chunk)


def pretty_items(items: Iterable[Any]) -> Iterator[str]:
    """The text of an indented JSON array of `items` (what `dumps_pretty` of the list
    gives), a piece per item, each item taken from `items` only when the one before is
    out."""
    for chunk in pretty_batches([item] for item in items):
        yield chunk.decode()


def pretty_batches(batches: Iterable[list[Any]]) -> Iterator[bytes]:
    """The UTF-8 of an indented JSON array of every item of `batches`, in order, a piece
    per batch: one dump of a day's records costs a quarter of one per record, and bytes
    go out as orjson makes them (`list --json` of 98.8k papers is 265 MB)."""
    array = PrettyArray()
    yield array.start()
    for batch in batches:
        yield array.piece(batch)
    yield array.end()


class PrettyArray:
    """The pieces of an indented JSON array made a batch of items at a time, for a writer
    that gets its batches one by one (`pretty_batches`, `list --json` as days arrive)."""

    def __init__(self) -> None:
        self._first = True

    def start(self) -> bytes:
        return b"["

    def piece(self, batch: list[Any]) -> bytes:
        if not batch:
            return b""
        text = dumps_pretty_bytes(batch)  # "[\n  ...\n]": the items, indented as they will be
        piece = (b"\n" if self._first else b",\n") + text[2:-2]
        self._first = False
        return piece

    def end(self) -> bytes:
        return b"]\n" if self._first else b"\n]\n"
