"""`list --json` copies a cached day's records as the cache holds them (no Paper made of
each and written back), and what it prints is what the Papers would have printed."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import DAY_2024
from demo import corpus_bodies, seed_cache
from hfserver import FakeHF
from test_brief import DAYS as BRIEF_DAYS
from test_brief import END, NOW
from test_library import LATER, warm

from paperterm import gcpolicy, paths
from paperterm.cache import DayCache
from paperterm.cli import main
from paperterm.jsonio import pretty_batches, pretty_items
from paperterm.model import Paper
from paperterm.scrape import parse_api, parse_page
from paperterm.state import StateStore

DAYS = BRIEF_DAYS[:8]
"""The newest eight of test_brief's weekdays: a week and a half of real corpus days."""


@pytest.fixture(scope="module")
def bodies() -> dict[date, bytes]:
    return corpus_bodies(DAYS)


def expected_json(bodies: dict[date, bytes], store: StateStore) -> str:
    """What `list --json` printed when it made a Paper of every record and wrote it out."""
    records = []
    for day in sorted(bodies, reverse=True):
        papers = parse_api(bodies[day], day).papers
        for paper in sorted(papers, key=lambda p: (-p.upvotes, p.title.casefold())):
            read, starred = store.is_read(paper.id), store.is_starred(paper.id)
            records.append({**paper.to_json(), "read": read, "starred": starred})
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def list_json(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    argv = ["list", "--json", "--offline", "--date", str(END), "--days", str(len(DAYS))]
    assert main([*argv, *extra]) == 0
    return capsys.readouterr().out


def test_list_json_prints_the_cached_records_as_the_papers_would_print_them(
    bodies: dict[date, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    cache = seed_cache(paths.cache_dir(), bodies, NOW)
    starred = parse_api(bodies[DAYS[2]], DAYS[2]).papers[3].id
    read = parse_api(bodies[DAYS[0]], DAYS[0]).papers[0].id
    assert main(["star", starred]) == 0 and main(["read", read]) == 0
    # The cache hands a current entry out as records, not Papers.
    entry = cache.load(DAYS[0], "api", records=True)
    assert entry is not None and entry.papers == () and len(entry.records) > 10
    assert entry.records[0]["id"] == parse_api(bodies[DAYS[0]], DAYS[0]).papers[0].id

    made = []
    from_json = Paper.from_json

    def counted(data: dict[str, object], *, brief: bool = False) -> Paper:
        made.append(data)
        return from_json(data, brief=brief)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Paper, "from_json", counted)
        out = list_json(capsys)
    assert made == []  # copied, not made into Papers and back
    assert out == expected_json(bodies, StateStore(paths.state_file()).load())
    printed = {p["id"]: p for p in json.loads(out)}
    assert printed[starred]["starred"] and not printed[starred]["read"]
    assert printed[read]["read"] and not printed[read]["starred"]
    # Copying does not change what the cache holds: the next read sees the same papers.
    again = DayCache(paths.cache_dir(), {"page": parse_page, "api": parse_api})
    whole = again.load(DAYS[0], "api")
    assert whole is not None
    assert list(whole.papers) == list(parse_api(bodies[DAYS[0]], DAYS[0]).papers)


def test_a_record_of_another_shape_is_read_as_a_paper_and_printed_whole(
    bodies: dict[date, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    seed_cache(paths.cache_dir(), bodies, NOW)
    # An entry written before a field was added (the same parser version): its records
    # lack the key, so they go through Paper, which gives every key.
    entry_path = paths.cache_dir() / "days" / "api" / f"{DAYS[1]}.json"
    meta = json.loads(entry_path.read_bytes())
    for record in meta["papers"]:
        del record["org_handle"]
    entry_path.write_text(json.dumps(meta))
    cache = DayCache(paths.cache_dir(), {"page": parse_page, "api": parse_api})
    older = cache.load(DAYS[1], "api", records=True)
    assert older is not None and older.records == () and older.papers
    # On another day, votes written as text ("12"): not sorted as text, but as the Paper
    # reads them.
    voted_path = entry_path.with_name(f"{DAYS[2]}.json")
    voted = json.loads(voted_path.read_bytes())
    voted["papers"][0]["upvotes"] = "12"
    voted_path.write_text(json.dumps(voted))

    printed = json.loads(list_json(capsys))
    day = [p for p in printed if p["day"] == str(DAYS[1])]
    assert len(day) == len(meta["papers"]) and all("org_handle" in p for p in day)
    other = [p["upvotes"] for p in printed if p["day"] == str(DAYS[2])]
    assert other == sorted(other, reverse=True) and 12 in other
    assert {p["id"] for p in printed} == {
        p.id for d, b in bodies.items() for p in parse_api(b, d).papers
    }


async def test_a_stale_day_read_as_records_is_revalidated_as_papers(fake_hf: FakeHF) -> None:
    """A 304 renews the entry and writes its brief form again from it: from records, that
    would be a brief form with no papers."""
    library = await warm(fake_hf, datetime(2024, 8, 1, 9, 0, tzinfo=UTC))
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024, records=True)
    assert result.status == "ok" and len(result.papers) == 13 and result.fetched_at == LATER
    assert fake_hf.hits["/papers/date/2024-08-01"] == 2  # revalidated, answered 304
    brief = library.cache.load(DAY_2024, "page", brief=True)
    assert brief is not None and len(brief.papers) == 13 and brief.fetched_at == LATER
    offline = await library.load_day(DAY_2024, offline=True, records=True)
    assert len(offline.records) == 13 and offline.has_papers and offline.papers == ()
    await library.aclose()


def test_json_in_batches_is_the_indented_array_of_their_items() -> None:
    paper = Paper("2408.00001", "A title \u00e9\n", date(2024, 8, 1), authors=("A", "B"))
    batches: list[list[Any]] = [
        [paper.to_json(), {"nested": [[], {}], "n": None}],
        [],
        ["x"],
        [1.5, True],
    ]
    items = [item for batch in batches for item in batch]
    expected = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    assert b"".join(pretty_batches(batches)).decode() == expected
    assert "".join(pretty_items(items)) == expected
    assert b"".join(pretty_batches([[], []])) == b"[]\n"


def test_the_collector_is_paused_only_within() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gcpolicy.paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_a_list_of_lines_from_the_brief_form_prints_every_paper(
    bodies: dict[date, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    seed_cache(paths.cache_dir(), bodies, NOW)
    capsys.readouterr()
    assert main(["list", "--offline", "--date", str(END), "--days", str(len(DAYS))]) == 0
    out = capsys.readouterr().out
    for day in DAYS:
        papers = parse_api(bodies[day], day).papers
        assert f"{day:%a %Y-%m-%d} · {len(papers)} papers" in out
        assert all(p.id in out for p in papers)


def test_list_json_holds_a_window_of_days_not_all_of_them(
    bodies: dict[date, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    """Years of days are written as they come, a window of days loaded ahead of what is
    written (the memory of `list --json` is a window's, not the history's), and the array
    is the one the whole range makes."""
    from paperterm import cli
    from paperterm.cli_feeds import DaysJson
    from paperterm.library import Library

    seed_cache(paths.cache_dir(), bodies, NOW)
    loads: list[list[date]] = []
    written: list[date] = []
    events: list[str] = []
    load_days, write = Library.load_days, DaysJson.write

    async def counted_load(self: Library, days: Any, **kw: Any) -> Any:
        loads.append(list(days))
        events.append("load")
        return await load_days(self, loads[-1], **kw)

    def counted_write(self: DaysJson, result: Any) -> None:
        written.append(result.day)
        events.append("write")
        write(self, result)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "LIST_WINDOW", 3)
        patch.setattr(Library, "load_days", counted_load)
        patch.setattr(DaysJson, "write", counted_write)
        out = list_json(capsys)
    assert out == expected_json(bodies, StateStore(paths.state_file()).load())
    assert written == sorted(bodies, reverse=True)
    # Twelve calendar days, three at a time, each written before the next three are read.
    assert len(loads) >= 4 and max(map(len, loads)) <= 3
    assert events.index("write") < len(events) - 1 - events[::-1].index("load")
    every = [d for days in loads for d in days]
    assert len(set(every)) == len(every)  # no day read twice
