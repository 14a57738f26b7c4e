"""Raw bodies per source and feed day, with what is needed to revalidate and re-parse them.

Layout under the cache dir: `days/<source>/<YYYY-MM-DD>.body` (the bytes as served),
`days/<source>/<YYYY-MM-DD>.json` (fetched-at, validators, parser version, and the papers as
parsed, so that a start-up does not re-run the HTML parser over every cached day) and
`days/<source>/<YYYY-MM-DD>.rows.json` (the same, each paper without its abstract, AI
summary and keywords, as a row of values: what a list row needs, a sixth of the bytes;
see `load(brief=True)`) and `days/<source>/<YYYY-MM-DD>.index.json` (each paper's text as
the filter's index holds it, so a first filter over years of brief days does not read
them whole; see `load_index_texts`). Earlier builds wrote the brief form as objects, to
`<YYYY-MM-DD>.brief.json`: a name of its own keeps either build from reading the other's
(an earlier one met rows where it expected objects and crashed), and this one removes the
old file when it writes its own.
When `PARSER_VERSION` changes, the body is parsed again by the new parser.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeGuard

import msgspec
import msgspec.structs

from paperterm import jsonio
from paperterm.fsutil import atomic_write
from paperterm.model import BRIEF_FIELDS, JSON_KEYS, Paper, Source, decode_brief_rows
from paperterm.query import INDEX_TEXT_VERSION, index_text
from paperterm.scrape import PARSER_VERSION, ScrapedDay, ScrapeError

SOURCES: tuple[Source, ...] = ("page", "api")

TODAY_TTL = timedelta(minutes=15)
RECENT_TTL = timedelta(hours=3)
UNSETTLED_TTL = timedelta(hours=12)
SETTLE_AFTER = timedelta(days=3)
_BRIEF_FIELDS = list(BRIEF_FIELDS)
"""As a brief file names them (JSON has no tuples)."""


class _BriefFile(msgspec.Struct):
    """A brief file as read: its rows kept as bytes until its layout is known to be this
    release's (`decode_brief_rows`); any other key is left unread."""

    parser_version: object = None
    fields: object = None
    papers: msgspec.Raw = msgspec.Raw(b"[]")
    fetched_at: Any = None
    empty: Any = False
    etag: Any = None
    last_modified: Any = None
    note: Any = ""


def utc_today(now: datetime) -> date:
    return now.astimezone(UTC).date()


def is_fresh(day: date, fetched_at: datetime, now: datetime) -> bool:
    """Whether a cached day needs no revalidation, by the freshness policy.

    Today's list keeps growing and its votes keep moving: a short TTL. The two days before it
    still change: hours. An older day is settled once it was fetched three days after it;
    fetched earlier than that (say, a day fetched while it was today), it is refreshed once.
    """
    today = utc_today(now)
    age = now - fetched_at
    if day >= today:
        return age < TODAY_TTL
    if (today - day).days <= 2:
        return age < RECENT_TTL
    fetched_day = utc_today(fetched_at)
    if fetched_day - day >= SETTLE_AFTER:
        return True
    return age < UNSETTLED_TTL


@dataclass(frozen=True)
class CachedDay:
    day: date
    source: Source
    papers: tuple[Paper, ...]
    fetched_at: datetime
    empty: bool
    """A recognised empty day (weekend, holiday), not a failure."""
    etag: str | None = None
    last_modified: str | None = None
    note: str = ""
    records: tuple[dict[str, Any], ...] = ()
    """Read with `records`: the papers as the cache holds them, `Paper.to_json` records
    (`papers` is then empty). Never stored back: what writes an entry needs its papers."""


class DayCache:
    def __init__(self, root: Path, parsers: dict[str, Callable[[bytes, date], ScrapedDay]]):
        self.root = root / "days"
        self.parsers = parsers
        self.problems: list[str] = []
        """Entries that could not be read, said once so the caller can tell the user."""

    def _paths(self, source: Source, day: date) -> tuple[Path, Path]:
        folder = self.root / source
        stem = day.isoformat()
        return folder / f"{stem}.body", folder / f"{stem}.json"

    def _brief_path(self, source: Source, day: date) -> Path:
        return self.root / source / f"{day.isoformat()}.rows.json"

    def _index_path(self, source: Source, day: date) -> Path:
        return self.root / source / f"{day.isoformat()}.index.json"

    def load_index_texts(self, day: date, source: Source, ids: Sequence[str]) -> list[str] | None:
        """The index texts (`query.index_text`) of the day's papers, in the order of
        `ids`, when the file of them is as new as the day's entry (it is written after
        it), made by this `index_text` and of exactly these papers; else None (the
        caller reads the day whole, and `store_index_texts` it for next time)."""
        path = self._index_path(source, day)
        _, meta_path = self._paths(source, day)
        try:
            if path.stat().st_mtime_ns < meta_path.stat().st_mtime_ns:
                return None  # the entry was written after it
            found = jsonio.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if (
            not isinstance(found, dict)
            or found.get("version") != INDEX_TEXT_VERSION
            or found.get("ids") != list(ids)
        ):
            return None
        texts = found.get("texts")
        if not isinstance(texts, list) or len(texts) != len(ids):
            return None
        if not all(type(text) is str for text in texts):
            return None
        return texts

    def store_index_texts(self, entry: CachedDay) -> list[str] | None:
        """The entry's index texts, made from its whole papers and written after it, never
        durable: they can always be made again from it. An entry of brief papers has no
        texts to give: None, and none is written."""
        if any(paper.brief for paper in entry.papers):
            return None
        texts = list(map(index_text, entry.papers))
        found = {"version": INDEX_TEXT_VERSION, "ids": [p.id for p in entry.papers], "texts": texts}
        with contextlib.suppress(OSError):
            atomic_write(self._index_path(entry.source, entry.day), _dumps(found), durable=False)
        return texts

    def load(
        self, day: date, source: Source, *, brief: bool = False, records: bool = False
    ) -> CachedDay | None:
        """The cached day; with `brief`, its papers without their texts (`Paper.brief`),
        read from the brief file when it is as new as the day's entry (it is written after
        it), else from the entry, the brief file then written for next time. With
        `records`, its papers as `to_json` records (`CachedDay.records`) where the entry
        holds them so, as Papers where it must be reparsed."""
        if records:
            return self._load(day, source, records=True)
        if brief:
            found = self._load_brief(day, source)
            if found is not None:
                return found
        entry = self._load(day, source)
        if entry is None or not brief:
            return entry
        entry = replace(entry, papers=tuple(p.briefly() for p in entry.papers))
        self._store_brief(entry)
        return entry

    def _load_brief(self, day: date, source: Source) -> CachedDay | None:
        brief_path = self._brief_path(source, day)
        _, meta_path = self._paths(source, day)
        try:
            if brief_path.stat().st_mtime_ns < meta_path.stat().st_mtime_ns:
                return None  # the entry was written after it: a crash came between
            found = msgspec.json.decode(brief_path.read_bytes(), type=_BriefFile)
            if found.parser_version != PARSER_VERSION or found.fields != _BRIEF_FIELDS:
                return None  # of another release: made again from the entry
            papers = decode_brief_rows(found.papers)
            return self._entry(day, source, msgspec.structs.asdict(found), papers)
        except (OSError, ValueError, KeyError, TypeError, msgspec.MsgspecError):
            return None  # the entry decides (and is set aside if it is the one broken)

    def _store_brief(self, entry: CachedDay) -> None:
        """Written after the entry, never durable: it can always be made again from it."""
        meta = {
            **self._meta_of(entry),
            "fields": _BRIEF_FIELDS,
            "papers": [p.brief_row() for p in entry.papers],
        }
        path = self._brief_path(entry.source, entry.day)
        with contextlib.suppress(OSError):
            # msgspec writes dates and times as it reads them back (RFC 3339).
            atomic_write(path, msgspec.json.encode(meta), durable=False)
        with contextlib.suppress(OSError):
            path.with_name(f"{entry.day.isoformat()}.brief.json").unlink()  # an older release's

    @staticmethod
    def _meta_of(entry: CachedDay) -> dict[str, Any]:
        return {
            "day": entry.day.isoformat(),
            "source": entry.source,
            "fetched_at": entry.fetched_at.isoformat(),
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "parser_version": PARSER_VERSION,
            "empty": entry.empty,
            "note": entry.note,
        }

    @staticmethod
    def _entry(
        day: date,
        source: Source,
        meta: dict[str, Any],
        papers: tuple[Paper, ...],
        records: tuple[dict[str, Any], ...] = (),
    ) -> CachedDay:
        return CachedDay(
            day=day,
            source=source,
            papers=papers,
            records=records,
            fetched_at=datetime.fromisoformat(meta["fetched_at"]),
            empty=bool(meta.get("empty")) and not papers and not records,
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
            note=str(meta.get("note") or ""),
        )

    def _load(self, day: date, source: Source, *, records: bool = False) -> CachedDay | None:
        body_path, meta_path = self._paths(source, day)
        try:
            meta = jsonio.loads(meta_path.read_bytes())
            if not isinstance(meta, dict):
                raise ValueError("not an object")
            current = meta.get("parser_version") == PARSER_VERSION
            if current and records and _are_records(found := meta.get("papers"), day):
                return self._entry(day, source, meta, (), tuple(found))
            if current and isinstance(meta.get("papers"), list):
                papers = tuple(Paper.from_json(p) for p in meta["papers"])
            else:
                papers = self._reparse(day, source, body_path, meta)
            return self._entry(day, source, meta, papers)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, ScrapeError) as error:
            self.problems.append(f"cache entry {source}/{day} unreadable ({error}); refetching")
            self._set_aside(body_path, meta_path, self._brief_path(source, day))
            return None

    def _reparse(
        self, day: date, source: Source, body_path: Path, meta: dict[str, Any]
    ) -> tuple[Paper, ...]:
        """Parse the stored body with this parser version and record the result."""
        body = body_path.read_bytes()
        if len(body) != meta.get("body_size"):
            raise ValueError("stored body is truncated")
        if meta.get("empty") and not body:
            papers: tuple[Paper, ...] = ()
        else:
            papers = self.parsers[source](body, day).papers
        meta = {**meta, "parser_version": PARSER_VERSION, "papers": [p.to_json() for p in papers]}
        with contextlib.suppress(OSError):
            atomic_write(self._paths(source, day)[1], _dumps(meta), durable=False)
        return papers

    def store(
        self,
        day: date,
        source: Source,
        body: bytes,
        papers: tuple[Paper, ...],
        *,
        fetched_at: datetime,
        empty: bool,
        etag: str | None = None,
        last_modified: str | None = None,
        note: str = "",
    ) -> CachedDay:
        body_path, meta_path = self._paths(source, day)
        entry = CachedDay(day, source, papers, fetched_at, empty, etag, last_modified, note)
        meta = {
            **self._meta_of(entry),
            "body_size": len(body),
            "papers": [p.to_json() for p in papers],
        }
        # Body first, then the metadata that vouches for it: a crash between the two leaves
        # a size mismatch that `load` detects, never a meta pointing at a wrong body. The
        # brief form last: one older than the entry is not read.
        atomic_write(body_path, body, durable=False)
        atomic_write(meta_path, _dumps(meta), durable=False)
        self._store_brief(entry)
        self.store_index_texts(entry)
        return entry

    def touch(self, entry: CachedDay, fetched_at: datetime) -> CachedDay:
        """A 304: the body is still good; only its age is renewed."""
        _, meta_path = self._paths(entry.source, entry.day)
        try:
            meta = jsonio.loads(meta_path.read_bytes())
            meta["fetched_at"] = fetched_at.isoformat()
            atomic_write(meta_path, _dumps(meta), durable=False)
        except (OSError, ValueError):
            return replace(entry, fetched_at=fetched_at)
        touched = replace(entry, fetched_at=fetched_at)
        self._store_brief(touched)  # after the entry, as `store` writes it
        self.store_index_texts(touched)  # none from a brief entry: made when next needed
        return touched

    def days(self) -> list[date]:
        """Every day with a cached entry, any source, newest first."""
        found: set[date] = set()
        for source in SOURCES:
            folder = self.root / source
            if not folder.is_dir():
                continue
            for name in os.listdir(folder):
                if name.endswith(".json"):
                    with contextlib.suppress(ValueError):
                        found.add(date.fromisoformat(name[:-5]))
        return sorted(found, reverse=True)

    def _set_aside(self, *paths: Path) -> None:
        for path in paths:
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + ".bad"))


def _are_records(found: object, day: date) -> TypeGuard[list[dict[str, Any]]]:
    """Whether an entry's papers are `to_json` records of this day, in the types the
    output sorts and marks them by (a record of another shape is read as a Paper)."""
    if not isinstance(found, list):
        return False
    stem = day.isoformat()
    for record in found:
        if not (type(record) is dict and record.keys() == JSON_KEYS and record["day"] == stem):
            return False
        if not (type(record["id"]) is str and type(record["title"]) is str):
            return False
        if type(record["upvotes"]) is not int:
            return False
    return True


def _dumps(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
