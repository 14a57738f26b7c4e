"""Parsing real captures and every corpus day: the papers must agree with the raw JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY_2024, DAY_2026, FIXTURES, PAGE_2024, PAGE_2026, load_corpus_file
from selectolax.lexbor import LexborHTMLParser

from paperterm.model import Paper
from paperterm.scrape import (
    UnparseableError,
    WrongDayError,
    _parse_cards,
    parse_api,
    parse_page,
)


def props_items(path: Path) -> list[dict[str, Any]]:
    tree = LexborHTMLParser(path.read_text())
    node = tree.css_first('[data-target="DailyPapers"]')
    assert node is not None and node.attributes["data-props"] is not None
    items: list[dict[str, Any]] = json.loads(node.attributes["data-props"])["dailyPapers"]
    return items


def expect_agrees(papers: Sequence[Paper], items: list[Any]) -> None:
    """ids, titles (whitespace-folded), upvotes and author counts match the raw items."""
    raw = [i for i in items if isinstance(i, dict) and isinstance(i.get("paper"), dict)]
    by_id: dict[str, dict[str, Any]] = {}
    for item in raw:
        by_id.setdefault(item["paper"]["id"], item)
    assert [p.id for p in papers] == list(by_id)
    for paper in papers:
        src = by_id[paper.id]["paper"]
        assert paper.title == " ".join(src["title"].split())
        assert paper.upvotes == src.get("upvotes", 0)
        assert paper.author_count == len(src.get("authors", []))
        assert len(paper.authors) == len(src.get("authors", []))


def test_2024_page_parses_all_13_papers_by_upvotes() -> None:
    scraped = parse_page(PAGE_2024.read_bytes(), DAY_2024)
    assert scraped.reported_day == DAY_2024
    assert len(scraped.papers) == 13
    assert scraped.papers[0].id == "2407.21783"
    assert scraped.papers[0].title == "The Llama 3 Herd of Models"
    assert scraped.papers[0].upvotes == 94
    expect_agrees(scraped.papers, props_items(PAGE_2024))


def test_hidden_author_is_kept() -> None:
    paper = next(p for p in parse_page(PAGE_2024.read_bytes()).papers if p.id == "2407.21781")
    assert paper.author_count == 6 and len(paper.authors) == 6


def test_2026_rendered_page_parses() -> None:
    scraped = parse_page(PAGE_2026.read_bytes())
    assert scraped.reported_day == DAY_2026
    assert len(scraped.papers) == 28
    first = scraped.papers[0]
    assert first.id == "2609.31620" and first.upvotes == 110
    assert first.day == DAY_2026
    assert first.organization  # org chip data is read from the JSON
    assert sum(1 for p in scraped.papers if p.github) == 18
    expect_agrees(scraped.papers, props_items(PAGE_2026))


@pytest.mark.parametrize(("page", "day"), [(PAGE_2024, DAY_2024), (PAGE_2026, DAY_2026)])
def test_card_fallback_agrees_with_json(page: Path, day: date) -> None:
    html = page.read_text()
    from_json = parse_page(html.encode(), day).papers
    cards = _parse_cards(LexborHTMLParser(html), day)
    assert cards.method == "cards"
    got = [(p.id, p.title, p.upvotes, p.comments) for p in cards.papers]
    want = [(p.id, p.title, p.upvotes, p.comments) for p in from_json]
    assert got == want
    for card, paper in zip(cards.papers, from_json, strict=True):
        # 2026 org-chip cards hide the author count; where a card shows it, it agrees.
        assert card.author_count in (0, paper.author_count)


def test_page_without_props_falls_back_to_cards() -> None:
    html = PAGE_2024.read_text()
    start = html.index('<div class="SVELTE_HYDRATER contents" data-target="DailyPapers"')
    end = html.index(">", start)
    stripped = html[:start] + "<div>" + html[end + 1 :]
    scraped = parse_page(stripped.encode(), DAY_2024)
    assert scraped.method == "cards"
    assert [p.upvotes for p in scraped.papers][:3] == [94, 24, 19]


def test_page_for_another_day_is_told_apart() -> None:
    with pytest.raises(WrongDayError) as info:
        parse_page(PAGE_2024.read_bytes(), date(2024, 8, 2))
    assert info.value.got == DAY_2024


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Too many requests. Please try again later.</body></html>",
        b"<html><div data-target='DailyPapers' data-props='{not json'></div></html>",
        b"",
        b"\xff\xfe\x00garbage",
    ],
)
def test_challenge_or_garbage_page_is_unparseable(body: bytes) -> None:
    with pytest.raises(UnparseableError):
        parse_page(body, DAY_2024)


def test_empty_day_page_is_a_valid_empty_day() -> None:
    props = json.dumps({"dateString": "2024-08-03", "dailyPapers": []}).replace('"', "&quot;")
    body = f'<div data-target="DailyPapers" data-props="{props}"></div>'.encode()
    scraped = parse_page(body, date(2024, 8, 3))
    assert scraped.papers == () and scraped.reported_day == date(2024, 8, 3)


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("daily_papers_api_*.json")), ids=lambda p: p.stem
)
def test_api_fixtures_agree_with_raw_json(path: Path) -> None:
    items = json.loads(path.read_bytes())
    scraped = parse_api(path.read_bytes())
    expect_agrees(scraped.papers, items)


def test_api_list_spanning_two_days_keeps_each_feed_day() -> None:
    path = FIXTURES / "daily_papers_api_latest_limit25_2026-07-13.json"
    days = [p.day for p in parse_api(path.read_bytes()).papers]
    assert days.count(date(2026, 7, 13)) == 14 and days.count(date(2026, 7, 10)) == 11


def test_api_answer_for_another_day_is_told_apart() -> None:
    path = FIXTURES / "daily_papers_api_2026-08-21.json"
    with pytest.raises(WrongDayError):
        parse_api(path.read_bytes(), date(2026, 8, 20))


def test_author_names_fall_back_to_the_user_and_skip_what_has_none() -> None:
    """Names come from `name`, else the user's full name (hidden authors have only that);
    entries with neither, or that are not objects, are dropped but still counted."""

    def authors_of(entries: list[object]) -> tuple[tuple[str, ...], int]:
        item = {"paper": {"id": "2408.00001", "title": "T", "authors": entries}}
        body = json.dumps([item]).encode()
        (paper,) = parse_api(body, DAY_2024).papers
        return paper.authors, paper.author_count

    assert authors_of([{"name": "Ada"}, {"name": "Grace  Hopper "}]) == (
        ("Ada", "Grace Hopper"),
        2,
    )
    mixed = [
        {"name": "Ada"},
        {"name": "", "user": {"fullname": "Bea"}},
        "junk",
        {"user": {"fullname": "Cy"}},
        {"name": "   "},
        5,
        {"name": None, "user": {"fullname": "Di"}},
        {"name": "Ed", "user": {"fullname": "Not used"}},
    ]
    assert authors_of(mixed) == (("Ada", "Bea", "Cy", "Di", "Ed"), 8)


def test_every_corpus_day_parses_and_agrees(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.glob("*.json"))
    assert len(files) == 580
    total = 0
    for path in files:
        day = date.fromisoformat(path.stem)
        items = load_corpus_file(path)
        body = json.dumps(items).encode()
        scraped = parse_api(body, day)
        expect_agrees(scraped.papers, items)
        assert all(p.day == day for p in scraped.papers)
        total += len(scraped.papers)
    assert total >= 9_500


def test_raw_corpus_files_parse_without_exception(corpus_dir: Path) -> None:
    """The files as stored (one is an object, some items are strings): no exception."""
    skipped = 0
    for path in sorted(corpus_dir.glob("*.json")):
        scraped = parse_api(path.read_bytes(), date.fromisoformat(path.stem))
        skipped += scraped.skipped
    assert skipped == 300  # the collector's Python-repr strings, skipped and counted
