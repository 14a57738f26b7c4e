"""The filter's index over brief days is made from the texts the cache keeps beside each
day, without reading the days whole; a query that reads abstracts or keywords themselves
(`abstract:`, `kw:`, a word with a hyphen) has the days read whole, and every answer is
the one matching each paper whole gives."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from demo import seed_cache
from test_app import settled
from test_brief import DAYS, NOW, bodies, brief_reader, whole_papers  # noqa: F401 (a fixture)
from test_query import Flags, brief_days, week  # noqa: F401 (a fixture)

import paperterm.listing
import paperterm.query
from paperterm.config import load_config
from paperterm.library import Library
from paperterm.listing import Listing
from paperterm.model import Paper
from paperterm.query import INDEX_TEXT_VERSION, index_text, parse_query


def test_the_cache_keeps_each_days_index_texts_and_trusts_them_only_when_current(
    bodies: dict[date, bytes],  # noqa: F811
    tmp_path: Path,
) -> None:
    day = DAYS[0]
    cache = seed_cache(tmp_path, {day: bodies[day]}, NOW)
    entry = cache.load(day, "api")
    assert entry is not None and entry.papers
    ids = [p.id for p in entry.papers]
    expected = [index_text(p) for p in entry.papers]
    assert any(
        p.abstract and p.abstract.split()[0].casefold() in t
        for p, t in zip(entry.papers, expected, strict=True)
    )
    assert cache.load_index_texts(day, "api", ids) == expected

    # Of other papers, or of the same in another order: not these papers' texts.
    assert cache.load_index_texts(day, "api", ids[::-1]) is None
    assert cache.load_index_texts(day, "api", ids[:-1]) is None
    assert cache.load_index_texts(day, "page", ids) is None

    # A brief entry (a 304 on a day held brief) has no texts to give: none written.
    file = tmp_path / "days" / "api" / f"{day}.index.json"
    file.unlink()
    brief = cache.load(day, "api", brief=True)
    assert brief is not None and cache.store_index_texts(brief) is None
    assert not file.exists() and cache.load_index_texts(day, "api", ids) is None
    assert cache.store_index_texts(entry) == expected and file.exists()

    # Older than the entry (rewritten after it, e.g. a refresh): not read.
    later = file.stat().st_mtime_ns + 5_000_000_000
    os.utime(tmp_path / "days" / "api" / f"{day}.json", ns=(later, later))
    assert cache.load_index_texts(day, "api", ids) is None
    cache.store_index_texts(entry)
    os.utime(file, ns=(later, later))
    assert cache.load_index_texts(day, "api", ids) == expected

    # Made by another index_text, damaged, or of the wrong shape: not read.
    kept = json.loads(file.read_bytes())
    for bad in (
        {**kept, "version": INDEX_TEXT_VERSION + 1},
        {**kept, "texts": kept["texts"][:-1]},
        {**kept, "texts": [1] * len(ids)},
        [kept],
    ):
        file.write_text(json.dumps(bad))
        os.utime(file, ns=(later, later))
        assert cache.load_index_texts(day, "api", ids) is None
    file.write_text("{not json")
    os.utime(file, ns=(later, later))
    assert cache.load_index_texts(day, "api", ids) is None
    assert not cache.problems  # a derived file: nothing to tell the user


def test_an_older_caches_days_get_their_index_texts_once(
    bodies: dict[date, bytes],  # noqa: F811
    private_dirs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cache written before index texts were kept: the first ask reads the day whole and
    keeps its texts; the next reads only them."""
    day = DAYS[0]
    seed_cache(private_dirs["cache"], {day: bodies[day]}, NOW)
    file = private_dirs["cache"] / "days" / "api" / f"{day}.index.json"
    file.unlink()
    library = Library(load_config(), clock=lambda: NOW)
    listed = library.cached(day, brief=True)
    assert listed is not None
    papers = listed.papers
    expected = [index_text(p) for p in library.whole_papers(papers)]
    assert library.index_texts(day, papers) == expected
    assert file.exists()

    def no_whole_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("read the day whole")

    monkeypatch.setattr(library, "_cached_entry", no_whole_read)
    assert library.index_texts(day, papers) == expected
    monkeypatch.undo()
    assert library.index_texts(day, papers[1:]) is None  # not the papers the day holds


QUERIES_OF_ROWS = [
    "benchmark",
    "video diffusion",
    "diffusion -video",
    "bench OR robot",
    "upvotes:>20 model",
]
"""Plain words, phrases, NOT, OR and a number: answered from the index texts alone."""
QUERIES_OF_TEXTS = [
    "abstract:benchmark",
    "kw:diffusion",
    "gpt-4",
    "-abstract:model",
    "summary:robot OR title:video",
]
"""What reads the abstract or keywords themselves."""


def test_brief_days_are_searched_from_kept_texts_and_read_whole_only_when_a_query_needs_it(
    week: tuple[list[Paper], dict[str, object]],  # noqa: F811
) -> None:
    papers, _ = week
    whole, days = brief_days(papers)
    listed_days = [day for day, _ in days]
    read_whole: list[date] = []
    read_texts: list[date] = []

    def whole_of(listed: list[Paper]) -> list[Paper]:
        read_whole.extend({p.day for p in listed})
        return [whole[(p.day, p.id)] for p in listed]

    def texts_of(day: date, listed: tuple[Paper, ...]) -> list[str]:
        read_texts.append(day)
        return [index_text(whole[(day, p.id)]) for p in listed]

    def answer(listing: Listing, text: str) -> set[str]:
        rows, _, _ = listing.build(days, Flags(), query=parse_query(text))
        return {r.paper.id for r in rows if r.paper}

    def truth(text: str) -> set[str]:
        query = parse_query(text)
        return {p.id for p in papers if query.matches(p, Flags())}

    listing = Listing()
    listing.whole, listing.index_texts = whole_of, texts_of
    for text in QUERIES_OF_ROWS:
        assert not parse_query(text).needs_texts
        assert answer(listing, text) == truth(text), text
    assert truth("benchmark") != {
        p.id for p in papers if parse_query("benchmark").matches(p.briefly(), Flags())
    }
    assert not read_whole and sorted(read_texts) == sorted(listed_days)  # each day's texts once
    assert listing.has_index(days) and not listing.has_index(days, whole=True)

    for text in QUERIES_OF_TEXTS:
        assert parse_query(text).needs_texts
        assert truth(text), text  # each finds something, so an empty answer is wrong
        assert answer(listing, text) == truth(text), text
    assert sorted(read_whole) == sorted(listed_days)  # each day read whole once, for all of them
    assert sorted(read_texts) == sorted(listed_days)  # and the texts kept were used again
    assert listing.has_index(days, whole=True)
    assert answer(listing, "benchmark") == truth("benchmark")

    # A day whose kept texts are not of its papers is read whole instead.
    short = Listing()
    short.whole = whole_of
    short.index_texts = lambda day, listed: texts_of(day, listed)[1:]
    read_whole.clear()
    assert answer(short, "benchmark") == truth("benchmark")
    assert sorted(read_whole) == sorted(listed_days)


async def test_the_filter_over_brief_days_reads_them_whole_for_an_abstract_query(
    bodies: dict[date, bytes],  # noqa: F811
    private_dirs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In the reader: a plain word over the brief days is answered without reading them
    whole; `abstract:` then has them read in a worker, and finds what it should."""
    whole = whole_papers(bodies)
    async with brief_reader(private_dirs, bodies) as (app, pilot):
        reader = app.reader
        assert any(p.brief for p in reader.feed.papers())
        read_whole: list[Paper] = []
        given = reader.listing.whole
        assert given is not None

        def counted(listed: list[Paper]) -> list[Paper]:
            read_whole.extend(listed)
            return given(listed)

        reader.listing.whole = counted

        def shown() -> set[str]:
            return {p.id for p in reader.paper_list.papers}

        def truth(text: str) -> set[str]:
            query = parse_query(text)
            return {p.id for p in whole.values() if query.matches(p, Flags())}

        await pilot.press("slash", *"benchmark")
        await app.workers.wait_for_complete()
        await settled(app, pilot)
        assert shown() == truth("benchmark") and not [p for p in read_whole if p.brief]

        # The whole read runs in a worker: held here until the keys are seen live.
        built = threading.Event()

        class SlowIndex(paperterm.query.SearchIndex):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                built.wait(timeout=10)  # bounded: a UI thread that waited shows below
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(paperterm.listing, "SearchIndex", SlowIndex)
        await pilot.press("escape", "slash", *"abstract:benchmark")
        await pilot.pause()
        assert reader.filter_input.value == "abstract:benchmark"
        assert "indexing" in reader.status_bar.right.plain
        assert not built.is_set()
        built.set()
        await app.workers.wait_for_complete()
        await settled(app, pilot)
        assert shown() == truth("abstract:benchmark") != truth("benchmark")
        assert [p for p in read_whole if p.brief]
        assert "indexing" not in reader.status_bar.right.plain
