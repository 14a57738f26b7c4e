"""The library's cache policy and its behaviour under network faults (loopback server)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY_2024, FIXTURES, PAGE_2024
from hfserver import FakeHF, Scripted

from paperterm.cache import is_fresh
from paperterm.config import load_config
from paperterm.fetch import Fetcher, parse_retry_after
from paperterm.library import Library

PAGE_PATH = "/papers/date/2024-08-01"
API_PATH = "/api/daily_papers"


def make_library(fake_hf: FakeHF, now: datetime, **fetch_kw: Any) -> Library:
    config = load_config()
    fetch_kw.setdefault("backoff", 0.01)
    fetch_kw.setdefault("deadline", 2.0)
    fetcher = Fetcher(fake_hf.url, **fetch_kw)
    return Library(config, clock=lambda: now, fetcher=fetcher)


async def warm(fake_hf: FakeHF, now: datetime) -> Library:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    library = make_library(fake_hf, now)
    result = await library.load_day(DAY_2024)
    assert result.status == "ok" and len(result.papers) == 13
    return library


LATER = datetime(2024, 8, 1, 20, 0, tzinfo=UTC)  # same day: the cached copy is stale after 15 min


@pytest.mark.parametrize(
    ("scripted", "message"),
    [
        (Scripted(404, b"nope"), "not found"),
        (Scripted(429, b"slow down", {"Retry-After": "3600"}), "rate-limiting"),
        (Scripted(500, b"oops"), "HTTP 500"),
        (Scripted(503, b"busy"), "HTTP 503"),
        (Scripted(200, b"<html>Just a moment...</html>"), "no paper data"),
        (Scripted(200, PAGE_2024.read_bytes()[:50_000], truncate=True), "connection broke"),
    ],
    ids=["404", "429", "500", "503", "challenge", "truncated"],
)
async def test_fault_keeps_cached_day_and_says_why(
    fake_hf: FakeHF, scripted: Scripted, message: str
) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    fake_hf.script(PAGE_PATH, scripted)
    fake_hf.script(API_PATH, scripted)
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024)
    assert result.status == "ok" and len(result.papers) == 13  # cache intact
    assert message in result.message
    assert "showing the copy from" in result.message
    # and the cache on disk still holds the good day
    again = library.cached(DAY_2024)
    assert again is not None and len(again.papers) == 13
    await library.aclose()


async def test_timeout_keeps_cached_day(fake_hf: FakeHF) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    await library.aclose()
    library = make_library(fake_hf, LATER, read_timeout=0.2, deadline=0.5, attempts=2)
    fake_hf.script(PAGE_PATH, Scripted(200, PAGE_2024.read_bytes(), delay=2))
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and "did not answer" in result.message
    await library.aclose()


async def test_slow_drip_is_cut_at_the_deadline(fake_hf: FakeHF) -> None:
    library = make_library(fake_hf, LATER, deadline=0.5, attempts=1)
    fake_hf.script(PAGE_PATH, Scripted(200, b"<html>" + b" " * 200, drip=0.01))
    result = await library.load_day(DAY_2024)
    assert result.status == "error" and "did not answer within 0.5 s" in result.message
    await library.aclose()


async def test_error_with_nothing_cached_is_an_error_result(fake_hf: FakeHF) -> None:
    library = make_library(fake_hf, LATER)
    fake_hf.script(PAGE_PATH, Scripted(500, b""))
    fake_hf.script(API_PATH, Scripted(500, b""))
    result = await library.load_day(DAY_2024)
    assert result.status == "error" and result.papers == () and "HTTP 500" in result.message
    await library.aclose()


async def test_retries_then_succeeds_on_502(fake_hf: FakeHF) -> None:
    fake_hf.script(PAGE_PATH, Scripted(502), Scripted(502), Scripted(200, PAGE_2024.read_bytes()))
    library = make_library(fake_hf, LATER)
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and not result.message
    assert fake_hf.hits[PAGE_PATH] == 3
    await library.aclose()


async def test_429_with_short_retry_after_is_honoured(fake_hf: FakeHF) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    fake_hf.script(
        PAGE_PATH,
        Scripted(429, headers={"Retry-After": "7"}),
        Scripted(200, PAGE_2024.read_bytes()),
    )
    # The whole request has one deadline, waits included: room for the 7 s wait.
    library = make_library(fake_hf, LATER, sleep=sleep, deadline=60.0)
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and waits == [7.0]
    await library.aclose()


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    http_date = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(http_date, now=now.timestamp()) == pytest.approx(90)
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


async def test_empty_answer_never_replaces_a_good_day(fake_hf: FakeHF) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    props = json.dumps({"dateString": "2024-08-01", "dailyPapers": []}).replace('"', "&quot;")
    fake_hf.script(
        PAGE_PATH, Scripted(200, f'<div data-target="DailyPapers" data-props="{props}">'.encode())
    )
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and "keeping the cached list" in result.message
    await library.aclose()


async def test_weekend_is_a_recognised_empty_day(fake_hf: FakeHF) -> None:
    library = make_library(fake_hf, LATER)
    result = await library.load_day(date(2024, 7, 27))  # a Saturday: page 404, API []
    assert result.status == "empty" and result.papers == () and not result.message
    cached = library.cached(date(2024, 7, 27))
    assert cached is not None and cached.status == "empty"
    await library.aclose()


async def test_304_renews_the_cached_day(fake_hf: FakeHF) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13 and result.fetched_at == LATER and not result.message
    assert fake_hf.hits[PAGE_PATH] == 2  # revalidated, answered 304
    await library.aclose()


async def test_future_days_are_never_requested(fake_hf: FakeHF) -> None:
    library = make_library(fake_hf, LATER)
    result = await library.load_day(date(2024, 8, 2))
    assert result.status == "future" and not fake_hf.requests
    await library.aclose()


async def test_redirect_to_another_host_is_not_followed(fake_hf: FakeHF) -> None:
    fake_hf.script(PAGE_PATH, Scripted(302, headers={"Location": "https://evil.example/x"}))
    fake_hf.script(API_PATH, Scripted(302, headers={"Location": "https://evil.example/x"}))
    library = make_library(fake_hf, LATER)
    result = await library.load_day(DAY_2024)
    assert result.status == "error" and "another host" in result.message
    await library.aclose()


async def test_api_source_from_config(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text('source = "api"\n')
    fake_hf.add_api_file(FIXTURES / "daily_papers_api_2026-08-21.json")
    library = make_library(fake_hf, datetime(2026, 8, 22, tzinfo=UTC))
    assert library.config.source == "api"
    result = await library.load_day(date(2026, 8, 21))
    assert len(result.papers) == 17 and result.source == "api"
    assert not any(r.startswith("/papers/") for r in fake_hf.requests)
    await library.aclose()


async def test_offline_never_touches_the_network(fake_hf: FakeHF) -> None:
    library = make_library(fake_hf, LATER)
    result = await library.load_day(DAY_2024, offline=True)
    assert result.status == "missing" and not fake_hf.requests
    await library.aclose()


def test_freshness_policy() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    today = date(2026, 11, 28)
    assert is_fresh(today, now - timedelta(minutes=5), now)
    assert not is_fresh(today, now - timedelta(minutes=30), now)
    assert is_fresh(today - timedelta(days=1), now - timedelta(hours=2), now)
    assert not is_fresh(today - timedelta(days=1), now - timedelta(hours=4), now)
    settled = today - timedelta(days=10)
    assert is_fresh(settled, now - timedelta(days=5), now)  # fetched once it had settled
    assert not is_fresh(settled, datetime(2026, 11, 18, 13, 0, tzinfo=UTC), now)


async def test_cache_entry_from_older_parser_is_reparsed(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    meta_path = private_dirs["cache"] / "days" / "page" / "2024-08-01.json"
    meta = json.loads(meta_path.read_bytes())
    meta["parser_version"] = 0
    meta["papers"] = []
    meta_path.write_text(json.dumps(meta))
    result = library.cached(DAY_2024)
    assert result is not None and len(result.papers) == 13
    assert json.loads(meta_path.read_bytes())["parser_version"] >= 1
    await library.aclose()


@pytest.mark.parametrize("damage", ["truncate-body", "empty-meta", "garbage-meta"])
async def test_damaged_cache_entry_is_refetched(
    fake_hf: FakeHF, private_dirs: dict[str, Path], damage: str
) -> None:
    morning = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
    library = await warm(fake_hf, morning)
    folder = private_dirs["cache"] / "days" / "page"
    if damage == "truncate-body":
        meta = json.loads((folder / "2024-08-01.json").read_bytes())
        meta["parser_version"] = 0
        (folder / "2024-08-01.json").write_text(json.dumps(meta))
        (folder / "2024-08-01.body").write_bytes(PAGE_2024.read_bytes()[:1000])
    elif damage == "empty-meta":
        (folder / "2024-08-01.json").write_bytes(b"")
    else:
        (folder / "2024-08-01.json").write_bytes(b"\x00\xff{{{")
    assert library.cached(DAY_2024) is None
    assert library.cache.problems
    result = await library.load_day(DAY_2024)
    assert len(result.papers) == 13
    await library.aclose()


async def test_a_day_the_site_answers_with_another_day_is_quietly_empty(fake_hf: FakeHF) -> None:
    """A weekend asked for, a weekday answered: no error, a note, nothing shown."""
    items = json.loads((FIXTURES / "daily_papers_api_2026-08-21.json").read_bytes())
    fake_hf.script("/api/daily_papers", Scripted(200, json.dumps(items).encode()))
    library = make_library(fake_hf, datetime(2026, 8, 24, tzinfo=UTC))
    result = await library.load_day(date(2026, 8, 22))  # a Saturday
    assert result.status == "empty" and result.papers == ()
    assert not result.message and "2026-08-21" in result.note
    again = library.cached(date(2026, 8, 22))
    assert again is not None and again.status == "empty" and not again.message
    await library.aclose()


async def test_cache_reads_and_writes_run_off_the_event_loop(fake_hf: FakeHF) -> None:
    """The reader's loop never waits on the disk: every cache read and write of a load is
    made in a worker thread."""
    import threading

    library = await warm(fake_hf, datetime(2024, 8, 1, 9, tzinfo=UTC))
    threads: list[str] = []
    cache = library.cache
    for name in ("load", "store", "touch"):
        real = getattr(cache, name)

        def spy(*args, _real=real, **kw):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            return _real(*args, **kw)

        setattr(cache, name, spy)
    library.clock = lambda: LATER
    result = await library.load_day(DAY_2024, force=True)
    await library.aclose()
    assert len(result.papers) == 13
    assert threads and threading.main_thread().name not in threads
