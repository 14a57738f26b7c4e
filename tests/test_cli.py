"""End to end over loopback: the real CLI against the fake site serving real captures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import DAY_2024, FIXTURES, PAGE_2024, PAGE_2026
from hfserver import FakeHF

from paperterm.cli import main


def run_cli(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a child process, as a user's shell would run it."""
    proc = subprocess.run(
        [sys.executable, "-m", "paperterm", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_list_json_gives_the_13_papers_by_upvotes(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    proc = run_cli("list", "--date", "2024-08-01", "--days", "1", "--json", check=True)
    papers = json.loads(proc.stdout)
    assert len(papers) == 13
    assert papers[0]["upvotes"] == 94 and papers[0]["title"] == "The Llama 3 Herd of Models"
    assert [p["upvotes"] for p in papers] == sorted((p["upvotes"] for p in papers), reverse=True)
    first = papers[0]
    assert first["id"] == "2407.21783" and first["day"] == "2024-08-01"
    assert isinstance(first["authors"], list) and len(first["authors"]) == 533
    assert first["github"] is None and first["read"] is False and first["starred"] is False
    assert fake_hf.hits["/papers/date/2024-08-01"] == 1


def test_star_read_then_list_shows_markers(
    fake_hf: FakeHF, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    assert main(["list", "--date", "2024-08-01", "--days", "1"]) == 0
    assert main(["star", "2407.21783"]) == 0
    assert main(["read", "https://arxiv.org/abs/2407.21705"]) == 0
    capsys.readouterr()
    assert main(["list", "--date", "2024-08-01", "--days", "1", "--json"]) == 0
    papers = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    assert papers["2407.21783"]["starred"] and not papers["2407.21783"]["read"]
    assert papers["2407.21705"]["read"] and not papers["2407.21705"]["starred"]
    assert main(["unstar", "2407.21783"]) == 0
    assert main(["list", "--date", "2024-08-01", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "Thu 2024-08-01 · 13 papers" in out
    assert "★" not in out


def test_second_list_is_served_from_cache_without_a_request(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    assert fake_hf.hits["/papers/date/2024-08-01"] == 1  # settled day: no revalidation


def test_offline_reads_cache_and_names_missing_days(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    proc = run_cli("list", "--offline", "--date", "2024-08-01", "--days", "2", "--json")
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)) == 13
    assert "not in the cache: 2024-07-31" in proc.stderr


def test_latest_day_comes_from_the_site(fake_hf: FakeHF) -> None:
    fake_hf.add_api_file(FIXTURES / "daily_papers_api_2026-08-21.json")
    proc = run_cli("list", "--days", "1", "--json", check=True)
    papers = json.loads(proc.stdout)
    assert len(papers) == 17 and {p["day"] for p in papers} == {"2026-08-21"}


def test_page_missing_falls_back_to_api(fake_hf: FakeHF) -> None:
    fake_hf.add_api_file(FIXTURES / "daily_papers_api_2025-03-05.json")
    proc = run_cli("list", "--date", "2025-03-05", "--days", "1", "--json", check=True)
    assert len(json.loads(proc.stdout)) == 12


def test_busy_day_is_paged_through(fake_hf: FakeHF) -> None:
    items = json.loads((FIXTURES / "daily_papers_api_2025-09-30.json").read_bytes())
    many = []
    for n in range(3):  # 150 distinct papers: two full pages of 100 would cut it
        for item in items:
            clone = json.loads(json.dumps(item))
            clone["paper"]["id"] = f"{clone['paper']['id']}{n}"[:10] + str(n)
            many.append(clone)
    fake_hf.add_api_day(date(2025, 9, 30), many)
    proc = run_cli("list", "--date", "2025-09-30", "--days", "1", "--json", check=True)
    assert len(json.loads(proc.stdout)) == 150


def test_fetch_warms_cache_with_progress(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    proc = run_cli("fetch", "--date", "2024-08-01", "--days", "1")
    assert proc.returncode == 0, proc.stderr
    assert "[1] 2024-08-01 13 papers" in proc.stderr
    assert "cached 1 day with papers" in proc.stderr
    offline = run_cli("list", "--offline", "--date", "2024-08-01", "--days", "1", "--json")
    assert len(json.loads(offline.stdout)) == 13


def test_2026_page_end_to_end(fake_hf: FakeHF) -> None:
    fake_hf.add_page(date(2026, 9, 28), PAGE_2026.read_bytes())
    proc = run_cli("list", "--date", "2026-09-28", "--days", "1", "--json", check=True)
    papers = json.loads(proc.stdout)
    assert len(papers) == 28 and papers[0]["upvotes"] == 110


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--date", "2024-13-01"], "not a date"),
        (["list", "--days", "zero"], "not a whole number"),
        (["star", "9999.99999"], "9999.99999 could not be checked"),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(args: list[str], message: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unwritable_data_dir_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_hf: FakeHF
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    monkeypatch.setenv("PAPERTERM_DATA_DIR", str(blocker / "data"))
    proc = run_cli("star", "2407.21783")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("paperterm: ")


def test_site_down_with_nothing_cached_fails_clearly() -> None:
    proc = run_cli("list", "--date", "2024-08-01", "--days", "1")
    assert proc.returncode == 1
    assert "cannot connect" in proc.stderr and "Traceback" not in proc.stderr


def test_version() -> None:
    proc = run_cli("--version", check=True)
    assert proc.stdout.startswith("paperterm ")


def test_start_up_leaves_heavy_imports_for_later(private_dirs: dict[str, Path]) -> None:
    """What the first frame does not need is not imported to paint it: the HTTP client,
    the HTML parser, the browser launcher, the lock library and the dialogs load on
    first use."""
    deferred = [
        "httpx",
        "selectolax",
        "webbrowser",
        "filelock",
        "paperterm.fetch",
        "paperterm.browser",
        "paperterm.widgets.dialogs",
    ]
    code = (
        "import sys, paperterm.cli, paperterm.app as a\n"
        "from paperterm import paths\n"
        "from paperterm.config import load_config\n"
        "config = load_config()\n"
        "store = a.StateStore(paths.state_file())\n"
        "seen = a.SeenStore(paths.data_dir() / 'seen.json')\n"
        "a.load_startup(a.Library(config), store, seen, end_date=None, days_wanted=7)\n"
        f"print([m for m in {deferred!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_reader_quiets_the_collector_before_importing_the_ui(
    private_dirs: dict[str, Path],
) -> None:
    """Importing Textual makes most of start-up's long-lived objects; at Python's default
    thresholds the collector walks them over and over before the first frame."""
    code = (
        "import gc, sys\n"
        "from paperterm import cli, gcpolicy\n"
        "class Stop(Exception): pass\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual.app':\n"
        "            print(gc.get_threshold()[0], gcpolicy.YOUNG_COLLECTION_THRESHOLD)\n"
        "            raise Stop\n"
        "sys.meta_path.insert(0, Spy())\n"
        "try:\n"
        "    cli.main(['--offline'])\n"
        "except Stop:\n"
        "    pass\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    threshold, wanted = out.split()
    assert threshold == wanted
