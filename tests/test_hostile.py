"""Scraped text is hostile: it renders literally, runs no action, and no escape sequence
from the data reaches the terminal."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile import HOSTILE_DAY, TITLES, hostile_body
from realterm import real_terminal

from paperterm.cache import DayCache
from paperterm.links import UnsafeURL, check_url
from paperterm.scrape import parse_api, parse_page
from paperterm.text import (
    _CONTROL,
    _PARAGRAPH,
    clean_block,
    clean_line,
    clean_lines,
    has_controls,
    strip_controls,
)

BAD = ("\x1b", "\x9b", "\x07", "\u202e", "\x9c")


def test_cleaning_keeps_brackets_and_drops_escapes() -> None:
    papers = parse_api(hostile_body(), HOSTILE_DAY).papers
    assert len(papers) == len(TITLES)
    for paper in papers:
        for text in (
            paper.title,
            paper.abstract,
            paper.ai_summary,
            paper.organization,
            *paper.authors,
            *paper.ai_keywords,
        ):
            assert not any(b in text for b in BAD), repr(text)
    assert papers[3].title == "BERT: [CLS] and [MASK] tokens [0] Attention [Is] All"
    assert papers[0].title.startswith("[@click=app.quit]Click to win[/]")
    assert "SGVsbG8" not in papers[4].title  # the OSC 52 payload went with its sequence
    assert papers[4].title == "Clipboard hijack and title"


def test_unsafe_links_from_the_data_are_dropped() -> None:
    papers = parse_api(hostile_body(), HOSTILE_DAY).papers
    assert papers[1].github is None and papers[1].project_page is None
    assert papers[0].github == "https://github.com/a/b"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "-https://example.com",
        "https://exa mple.com/",
        " https://example.com",
        "https://user:pw@example.com/",
        "https://example.com/\x1b]52;c;x\x07",
        "https:///nohost",
        "ftp://example.com/x",
        "",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url)


def test_check_url_accepts_plain_links() -> None:
    assert check_url("https://arxiv.org/abs/2407.21783") == "https://arxiv.org/abs/2407.21783"
    assert check_url("http://example.com:8080/a?b=c#d")


def test_clean_line_handles_each_sequence() -> None:
    assert clean_line("a\x1b[31mb\x1b[0mc") == "abc"
    assert clean_line("a\x1b]0;title\x07b") == "ab"
    assert clean_line("a\x1b]8;;http://x\x1b\\b") == "ab"
    assert clean_line("a\x9b2Jb") == "ab"
    assert clean_line("a\u202eb\u2066c") == "abc"
    assert clean_line("a\x00\x08b\x7f") == "ab"
    assert clean_line("  many   spaces\n\tand  wraps ") == "many spaces and wraps"


def seed_hostile_cache(cache_dir: Path) -> None:
    cache = DayCache(cache_dir, {"page": parse_page, "api": parse_api})
    body = hostile_body()
    papers = parse_api(body, HOSTILE_DAY).papers
    cache.store(HOSTILE_DAY, "api", body, papers, fetched_at=datetime.now(UTC), empty=False)


async def test_app_renders_hostile_text_literally_and_runs_nothing(
    private_dirs: dict[str, Path],
) -> None:
    from test_app import RecordingBrowser, make_app, notices, row_texts, settle

    seed_hostile_cache(private_dirs["cache"])
    # A config that quotes markup back: its warning must show the text as typed.
    private_dirs["config"].mkdir(parents=True, exist_ok=True)
    (private_dirs["config"] / "config.toml").write_text('[keys]\n"[@click=app.quit]x[/]" = "z"\n')
    browser = RecordingBrowser()
    app = make_app(private_dirs, offline=True, browser=browser)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert any("'[@click=app.quit]x[/]'" in n for n in await notices(app, pilot))
        text = "\n".join(row_texts(app))
        assert "[@click=app.quit]Click to win[/]" in text
        assert "[CLS] and [MASK] tokens [0] Attention [Is] All" in text
        assert "[/b] plan for [/ nothing" in text
        # Click every row, including the action-link titles: nothing may run.
        for y in range(1, len(TITLES) + 1):
            await pilot.click("#papers", offset=(30, y))
            await pilot.pause()
            body = str(app.reader.abstract.plain)
            assert "[@click=app.quit]Mallory[/]" in body
        await pilot.click("#abstract", offset=(5, 0))
        await pilot.click("#abstract", offset=(12, 3))
        await pilot.pause()
        assert app.is_running
        assert not list(Path("/tmp").glob("x.svg"))
        # The filter takes markup-looking input as text too.
        await pilot.press("slash", *"[/", "escape")
        await pilot.press("slash", *"[cls]")
        await pilot.pause()
        assert [p.id for p in app.reader.paper_list.papers] == ["2408.00003"]
        # Javascript/file links were dropped from the record; the hf link still opens.
        await pilot.press("escape")
        assert app.reader.paper_list.select_id("2408.00001")
        await pilot.press("c", "w", "o")
        await app.workers.wait_for_complete()
        assert browser.urls == ["https://huggingface.co/papers/2408.00001"]


def test_every_notification_is_plain_text() -> None:
    """Notifications quote data (titles, URLs, config, server messages): no call in the
    source may let Textual parse one as markup."""
    import ast

    src = Path(__file__).resolve().parent.parent / "src" / "paperterm"
    calls = 0
    for module in src.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "notify":
                calls += 1
                markup = [k for k in node.keywords if k.arg == "markup"]
                where = f"{module.name}:{node.lineno}"
                assert markup, f"{where}: notify() without markup=False"
                value = markup[0].value
                assert isinstance(value, ast.Constant) and value.value is False, where
    assert calls > 10  # the scan found the calls it is about


def test_no_escape_sequence_from_the_data_reaches_a_real_terminal(
    private_dirs: dict[str, Path],
) -> None:
    seed_hostile_cache(private_dirs["cache"])
    argv = [sys.executable, "-m", "paperterm", "--offline", "--date", str(HOSTILE_DAY)]
    with real_terminal([*argv, "--days", "1"], dict(os.environ), rows=40, cols=140) as term:
        term.settle(6.0)
        # Walk through every paper so each title and abstract is painted.
        for _ in range(len(TITLES)):
            term.type(b"j")
            term.settle(0.4)
        term.type(b"q")
        term.settle(3.0)
        code = term.proc.wait(timeout=10)
    output = term.screen
    assert b"Click to win" in output  # the app really painted the data
    for needle in (
        b"\x1b]52",
        b"SGVsbG8",
        b"pwned-title",
        b"\x1b]8;;file:",
        b"\xc2\x9b",
        "\u202e".encode(),
    ):
        assert needle not in output, needle
    assert code == 0


def test_the_quick_control_check_agrees_with_the_full_pattern() -> None:
    """The ASCII fast path decides exactly as the character class does, for every ASCII
    character and the non-ASCII ones the class names, alone and amid text."""
    chars = [chr(c) for c in range(0x100)]
    chars += ["\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\u00e9", "\u4e2d", "\u2028"]
    for ch in chars:
        for text in (ch, f"abc{ch}def", f"{ch} tail"):
            assert has_controls(text) == (_CONTROL.search(text) is not None), repr(text)
    names = ["Ada Lovelace", "Grace\x1b]52;c;aGk=\x07 Hopper", "Linus  Torvalds"]
    assert clean_lines(names) == ["Ada Lovelace", "Grace Hopper", "Linus Torvalds"]


def test_the_folding_shortcut_agrees_with_splitting() -> None:
    """Lines and abstracts with nothing to fold skip the split; for every character of
    Latin-1 and the Unicode spaces and separators, alone and amid text, the result is what
    splitting on whitespace gives."""
    chars = [chr(c) for c in range(0x100)]
    chars += ["\u2028", "\u2029", "\u3000", "\u2003", "\u1680", "\u200b", "\u202f"]
    for ch in chars:
        for text in (
            ch,
            f"a{ch}b",
            f"{ch}a",
            f"a{ch}",
            f"a {ch} b",
            f"a{ch}{ch}b",
            f"one\n{ch}two",
            f"one{ch}\n\ntwo",
        ):
            clean = strip_controls(text)
            assert clean_line(text) == " ".join(clean.split()), repr(text)
            paragraphs = [" ".join(p.split()) for p in _PARAGRAPH.split(clean)]
            assert clean_block(text) == "\n\n".join(p for p in paragraphs if p), repr(text)


@pytest.mark.parametrize(
    "names",
    [
        ["Ada Lovelace", "Grace Hopper"],
        ["Ada Lovelace ", "Grace Hopper"],
        [" Ada", "Bob"],
        ["Ada", "", "Bob"],
        ["Ada\tLovelace"],
        ["Ada\u00a0Lovelace", "Zoë Ngo"],
        ["Ada\nLovelace"],
        ["Ame\u0301lie Poulain"],  # not NFC
        ["x" * 300, "short"],
        ["Ada\u202eecalevoL"],
        [""],
    ],
)
def test_author_lists_clean_as_each_name_alone(names: list[str]) -> None:
    """The whole-list shortcuts give what cleaning each name on its own gives."""
    assert clean_lines(names, 200) == [clean_line(n, 200) for n in names]
