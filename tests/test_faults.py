"""The fault suite: the network misbehaving, content that is broken or huge, and the state
file under kill -9. Each asserts what a user would see: the cached day kept, a clear
message, nothing lost."""

from __future__ import annotations

import asyncio
import json
import os
import random
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from conftest import DAY_2024, FIXTURES, PAGE_2024
from hfserver import FakeHF, Scripted
from statefiles import first_save_after, kill_9_after
from test_library import API_PATH, LATER, PAGE_PATH, make_library, warm

from paperterm.scrape import MAX_AUTHORS, _unescape_attr, parse_api, parse_page
from paperterm.state import StateStore
from paperterm.text import MAX_LINE

API_2026 = FIXTURES / "daily_papers_api_2026-08-21.json"


# ------------------------------------------------------------------ network


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_keep_the_cached_day(fake_hf: FakeHF, status: int) -> None:
    library = await warm(fake_hf, datetime(2024, 8, 1, 9, tzinfo=UTC))
    fake_hf.script(PAGE_PATH, Scripted(status))
    fake_hf.script(API_PATH, Scripted(status))
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and f"HTTP {status}" in result.message
    retried = 3 if status in (502, 503, 504) else 1
    assert fake_hf.hits[PAGE_PATH] == 1 + retried  # the warm-up, then the attempts
    await library.aclose()


async def test_429_with_an_http_date_is_honoured(fake_hf: FakeHF) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    fake_hf.script(
        PAGE_PATH,
        Scripted(429, headers={"Retry-After": when}),
        Scripted(200, PAGE_2024.read_bytes()),
    )
    library = make_library(fake_hf, LATER, sleep=sleep, deadline=60.0)  # room for the wait
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13
    assert len(waits) == 1 and 15 <= waits[0] <= 21
    await library.aclose()


async def test_429_without_retry_after_backs_off_then_gives_up_clearly(fake_hf: FakeHF) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    fake_hf.script(PAGE_PATH, Scripted(429))
    fake_hf.script(API_PATH, Scripted(429))
    library = make_library(fake_hf, LATER, sleep=sleep)
    result = await library.load_day(DAY_2024)
    assert result.status == "error" and "rate-limiting" in result.message
    assert len(waits) == 2 and all(0 < w < 5 for w in waits)  # jittered backoff, bounded
    await library.aclose()


async def test_429_with_a_huge_retry_after_is_not_waited_for(fake_hf: FakeHF) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    library = await warm(fake_hf, datetime(2024, 8, 1, 9, tzinfo=UTC))
    fake_hf.script(PAGE_PATH, Scripted(429, headers={"Retry-After": "86400"}))
    fake_hf.script(API_PATH, Scripted(429, headers={"Retry-After": "86400"}))
    library.fetcher._sleep = sleep
    library.clock = lambda: LATER
    started = time.monotonic()
    result = await library.load_day(DAY_2024)
    assert time.monotonic() - started < 5 and not waits
    assert len(result.papers) == 13 and "retry in 86400 s" in result.message
    await library.aclose()


async def test_connect_refused_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperterm.config import load_config
    from paperterm.fetch import Fetcher
    from paperterm.library import Library

    fetcher = Fetcher("http://127.0.0.1:9", backoff=0.01)
    library = Library(load_config(), clock=lambda: LATER, fetcher=fetcher)
    result = await library.load_day(DAY_2024)
    assert result.status == "error" and "cannot connect to 127.0.0.1:9" in result.message
    await library.aclose()


async def test_304_without_a_cached_body_falls_back(fake_hf: FakeHF) -> None:
    fake_hf.script(PAGE_PATH, Scripted(304))
    fake_hf.add_api_day(DAY_2024, json.loads(API_2026.read_bytes()))
    library = make_library(fake_hf, LATER)
    result = await library.load_day(DAY_2024)
    # The 304 could not be honoured (nothing cached), so the API answered instead; its items
    # say another day, which is told apart rather than shown as this day's papers.
    assert result.status in ("empty", "error") and result.papers == ()
    assert "Traceback" not in result.message
    await library.aclose()


# ------------------------------------------------------------------ content


def test_truncated_and_malformed_html() -> None:
    from paperterm.scrape import UnparseableError

    html = PAGE_2024.read_bytes()
    props_at = html.index(b'data-target="DailyPapers"')
    with pytest.raises(UnparseableError):
        parse_page(html[: props_at + 5000], DAY_2024)  # cut inside the data-props JSON
    cards_at = html.index(b"<article", html.index(b"<article") + 1)
    after_props = html[:cards_at]  # the JSON whole, the cards cut off
    assert len(parse_page(after_props, DAY_2024).papers) == 13
    for body in (b"<html><body><div><article><h3><a href='/papers/1'", b"<<<>>>&&&", b"\x00" * 100):
        with pytest.raises(Exception) as info:
            parse_page(body, DAY_2024)
        assert type(info.value).__name__ == "UnparseableError"


def test_entity_and_double_escaped_props() -> None:
    import html

    for value in (
        "a &amp;quot; b",
        "x &nbsp; y &quot;",
        "&#39;&amp;#39;",
        "&lt;b&gt; &amp;amp;",
        "&#x27;",
    ):
        assert _unescape_attr(value.encode()) == html.unescape(value).encode()
    props = {
        "dateString": "2024-08-01",
        "dailyPapers": [
            {
                "paper": {
                    "id": "2408.00001",
                    "title": "Tom &amp; Jerry's &lt;b&gt;",
                    "upvotes": 1,
                    "authors": [{"name": "O&#39;Brien"}],
                }
            }
        ],
    }
    attr = json.dumps(props).replace("&", "&amp;").replace('"', "&quot;")
    body = f'<div data-target="DailyPapers" data-props="{attr}"></div>'.encode()
    paper = parse_page(body, DAY_2024).papers[0]
    assert paper.title == "Tom &amp; Jerry's &lt;b&gt;"  # decoded once, as a browser would
    assert paper.authors == ("O&#39;Brien",)


def test_missing_null_and_wrong_typed_fields() -> None:
    items = [
        {"paper": None},
        {"paper": {"id": 123, "title": "numeric id"}},
        {"paper": {"id": "2408.00001", "title": None}},
        {
            "paper": {
                "id": "2408.00002",
                "title": ["not", "a", "string"],
            },
            "title": "Top-level title is used",
        },
        {
            "paper": {
                "id": "2408.00003",
                "title": "Odd types everywhere",
                "authors": "Alice, Bob",
                "upvotes": "12",
                "summary": 5,
                "githubRepo": 5,
                "githubStars": "many",
                "ai_keywords": "single string",
                "publishedAt": "yesterday",
                "organization": "not a dict",
            },
            "numComments": None,
            "submittedBy": ["x"],
        },
        "a plain string",
        None,
        42,
    ]
    result = parse_api(json.dumps(items).encode(), DAY_2024)
    by_id = {p.id: p for p in result.papers}
    assert set(by_id) == {"2408.00002", "2408.00003"}
    assert by_id["2408.00002"].title == "Top-level title is used"
    odd = by_id["2408.00003"]
    assert odd.upvotes == 12 and odd.authors == () and odd.github is None
    assert odd.github_stars is None and odd.ai_keywords == () and odd.published is None
    assert result.skipped == 6


def test_huge_title_many_authors_and_a_thousand_papers() -> None:
    base = json.loads(API_2026.read_bytes())[0]
    items = []
    for i in range(1000):
        item = json.loads(json.dumps(base))
        item["paper"]["id"] = f"2608.{i:05d}"
        items.append(item)
    items[0]["paper"]["title"] = "Long " * 20_000  # 100 KB
    items[1]["paper"]["authors"] = [{"name": f"Author {n}"} for n in range(10_000)]
    result = parse_api(json.dumps(items).encode(), date(2026, 8, 21))
    assert len(result.papers) == 1000
    assert len(result.papers[0].title) <= MAX_LINE and result.papers[0].title.endswith("…")
    many = result.papers[1]
    assert many.author_count == 10_000 and len(many.authors) == MAX_AUTHORS


def test_non_utf8_bytes() -> None:
    body = PAGE_2024.read_bytes().replace(b"The Llama 3 Herd", b"The Ll\xe1ma 3 \xff\xfe Herd")
    papers = parse_page(body, DAY_2024).papers
    assert len(papers) == 13 and "Herd" in papers[0].title
    assert parse_api(b'[{"paper": {"id": "1", "title": "caf\xe9"}}]', DAY_2024).papers[0].title


async def test_a_day_of_a_thousand_papers_over_the_api_renders(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    from test_app import make_app, row_texts, settle

    base = json.loads(API_2026.read_bytes())[0]
    items = []
    for i in range(1000):
        item = json.loads(json.dumps(base))
        item["paper"]["id"] = f"2608.{i:05d}"
        item["paper"]["title"] = f"Paper number {i}"
        item["paper"]["submittedOnDailyAt"] = "2026-08-21T08:00:00.000Z"
        items.append(item)
    items[5]["paper"]["title"] = "X" * 100_000
    fake_hf.add_api_day(date(2026, 8, 21), items)
    app = make_app(private_dirs, end=date(2026, 8, 21), now=datetime(2026, 8, 22, tzinfo=UTC))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert len(app.reader.paper_list.papers) == 1000
        assert "1000 papers" in row_texts(app)[0]
        await pilot.press("G")
        assert app.reader.paper_list.paper is not None


async def test_deeply_nested_page_keeps_the_ui_responsive(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    """lexbor is quadratic in nesting depth; the parse runs off the event loop."""
    from test_app import make_app

    depth = 60_000
    nested = b"<html><body>" + b"<div>" * depth + b"x" + b"</div>" * depth + b"</body></html>"
    fake_hf.script(PAGE_PATH, Scripted(200, nested))
    fake_hf.script(API_PATH, Scripted(500))
    app = make_app(private_dirs)
    async with app.run_test(size=(100, 24)) as pilot:
        deadline = time.monotonic() + 20
        while not fake_hf.hits[PAGE_PATH] and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await pilot.pause(0.2)  # the body is in; the parse is under way
        parsing = not app.reader.refreshed.is_set()
        from textual import events

        from paperterm.widgets.dialogs import HelpScreen

        # Not pilot.press: it waits for the process's CPU to go idle, and the parse thread
        # keeps it busy. Post the key and watch for the help screen instead.
        started = time.monotonic()
        app.post_message(events.Key("question_mark", "?"))
        while not isinstance(app.screen, HelpScreen) and time.monotonic() - started < 10:
            await asyncio.sleep(0.01)
        responded = time.monotonic() - started
        assert isinstance(app.screen, HelpScreen)
        if parsing:
            assert not app.reader.refreshed.is_set() or responded < 0.5
            assert responded < 0.5, responded
        await asyncio.wait_for(app.reader.refreshed.wait(), timeout=60)
        assert "no paper data" in app.reader.status_bar.left.plain


# ------------------------------------------------------------------ state under kill -9

KILL_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import filelock  # the store imports it at its first save: loaded now, kills land in saves
    from paperterm.state import StateStore
    path, start = Path(sys.argv[1]), int(sys.argv[2])
    store = StateStore(path).load()
    print("ready", flush=True)
    began = time.monotonic()
    i = start
    while True:
        store.set_starred(f"k{i}")
        if store.save():
            print(f"saved k{i} {time.monotonic() - began:.4f}", flush=True)
        i += 1
    """
)


def test_kill_9_during_saves_never_loses_a_reported_save(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    seed = StateStore(path).load()
    for i in range(2000):  # a realistic file, so a save takes a moment to write
        seed.set_read(f"r{i}")
    assert seed.save()
    reported: set[str] = set()
    # Up to 60 ms, or three times the first save on a machine where it takes longer.
    longest = max(0.06, 3 * first_save_after(KILL_WORKER, path, 1_000_000))
    rng = random.Random(1234)
    start = 0
    rounds_with_saves = 0
    for _ in range(200):
        lines = kill_9_after(KILL_WORKER, path, start, rng.uniform(0.0, longest))
        saved = [line.split()[1] for line in lines if line.startswith("saved ")]
        reported.update(saved)
        rounds_with_saves += bool(saved)
        start += 10_000
        store = StateStore(path).load()
        assert not store.warnings, store.warnings  # the file always parses
        assert reported <= store.starred_ids  # everything reported saved is there
        assert len(store.read_ids) == 2000
    # The kills landed at every point: before the first save and after many.
    assert 50 <= rounds_with_saves < 200, rounds_with_saves
    assert not list(tmp_path.glob("state.toml.corrupt-*"))


async def test_read_only_disk_in_the_app_says_so_and_saves_later(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_app import current, make_app, settle

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        real_replace = os.replace

        def read_only(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr(os, "replace", read_only)
        paper = current(app)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store.is_starred(paper.id)  # kept in memory
        assert "Read-only file system" in app.reader.status_bar.left.plain
        monkeypatch.setattr(os, "replace", real_replace)
        await pilot.press("j", "s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        on_disk = StateStore(private_dirs["data"] / "state.toml").load()
        assert on_disk.is_starred(paper.id)  # the earlier star was saved too
        assert "cannot save" not in app.reader.status_bar.left.plain


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00\x01", b'schema = "one"\n', b'schema = 1\n[read]\n"x" = 5\n[starred]\nbad'],
    ids=["empty", "non-utf8", "wrong-type-schema", "truncated"],
)
def test_bad_state_files_are_set_aside_with_a_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.toml"
    path.write_bytes(content)
    store = StateStore(path).load()
    assert store.warnings and any(
        word in store.warnings[0] for word in ("empty", "UTF-8", "schema", "TOML")
    )
    assert list(tmp_path.glob("state.toml.corrupt-*"))
    store.set_starred("a")
    assert store.save() and StateStore(path).load().starred_ids == {"a"}
