"""Older days are held without their papers' texts (the cache's brief form), and every
view that needs an abstract still gets it whole: the pane, the filter, the paper page and
the export."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from demo import corpus_bodies, seed_cache
from test_app import make_app, settled
from textual.pilot import Pilot

from paperterm.app import PapertermApp
from paperterm.cache import DayCache
from paperterm.model import Paper, decode_brief_rows
from paperterm.query import search_text
from paperterm.scrape import parse_api, parse_page
from paperterm.screens.paper import PaperScreen
from paperterm.startup import FIRST_PAINT_DAYS

END = date(2026, 8, 21)
DAYS = [d for d in (END - timedelta(days=i) for i in range(21)) if d.weekday() < 5]
"""Three weeks of real corpus days: more than the first frame's seven."""
NOW = datetime(2026, 8, 21, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def bodies() -> dict[date, bytes]:
    return corpus_bodies(DAYS)


def whole_papers(bodies: dict[date, bytes]) -> dict[tuple[date, str], Paper]:
    """Each day's papers as parsed, by day and id (a paper can be listed on two days)."""
    return {(d, p.id): p for d, b in bodies.items() for p in parse_api(b, d).papers}


@contextlib.asynccontextmanager
async def brief_reader(
    private_dirs: dict[str, Path], bodies: dict[date, bytes]
) -> AsyncIterator[tuple[PapertermApp, Pilot[None]]]:
    """The reader over these days cached an hour ago, offline, every day loaded (the
    older ones brief) and the screen settled."""
    seed_cache(private_dirs["cache"], bodies, NOW - timedelta(hours=1))
    app = make_app(private_dirs, end=END, days=len(DAYS), now=NOW, offline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.reader.refreshed.wait()
        await settled(app, pilot)
        yield app, pilot


def test_the_cache_keeps_a_brief_form_of_each_day_and_trusts_it_only_when_current(
    bodies: dict[date, bytes], tmp_path: Path
) -> None:
    day = DAYS[0]
    cache = seed_cache(tmp_path, {day: bodies[day]}, NOW)
    whole = cache.load(day, "api")
    brief = cache.load(day, "api", brief=True)
    assert whole is not None and brief is not None and whole.papers
    assert [p.id for p in brief.papers] == [p.id for p in whole.papers]
    assert all(p.brief and not p.abstract and not p.ai_summary for p in brief.papers)
    assert [p.briefly() for p in whole.papers] == list(brief.papers)
    assert brief.fetched_at == whole.fetched_at
    folder = tmp_path / "days" / "api"
    brief_file, entry = folder / f"{day}.rows.json", folder / f"{day}.json"
    assert brief_file.stat().st_size * 3 < entry.stat().st_size
    with pytest.raises(ValueError, match="without its texts"):
        brief.papers[0].to_json()  # never written out as if it had no abstract

    # A brief form older than the entry (a crash between the two writes) is not read:
    # the entry is, and the brief form written again from it.
    stale = json.loads(brief_file.read_bytes())
    stale["papers"] = stale["papers"][:1]
    brief_file.write_text(json.dumps(stale))
    later = entry.stat().st_mtime_ns + 5_000_000_000
    os.utime(entry, ns=(later, later))
    again = cache.load(day, "api", brief=True)
    assert again is not None and len(again.papers) == len(whole.papers)
    assert len(json.loads(brief_file.read_bytes())["papers"]) == len(whole.papers)

    # A 304 renews the age of both forms.
    renewed = NOW + timedelta(hours=5)
    cache.touch(whole, renewed)
    assert cache.load(day, "api", brief=True).fetched_at == renewed  # type: ignore[union-attr]
    assert cache.load(day, "api").fetched_at == renewed  # type: ignore[union-attr]

    # A damaged or missing brief form costs a read of the entry, nothing more.
    brief_file.write_text("{not json")
    assert len(cache.load(day, "api", brief=True).papers) == len(whole.papers)  # type: ignore[union-attr]
    brief_file.unlink()
    fresh = DayCache(tmp_path, {"page": parse_page, "api": parse_api})
    assert fresh.load(day, "api", brief=True).papers == brief.papers  # type: ignore[union-attr]
    assert brief_file.exists() and not fresh.problems


async def test_older_days_are_held_brief_and_every_view_gets_a_paper_whole(
    bodies: dict[date, bytes], private_dirs: dict[str, Path], tmp_path: Path
) -> None:
    whole = whole_papers(bodies)
    async with brief_reader(private_dirs, bodies) as (app, pilot):
        reader = app.reader
        listed = list(reader.feed.papers())
        assert len(listed) == len(whole)
        newest = sorted(DAYS, reverse=True)[:FIRST_PAINT_DAYS]
        assert all(not p.brief for p in listed if p.day in newest)  # the first frame's
        old = [p for p in listed if p.brief]
        assert old and {p.day for p in old} == set(DAYS) - set(newest)

        # The last day held whole: shown, the first brief day below it is read too.
        edge = min(p.day for p in listed if not p.brief)
        reader.paper_list.select_id(next(p for p in listed if p.day == edge).id)
        await settled(app, pilot)
        below = max(p.day for p in old)
        assert all((p.day, p.id) in reader._whole for p in old if p.day == below)

        # The pane: an old day's paper is shown with its abstract.
        paper = max(old, key=lambda p: p.upvotes)
        reader.paper_list.select_id(paper.id)
        await settled(app, pilot)
        await pilot.pause(0.2)  # and then nothing more is read: no worker left asking
        assert not [w for w in app.workers if w.group == "whole" and w.is_running]
        shown = whole[(paper.day, paper.id)]
        assert shown.abstract[:60] in " ".join(reader.abstract.plain.split())
        # ... and the days on either side were read with it: the cursor crossing into
        # them shows their abstracts at once, not "reading".
        old_days = sorted({p.day for p in old})
        at = old_days.index(paper.day)
        beside = [d for d in old_days[max(at - 1, 0) : at + 2] if d != paper.day]
        assert beside
        # Read already (what makes the crossing show no "reading", however fast the disk):
        assert all((p.day, p.id) in reader._whole for p in old if p.day in beside)
        for day in beside:
            neighbour = next(p for p in old if p.day == day)
            reader.paper_list.select_id(neighbour.id)
            await pilot.pause()
            assert "Reading the abstract" not in reader.abstract.plain
            expected = whole[(day, neighbour.id)].abstract[:60]
            assert expected in " ".join(reader.abstract.plain.split())
        reader.paper_list.select_id(paper.id)
        await settled(app, pilot)
        await pilot.pause(0.2)  # and then nothing more is read: no worker left asking
        assert not [w for w in app.workers if w.group == "whole" and w.is_running]

        # The filter: a word found only in that paper's abstract finds it.
        others = [search_text(p) for p in whole.values() if p.id != paper.id]
        titles = " ".join(f"{p.title} {', '.join(p.authors)}".casefold() for p in whole.values())
        word = next(
            w
            for w in sorted(set(shown.abstract.casefold().split()), key=len)[::-1]
            if w.isalpha() and w not in titles and not any(w in text for text in others)
        )
        await pilot.press("slash", *word, "enter")
        await settled(app, pilot)
        assert [p.id for p in reader.paper_list.papers] == [paper.id]

        # The export of what the filter shows, made from the paper whole.
        os.chdir(tmp_path)
        await pilot.press("E", "3")  # JSON
        await settled(app, pilot)
        [written] = tmp_path.glob("paperterm-*.json")
        [record] = json.loads(written.read_text())
        assert record["abstract"] == shown.abstract
        assert record["ai_keywords"] == list(shown.ai_keywords)

        # Its page, whole.
        await pilot.press("enter")
        await settled(app, pilot)
        assert isinstance(app.screen, PaperScreen)
        assert not app.screen.paper.brief
        assert shown.abstract[:60] in " ".join(app.screen.pane.plain.split())


def test_the_session_book_hands_out_a_paper_whole_when_it_has_seen_it_whole(
    bodies: dict[date, bytes],
) -> None:
    """The day list holds an old day brief; the Starred list or a search brings the same
    paper whole: each list, and the paper page, gets it whole, with the newest numbers."""
    from msgspec.structs import replace

    from paperterm.paperbook import PaperBook

    day = DAYS[-1]
    whole = parse_api(bodies[day], day).papers
    brief = tuple(p.briefly() for p in whole)
    fetched = NOW - timedelta(days=1)
    book = PaperBook()
    assert book.merge(brief, fetched) is brief
    assert book.newest(whole[0]) == whole[0]  # the whole copy asked about, as it is
    newer = replace(whole[0], upvotes=whole[0].upvotes + 5)
    book.merge((newer,), fetched + timedelta(hours=1))
    assert book.newest(brief[0]) == newer  # brief asked, the whole newest given
    later = replace(brief[1], upvotes=whole[1].upvotes + 9)
    book.merge((whole[1],), fetched)
    book.merge((later,), fetched + timedelta(hours=2))  # newer numbers, read brief
    got = book.newest(whole[1])
    assert not got.brief and got.upvotes == later.upvotes and got.abstract == whole[1].abstract


async def test_a_paper_listed_on_two_old_days_is_shown_whole_on_both(
    bodies: dict[date, bytes], private_dirs: dict[str, Path]
) -> None:
    """The site lists some papers on two days; both days brief, each listing of the
    paper shows its abstract (a whole copy is kept per day and id, not per id)."""
    oldest, other = sorted(DAYS)[0], sorted(DAYS)[2]
    items = json.loads(bodies[oldest])
    twice = {**bodies, other: json.dumps([*json.loads(bodies[other]), items[0]]).encode()}
    paper_id = parse_api(bodies[oldest], oldest).papers[0].id
    abstract = parse_api(bodies[oldest], oldest).papers[0].abstract
    async with brief_reader(private_dirs, twice) as (app, pilot):
        reader = app.reader
        plist = reader.paper_list
        rows = [i for i, r in enumerate(plist.rows) if r.paper and r.paper.id == paper_id]
        assert len(rows) == 2 and all(plist.rows[i].paper.brief for i in rows)  # type: ignore[union-attr]
        for row in rows:
            plist._move_to(row)  # the cursor to that row, as the keys would take it
            await settled(app, pilot)
            assert plist.paper is not None and plist.paper.day in (oldest, other)
            assert abstract[:60] in " ".join(reader.abstract.plain.split())


def test_every_real_paper_reads_back_from_its_brief_row_as_the_paper_briefly() -> None:
    # The whole corpus, messy items and all: the brief row is positional, so a field out
    # of place would show as another paper's value, not as an error.
    papers = [p for d, b in corpus_bodies(None).items() for p in parse_api(b, d).papers]
    assert len(papers) > 9000
    rows = msgspec.json.encode([p.brief_row() for p in papers])  # as the file holds them
    read = list(decode_brief_rows(rows))
    assert read == [p.briefly() for p in papers]
    assert {hash(p) for p in read} == {hash(p.briefly()) for p in papers}
    assert all(p.abstract == p.ai_summary == "" and p.ai_keywords == () for p in read)
    # Their times are the same instants, with the same offsets.
    assert [p.published.utcoffset() if p.published else None for p in read] == [
        p.published.utcoffset() if p.published else None for p in papers
    ]
    whole = [Paper.from_json(json.loads(json.dumps(p.to_json()))) for p in papers]
    assert whole == papers
    # Made in C by msgspec, they are as frozen as any Paper.
    with pytest.raises(AttributeError):
        read[0].title = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        whole[0].upvotes = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    "rows",
    [
        b"{}",
        b"[[1]]",
        # a row of the layout before this one: organization as null, no `brief`
        b'[["2401.00001","T","2024-01-01",[],0,0,0,null,null,null,null,null,null,null,false]]',
        # a whole paper's row, not marked brief
        b'[["2401.00001","T","2024-01-01",[],0,0,0,null,null,null,null,"","","",false,false]]',
        b'[["2401.00001","T","2024-13-01",[],0,0,0,null,null,null,null,"","","",false,true]]',
    ],
)
def test_rows_of_another_layout_or_broken_are_refused(rows: bytes) -> None:
    with pytest.raises(ValueError):
        decode_brief_rows(rows)


def test_an_earlier_builds_brief_file_is_neither_read_nor_left_behind(
    bodies: dict[date, bytes], tmp_path: Path
) -> None:
    # Earlier builds held a brief paper as an object, in `<day>.brief.json`. After an
    # upgrade the list shows the same papers, read from the entry, and the old file goes.
    day = DAYS[1]
    cache = seed_cache(tmp_path, {day: bodies[day]}, NOW)
    brief = cache.load(day, "api", brief=True)
    assert brief is not None
    folder = tmp_path / "days" / "api"
    rows_file, old_file = folder / f"{day}.rows.json", folder / f"{day}.brief.json"
    meta = json.loads(rows_file.read_bytes())
    fields = meta.pop("fields")
    meta["papers"] = [dict(zip(fields, row, strict=True)) for row in meta["papers"][:2]]
    old_file.write_text(json.dumps(meta))
    rows_file.unlink()
    again = DayCache(tmp_path, {"page": parse_page, "api": parse_api})
    assert again.load(day, "api", brief=True).papers == brief.papers  # type: ignore[union-attr]
    assert json.loads(rows_file.read_bytes())["fields"] == fields and not old_file.exists()
    # A rows file of another layout (fields added or moved) is made again, not misread.
    meta = json.loads(rows_file.read_bytes())
    meta["fields"] = [*fields[1:], fields[0]]
    rows_file.write_text(json.dumps(meta))
    assert again.load(day, "api", brief=True).papers == brief.papers  # type: ignore[union-attr]
    assert json.loads(rows_file.read_bytes())["fields"] == fields


async def test_no_idle_full_collection_runs_while_years_of_days_load(
    bodies: dict[date, bytes], private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The older days load in a worker after the first frame; a full collection on the UI
    thread meanwhile walks the papers still loading and holds back their count (`settle`
    makes one once they are in). A slow disk here makes the load outlast the idle
    collector's ticks."""
    from paperterm import gcpolicy
    from paperterm.library import Library

    seed_cache(private_dirs["cache"], bodies, NOW - timedelta(hours=1))
    cached = Library.cached

    def slow_disk(self: Library, day: date, *, brief: bool = False) -> object:
        if brief:
            time.sleep(0.2)
        return cached(self, day, brief=brief)

    monkeypatch.setattr(Library, "cached", slow_disk)
    monkeypatch.setattr(gcpolicy, "IDLE_COLLECT_AFTER", 0.0)
    app = make_app(private_dirs, end=END, days=len(DAYS), now=NOW, offline=True)
    while_loading: list[int] = []
    after: list[int] = []
    async with app.run_test(size=(140, 40)) as pilot:
        monkeypatch.setattr("gc.get_count", lambda: (0, 0, 1))
        real_collect = gc.collect

        def collect(*args: int) -> int:
            (after if app.reader.refreshed.is_set() else while_loading).append(1)
            return real_collect(*args)

        monkeypatch.setattr("gc.collect", collect)
        await app.reader.refreshed.wait()
        await settled(app, pilot)
        assert len(list(app.reader.feed.papers())) == len(whole_papers(bodies))
        assert while_loading == []
        # ... and once they are in, a pause collects as before: the hold is let go.
        after.clear()
        gcpolicy.IDLE.collect_if_idle()
        assert after == [1]
