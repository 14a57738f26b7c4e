"""Papers out of paperterm (issue 15): BibTeX that parses back to the same titles, authors
and ids, Markdown and CSV, written atomically; the digest for cron; notes written in the
user's editor, kept like stars, searchable and exported."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from conftest import DAY_2024, PAGE_2024, load_corpus_file
from hfserver import FakeHF
from msgspec.structs import replace
from realterm import real_terminal
from signalround import SIGNAL_DAY, seed_signal_cache
from test_app import current, notices, reader
from test_cli import run_cli

from paperterm import export as export_module
from paperterm.export import bibtex, cite_key, csv_text, markdown
from paperterm.model import Paper
from paperterm.scrape import parse_api
from paperterm.state import StateStore

SPECIALS = "{}&%$_#~^\\"
_UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    *((f"\\{c}", c) for c in "{}&%$#_"),
]


def unlatex(text: str) -> str:
    """What a LaTeX reader makes of our escapes: the text as it was."""
    out, i = [], 0
    while i < len(text):
        for escaped, plain in _UNESCAPE:
            if text.startswith(escaped, i):
                out.append(plain)
                i += len(escaped)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@pytest.fixture(scope="module")
def tricky(corpus_dir: Path) -> list[Paper]:
    """Real corpus papers: those whose titles hold LaTeX's special characters or whose
    authors have names beyond ASCII, and real ones given every special character."""
    papers: list[Paper] = []
    for path in sorted(corpus_dir.glob("*.json"))[::7]:
        day = __import__("datetime").date.fromisoformat(path.stem)
        papers += parse_api(json.dumps(load_corpus_file(path)).encode(), day).papers
    chosen = [p for p in papers if any(c in p.title for c in SPECIALS)]
    chosen += [p for p in papers if any(ord(c) > 127 for a in p.authors for c in a)][:40]
    assert any(any(ord(c) > 127 for c in "".join(p.authors)) for p in chosen)
    made = [
        replace(papers[0], title="R&D at 50% cost: {Braces}, $math$, snake_case, #1 ~ ^ \\"),
        replace(papers[1], title="Ünïcödé títlé: Łódź & Zürich — “quotes”"),
    ]
    return chosen + made


def test_bibtex_parses_back_to_the_same_papers(tricky: list[Paper]) -> None:
    text = "".join(bibtex(tricky, {tricky[0].id: "Read for Friday: 100% worth it & more"}))
    library = bibtexparser.loads(text)
    entries = {e["ID"]: e for e in library.entries}
    assert len(entries) == len(tricky)  # every key unique
    for paper in tricky:
        entry = entries[cite_key(paper)]
        assert entry["ENTRYTYPE"] == "misc" and entry["archiveprefix"] == "arXiv"
        assert entry["eprint"] == paper.id
        title = entry["title"]
        assert title.startswith("{") and title.endswith("}")  # capitals kept
        assert unlatex(title[1:-1]) == paper.title
        authors = [unlatex(a) for a in entry["author"].split(" and ")]
        assert authors == list(paper.authors)  # hidden authors too, in order
        assert entry["year"] == str(paper.published.year if paper.published else paper.day.year)
        if paper.github:
            assert paper.github in entry["note"]
    assert "Read for Friday: 100\\% worth it \\& more" in entries[cite_key(tricky[0])]["note"]
    again = "".join(bibtex(list(reversed(tricky)), {}))
    assert sorted(re.findall(r"@misc\{([^,]+),", again)) == sorted(entries)  # stable keys


def test_markdown_and_csv(tricky: list[Paper]) -> None:
    paper = next(p for p in tricky if p.ai_summary and p.github)
    md = "".join(markdown([paper], {paper.id: "compare with *our* baseline"}, "Reading list"))
    assert md.startswith("# Reading list")
    assert f"]({paper.hf_url})" in md and f"[code]({paper.github})" in md
    assert paper.ai_summary.split()[0] in md and r"compare with \*our\* baseline" in md
    text = "".join(csv_text(tricky, {}, lambda _: (True, False)))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(tricky) and rows[0]["id"] == tricky[0].id
    assert rows[0]["title"] == tricky[0].title and rows[0]["starred"] == "yes"
    assert rows[0]["authors"].split("; ") == list(tricky[0].authors)


@pytest.fixture
def day_2024(fake_hf: FakeHF) -> FakeHF:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    return fake_hf


def test_export_from_the_command_line(day_2024: FakeHF, tmp_path: Path) -> None:
    run_cli("fetch", "--date", "2024-08-01", "--days", "1", check=True)
    run_cli("star", "2407.21783", "2407.21770", check=True)
    out = tmp_path / "starred.bib"
    out.write_text("an older export\n")
    done = run_cli("export", "--starred", "--format", "bibtex", "-o", str(out))
    assert done.returncode == 0, done.stderr
    entries = bibtexparser.loads(out.read_text()).entries
    assert {e["eprint"] for e in entries} == {"2407.21783", "2407.21770"}
    assert not list(tmp_path.glob(".starred.bib.*"))  # no temp file left behind
    picked = run_cli(
        "export", "--date", "2024-08-01", "--days", "1", "--query", "upvotes:>=20 is:starred"
    )
    entries = bibtexparser.loads(picked.stdout).entries
    assert [e["eprint"] for e in entries] == ["2407.21783"]  # 94 upvotes; the other has 3
    bad = run_cli("export", "--query", "upvotes:50..10")
    assert bad.returncode == 1 and "--query" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "a folder").mkdir()
    nowhere = run_cli("export", "--starred", "-o", str(tmp_path / "a folder"))
    assert nowhere.returncode == 1 and "Traceback" not in nowhere.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half file
    assert out.read_text().startswith("@misc")  # the good export is still there


def test_a_digest_prints_papers_once_then_nothing_new(day_2024: FakeHF) -> None:
    args = ("digest", "--since-last-run", "--offline")
    run_cli("fetch", "--date", "2024-08-01", "--days", "1", check=True)
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "The Llama 3 Herd of Models" in first.stdout and first.stdout.startswith("# ")
    second = run_cli(*args)
    assert second.returncode == 1 and not second.stdout and "Nothing new" in second.stderr
    top = run_cli("digest", "--offline", "--min-upvotes", "20", "--format", "json", check=True)
    assert all(p["upvotes"] >= 20 for p in json.loads(top.stdout)["new"])
    assert run_cli("digest", "--since-last-run", "--feed", "trending").returncode == 2


EDITOR = textwrap.dedent(
    """\
    import sys
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        before = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + {text!r})
    """
)


def editor(tmp_path: Path, text: str) -> str:
    script = tmp_path / f"editor-{abs(hash(text))}.py"
    script.write_text(EDITOR.format(text=text))
    return f"{sys.executable} {script}"


async def test_a_note_is_written_kept_found_and_exported(
    day_2024: FakeHF,
    private_dirs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VISUAL", editor(tmp_path, "Compare with [b]our[/b] RLHF baseline."))
    async with reader(private_dirs, notifications=True) as (app, pilot):
        paper = current(app)
        await pilot.press("e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Your note" in app.reader.abstract.plain
        assert "Compare with [b]our[/b] RLHF baseline." in app.reader.abstract.plain
        await pilot.press("slash", *"note:rlhf", "enter")
        await pilot.pause()
        assert [p.id for p in app.reader.paper_list.papers] == [paper.id]
        monkeypatch.setenv("VISUAL", "false")  # an editor that fails changes nothing
        await pilot.press("e")
        await pilot.pause()
        assert any("exited with status 1" in n for n in await notices(app, pilot))
    state = StateStore(private_dirs["data"] / "state.toml").load()
    assert state.note(paper.id) == "Compare with [b]our[/b] RLHF baseline."
    md = run_cli("export", "--date", "2024-08-01", "--days", "1", "--format", "markdown")
    assert r"Compare with \[b\]our\[/b\] RLHF baseline." in md.stdout


async def test_no_editor_says_how_to_get_one(
    day_2024: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    async with reader(private_dirs, notifications=True) as (app, pilot):
        await pilot.press("e")
        assert any("Set $VISUAL or $EDITOR" in n for n in await notices(app, pilot))


def test_a_note_painted_survives_kill_9(tmp_path: Path, private_dirs: dict[str, Path]) -> None:
    seed_signal_cache(private_dirs["cache"])
    text = "a note that must survive"
    env = {**os.environ, "VISUAL": editor(tmp_path, text)}
    argv = [sys.executable, "-m", "paperterm", "--offline", "--date", str(SIGNAL_DAY)]
    with real_terminal([*argv, "--days", "1"], env) as term:
        assert term.read_until(b"Paper number 0", 20)
        term.settle(0.3)
        term.type(b"e")
        painted = term.read_until(text.encode(), 15)  # shown only once it is on disk
        os.killpg(term.proc.pid, signal.SIGKILL)
        term.proc.wait(timeout=10)
    assert painted
    state = StateStore(private_dirs["data"] / "state.toml").load()
    assert text in state.note("2408.00000")


async def test_the_reader_exports_the_list_as_filtered(
    day_2024: FakeHF,
    private_dirs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # the export lands in the folder paperterm started in
    made_in: set[str] = set()
    real_chunks = export_module.render_chunks

    def chunks(*args: Any, **kwargs: Any) -> Iterator[str]:
        for chunk in real_chunks(*args, **kwargs):
            made_in.add(threading.current_thread().name)
            yield chunk

    monkeypatch.setattr(export_module, "render_chunks", chunks)
    async with reader(private_dirs, notifications=True) as (app, pilot):
        await pilot.press("slash", *"upvotes:>=10", "enter")
        await pilot.pause()
        shown = [p.id for p in app.reader.paper_list.papers]
        assert 1 < len(shown) < 13
        await pilot.press("E", "2")  # the formats' second: Markdown
        await pilot.pause()
        await app.workers.wait_for_complete()
        written = list(tmp_path.glob("paperterm-*.md"))
        assert len(written) == 1, list(tmp_path.iterdir())
        assert any(str(written[0]) in n for n in await notices(app, pilot))
        await pilot.press("E", "1")  # BibTeX
        await pilot.pause()
        await app.workers.wait_for_complete()
    # Made off the event loop: a long list's export never stalls the keys.
    assert made_in and threading.main_thread().name not in made_in
    text = written[0].read_text()
    assert text.startswith("# Papers of 2024-08-01")
    assert [line for line in text.splitlines() if line.startswith("## ")].__len__() == len(shown)
    bib = next(tmp_path.glob("paperterm-*.bib")).read_text()
    assert [e["eprint"] for e in bibtexparser.loads(bib).entries] == shown  # as sorted


def test_json_is_written_a_record_at_a_time_and_reads_back_the_same() -> None:
    from paperterm.jsonio import write_pretty

    records = [{"id": "2407.21783", "title": "Ünï [b]x[/b]", "n": 2**70}, {"a": [1, None]}]
    out = io.StringIO()
    write_pretty(records, out)  # 2**70 is beyond orjson: that record goes through json
    assert json.loads(out.getvalue()) == records
    values: list[object] = [[], {"k": "v"}]
    for value in values:
        out = io.StringIO()
        write_pretty(value, out)
        assert json.loads(out.getvalue()) == value


def test_a_json_array_is_out_a_record_at_a_time_before_the_next_is_made() -> None:
    """`list --json` hands the writer its records one by one: each is on the output
    before the next is made, so a long list is never held whole."""
    from paperterm.jsonio import write_pretty_items

    out = io.StringIO()
    written_before: list[int] = []

    def records() -> Iterator[dict[str, object]]:
        for n in range(3):
            written_before.append(out.getvalue().count('"n"'))
            yield {"n": n, "title": "line\nbreak é"}

    write_pretty_items(records(), out)
    assert written_before == [0, 1, 2]
    assert json.loads(out.getvalue()) == [{"n": n, "title": "line\nbreak é"} for n in range(3)]
    empty = io.StringIO()
    write_pretty_items(iter(()), empty)
    assert empty.getvalue() == "[]\n"


def test_an_export_is_made_as_it_is_written_and_a_failure_keeps_the_old_file(
    tricky: list[Paper], tmp_path: Path
) -> None:
    """Each format's text comes a piece at a time, each paper taken only when the pieces
    before are out; written to a file, an export that fails half way leaves the file it
    would have replaced as it was, and no temp file."""
    from paperterm.fsutil import atomic_write_chunks

    def taking(papers: list[Paper], taken: list[str]) -> Iterator[Paper]:
        for paper in papers:
            taken.append(paper.id)
            yield paper

    for fmt in export_module.FORMATS:
        taken: list[str] = []
        pieces = export_module.render_chunks(fmt, taking(tricky, taken))
        first = next(pieces)
        assert len(taken) <= 1, fmt
        assert first + "".join(pieces) == "".join(export_module.render_chunks(fmt, tricky)), fmt

    target = tmp_path / "list.md"
    target.write_text("the export of yesterday\n")

    def failing() -> Iterator[bytes]:
        for n, chunk in enumerate(export_module.render_chunks("markdown", tricky)):
            if n == 2:
                raise OSError(28, "No space left on device")
            yield chunk.encode()

    with pytest.raises(OSError, match="No space"):
        atomic_write_chunks(target, failing())
    assert target.read_text() == "the export of yesterday\n"
    assert [p.name for p in tmp_path.iterdir()] == ["list.md"]
