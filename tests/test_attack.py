"""The defects found by attack (issue 11), each driven as a user meets it: a real pty for
signals, a full tmpfs or a blocked folder for the disks, a hostile loopback server for the
network, and the CLI as a shell runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import DAY_2024, PAGE_2024
from hfserver import FakeHF, Scripted
from realterm import real_terminal
from signalround import SIGNAL_DAY, seed_signal_cache, star_and_signal
from statefiles import on_disk
from test_app import RecordingBrowser, current, make_app, notices, row_texts, settle
from test_cli import run_cli
from test_library import PAGE_PATH, make_library

from paperterm import state as state_module
from paperterm.browser import BrowserOpener
from paperterm.fsutil import remove_stale_temps
from paperterm.library import DayResult
from paperterm.model import PaperIdError, parse_paper_id
from paperterm.scrape import MAX_COUNT, parse_api
from paperterm.screens.papers import SAVING_SHOWN_AFTER
from paperterm.state import StateStore
from paperterm.text import clean_block, clean_line

# ------------------------------------------------------------------ 1. a painted star stays


def test_a_star_painted_survives_kill_9_sighup_and_sigterm(tmp_path: Path) -> None:
    """Press `s`, see ★ in a real terminal, signal at once: over 102 rounds (kill -9, the
    terminal closed then SIGHUP, SIGTERM), the star is in the state file every time, and
    SIGHUP and SIGTERM exit cleanly with 128 + the signal."""
    seed_signal_cache(tmp_path / "cache")
    rounds = [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM] * 34

    def one(i: int) -> tuple[int, bool, int | None, bool, bytes]:
        data = tmp_path / f"data{i}"
        env = {
            **os.environ,
            "PAPERTERM_DATA_DIR": str(data),
            "PAPERTERM_CACHE_DIR": str(tmp_path / "cache"),
            "PAPERTERM_CONFIG_DIR": str(tmp_path / "config"),
        }
        signum = rounds[i]
        painted, code, screen = star_and_signal(env, signum)
        starred = "2408.00000" in on_disk(data / "state.toml")["starred"]
        return signum, painted, code, starred, screen

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, range(len(rounds))))
    for signum, painted, code, starred, screen in results:
        assert painted, screen[-2000:]
        assert starred, f"★ was painted, then lost to signal {signum}"
        if signum != signal.SIGKILL:
            assert code == 128 + signum
            assert b"Traceback" not in screen


async def test_a_toggle_shows_as_saving_until_it_is_on_disk(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        gate = threading.Event()
        real_save = app.store.save

        def slow_save() -> bool:
            gate.wait(10)
            return real_save()

        app.store.save = slow_save  # type: ignore[method-assign]
        await pilot.press("g", "s")
        await pilot.pause()
        assert "★" not in row_texts(app)[1]  # not on disk yet: not shown as done
        await pilot.pause(SAVING_SHOWN_AFTER * 2)  # a slow disk: shown as saving
        top = row_texts(app)[1]
        assert "◌" in top and "★" not in top
        assert "saving" in str(app.reader.abstract.plain)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        top = row_texts(app)[1]
        assert "★" in top and "◌" not in top
        assert current(app).id in on_disk(private_dirs["data"] / "state.toml")["starred"]


# ------------------------------------------------------------------ 2-4. the state file


def test_entries_of_the_wrong_type_are_kept_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text(
        "schema = 1\n"
        "[read]\n"
        '"2608.18580" = 2026-11-30\n'
        '"2608.00001" = "yesterday"\n'
        '"2608.00002" = 3\n'
        "[starred]\n"
        '"2608.00003" = 2026-11-29T10:00:00Z\n'
    )
    store = StateStore(path).load()
    assert store.is_read("2608.18580")  # a TOML date is that day
    assert any("2 [read] entries not a time" in w and "kept" in w for w in store.warnings)
    store.set_starred("2608.00009")
    assert store.save()
    doc = on_disk(path)
    assert doc["read"]["2608.00001"] == "yesterday" and doc["read"]["2608.00002"] == 3
    assert "2608.18580" in doc["read"] and "2608.00009" in doc["starred"]
    again = StateStore(path).load()
    again.set_read("2608.00004")
    assert again.save()
    backup = tomllib.loads((tmp_path / "state" / "2026-08.toml.bak").read_text())
    assert backup["read"]["2608.00001"] == "yesterday"  # the backup keeps them too
    # Marking it read replaces the unusable value: the user's own action wins.
    again.set_read("2608.00001")
    assert again.save()
    assert isinstance(on_disk(path)["read"]["2608.00001"], datetime)


def test_a_newer_schema_file_is_never_renamed_or_replaced(tmp_path: Path, fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    data = Path(os.environ["PAPERTERM_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    newer = b'schema = 3\nread = ["2407.21783"]\n[layout]\nkind = "journal"\n'
    (data / "state.toml").write_bytes(newer)
    (data / "state.toml.bak").write_bytes(b"schema = 1\n[read]\n")
    listed = run_cli("list", "--offline", "--date", "2024-08-01", "--days", "1")
    assert listed.returncode == 0 and "read-only" in listed.stderr
    assert "moved aside" not in listed.stderr
    starred = run_cli("star", "2407.21783")
    assert starred.returncode != 0 and "read-only" in starred.stderr
    assert (data / "state.toml").read_bytes() == newer
    assert (data / "state.toml.bak").read_bytes() == b"schema = 1\n[read]\n"
    assert not list(data.glob("state.toml.corrupt-*"))


def test_stale_temp_files_go_and_a_live_writers_stay(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    old = time.time() - 7200
    names = {
        "dead": f".state.toml.{dead.pid}.x1.tmp",
        "live": f".state.toml.{os.getppid()}.x2.tmp",
        "old_unowned": ".state.toml.abcd1234.tmp",
        "new_unowned": ".state.toml.efgh5678.tmp",
        "backup_dead": f".state.toml.bak.{dead.pid}.x3.tmp",
        "other_file": f".seen.json.{dead.pid}.x4.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("half a save")
    os.utime(tmp_path / names["old_unowned"], (old, old))
    StateStore(path).load()
    left = {p.name for p in tmp_path.iterdir()}
    assert names["dead"] not in left and names["old_unowned"] not in left
    assert names["backup_dead"] not in left
    assert {names["live"], names["new_unowned"], names["other_file"]} <= left
    assert remove_stale_temps(path) == []


# ------------------------------------------------------------ 5. a cache that cannot be written


@pytest.fixture(params=["size=16k", "ro"], ids=["full", "read-only"])
def full_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A tmpfs as the cache that cannot take the 2024 page (223 KB): 16 KiB, or mounted
    read-only (a chmod would not stop root, which the tests may run as)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", request.param, "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    monkeypatch.setenv("PAPERTERM_CACHE_DIR", str(mount))
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_cache_costs_only_caching_in_the_cli(fake_hf: FakeHF, full_cache: Path) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    proc = run_cli("list", "--date", "2024-08-01", "--days", "1")
    assert proc.returncode == 0, proc.stderr
    assert "The Llama 3 Herd of Models" in proc.stdout
    assert proc.stderr.count("the cache is not being written") == 1
    assert "No space left" in proc.stderr or "Read-only file system" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_cache_folder_that_is_a_file_costs_only_caching(
    fake_hf: FakeHF, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "cache-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PAPERTERM_CACHE_DIR", str(blocker / "cache"))
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    proc = run_cli("list", "--date", "2024-08-01", "--days", "1")
    assert proc.returncode == 0 and "The Llama 3 Herd of Models" in proc.stdout
    assert "is a file, not a folder" in proc.stderr and "Traceback" not in proc.stderr


async def test_a_full_cache_costs_only_caching_in_the_reader(
    fake_hf: FakeHF, private_dirs: dict[str, Path], full_cache: Path
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.is_running and len(app.reader.paper_list.papers) == 13
        told = [n for n in await notices(app, pilot) if "not being written" in n]
        assert len(told) == 1


# ------------------------------------------------------------------ 6. failing workers


async def test_a_failing_worker_keeps_the_view_and_logs_the_traceback(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await settle(app, pilot)

        async def broken(*args: object, **kw: object) -> list[DayResult]:
            raise RuntimeError("the refresh broke")

        app.library.load_range = broken  # type: ignore[method-assign]
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and len(app.reader.paper_list.papers) == 13
        shown = [n for n in await notices(app, pilot) if "failed" in n]
        assert shown and "the refresh broke" in shown[-1] and "errors.log" in shown[-1]
    log = (private_dirs["cache"] / "errors.log").read_text()
    assert "RuntimeError: the refresh broke" in log and "Traceback" in log


def test_a_crash_exits_non_zero_and_is_logged(tmp_path: Path) -> None:
    """A crash outside the workers: Textual shows it, the log keeps it, the exit says it."""
    seed_signal_cache(tmp_path / "cache")
    env = {
        **os.environ,
        "PAPERTERM_DATA_DIR": str(tmp_path / "data"),
        "PAPERTERM_CACHE_DIR": str(tmp_path / "cache"),
    }
    script = (
        "import sys; from paperterm import cli\n"
        "from paperterm.screens.papers import PapersScreen\n"
        "def boom(self): raise ZeroDivisionError('boom')\n"
        "PapersScreen.action_star = boom\n"
        f"sys.exit(cli.main(['--offline', '--date', '{SIGNAL_DAY}', '--days', '1']))\n"
    )
    with real_terminal([sys.executable, "-c", script], env) as term:
        assert term.read_until(b"Paper number 0", 20)
        term.settle(0.3)
        term.type(b"s")
        term.settle(3.0)
        code = term.proc.wait(timeout=15)
    assert code == 1
    assert "ZeroDivisionError: boom" in (tmp_path / "cache" / "errors.log").read_text()


# ------------------------------------------------------------------ 7. the UI and the lock


def test_changes_never_wait_for_the_file_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    path = tmp_path / "state.toml"
    store = StateStore(path).load()
    store.set_read("a")
    assert store.save()
    held = FileLock(str(path) + ".lock")
    held.acquire()
    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 3.0)
    try:
        store.set_read("b")
        saver = threading.Thread(target=store.save)
        saver.start()
        time.sleep(0.3)  # the save is now waiting for the lock
        started = time.monotonic()
        store.set_read("c")  # what the UI thread does on a read mark
        store.set_starred("d")
        waited = time.monotonic() - started
        assert waited < 1.0, f"a change waited {waited:.1f} s behind the file lock"
        assert saver.is_alive()
    finally:
        held.release()
    saver.join(10)
    assert store.save()
    final = StateStore(path).load()
    assert final.read_ids == {"a", "b", "c"} and final.starred_ids == {"d"}


# ------------------------------------------------------------------ 8. the ends of time


@pytest.mark.parametrize(
    ("day", "says"),
    [("0001-01-01", "before the feed began"), ("9999-12-31", "is in the future")],
)
def test_dates_at_the_ends_of_time_get_one_line(day: str, says: str) -> None:
    proc = run_cli("list", "--date", day, "--offline")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert says in proc.stderr and proc.stderr.count("\n") == 1
    assert "first day with papers is" in proc.stderr or "newest day with papers" in proc.stderr


async def test_go_to_the_year_one_says_so(fake_hf: FakeHF, private_dirs: dict[str, Path]) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await settle(app, pilot)
        for typed in ("0001-01-01", "9999-12-31"):
            await pilot.press("d", *typed, "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running
        messages = await notices(app, pilot)
        assert any("before the feed began" in m for m in messages)
        assert any("in the future" in m and "newest day with papers" in m for m in messages)


# ------------------------------------------------------------------ 9. not a file


def test_a_fifo_at_the_state_path_is_refused_not_read(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    data = Path(os.environ["PAPERTERM_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    os.mkfifo(data / "state.toml")
    listed = run_cli("list", "--offline", "--date", "2024-08-01", "--days", "1")
    assert listed.returncode == 0 and "is a FIFO, not a regular file" in listed.stderr
    starred = run_cli("star", "2407.21783")
    assert starred.returncode == 1 and "read-only" in starred.stderr


# ------------------------------------------------------------------ 10. one deadline


async def test_a_trickling_server_is_given_one_deadline_per_day(fake_hf: FakeHF) -> None:
    body = PAGE_2024.read_bytes()
    fake_hf.script(PAGE_PATH, Scripted(200, body, drip=0.05))
    fake_hf.script("/api/daily_papers", Scripted(200, b"[]" * 2000, drip=0.05))
    library = make_library(fake_hf, datetime(2024, 8, 2, 9, tzinfo=UTC), attempts=3)
    library.config.deadline = 1.5
    started = time.monotonic()
    result = await library.load_day(DAY_2024)
    took = time.monotonic() - started
    await library.aclose()
    assert result.status == "error" and "1.5 s" in result.message
    assert took < 6, f"one day took {took:.1f} s against a 1.5 s deadline"


def test_a_trickling_server_cannot_hold_list_past_its_deadline(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    config = private_dirs["config"]
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("deadline = 30\ncommand_deadline = 2\n")
    fake_hf.script(PAGE_PATH, Scripted(200, PAGE_2024.read_bytes(), drip=0.05))
    started = time.monotonic()
    proc = run_cli("list", "--date", "2024-08-01", "--days", "1")
    took = time.monotonic() - started
    assert took < 15, f"list took {took:.1f} s against a 2 s deadline"
    assert "deadline" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ 11. messages are cleaned


def test_control_bytes_in_a_redirect_never_reach_the_terminal(fake_hf: FakeHF) -> None:
    evil = "http://evil.example/\x9b2J\x9d0;owned\x9c"
    fake_hf.script(PAGE_PATH, Scripted(302, headers={"Location": evil}))
    fake_hf.script("/api/daily_papers", Scripted(302, headers={"Location": evil}))
    proc = subprocess.run(
        [sys.executable, "-m", "paperterm", "list", "--date", "2024-08-01", "--days", "1"],
        capture_output=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert b"redirected to another host" in proc.stderr
    for bad in (b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x9c", b"\x1b"):
        assert bad not in proc.stderr and bad not in proc.stdout


# ------------------------------------------------------------------ 12. a browser that is not there


class NoBrowser(RecordingBrowser):
    def open(self, url: str) -> bool:
        self.urls.append(url)
        return False


async def test_no_browser_is_said_and_the_link_can_be_copied(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs, browser=NoBrowser())
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("g", "a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.reader.status_bar.left.plain
        assert "no browser could be started" in status and "opened" not in status
        assert "https://arxiv.org/abs/2407.21783" in status
        assert not app.store.is_read("2407.21783")  # nothing was opened, nothing read
        await pilot.press("y")
        assert app.clipboard == "https://arxiv.org/abs/2407.21783"
        await pilot.press("j")  # the note was about the paper left behind
        assert "no browser" not in app.reader.status_bar.left.plain


def test_the_opener_says_false_when_there_is_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open, no lynx, nothing
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    assert BrowserOpener().open("https://arxiv.org/abs/2407.21783") is False


# ------------------------------------------------------------ 13. messages that name the thing


def test_a_lock_that_is_a_folder_is_named(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    data = Path(os.environ["PAPERTERM_DATA_DIR"])
    (data / "state.toml.lock").mkdir(parents=True)
    proc = run_cli("star", "2407.21783")
    assert proc.returncode == 1 and "state.toml.lock" in proc.stderr


def test_a_data_dir_that_is_a_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_hf: FakeHF
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("PAPERTERM_DATA_DIR", str(blocker / "data"))
    proc = run_cli("star", "2407.21783")
    assert proc.returncode == 1
    assert f"{blocker} is a file, not a folder" in proc.stderr
    assert "File exists" not in proc.stderr


def test_many_days_offline_are_summed_up_once(fake_hf: FakeHF) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    proc = run_cli("list", "--offline", "--date", "2024-08-01", "--days", "3650")
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "not in the cache:" in lines[0] and "days, " in lines[0]


async def test_a_locked_note_clears_once_a_save_succeeds(
    fake_hf: FakeHF, private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 0.2)
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    app = make_app(private_dirs)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        held = FileLock(str(private_dirs["data"] / "state.toml.lock"))
        held.acquire()
        try:
            await pilot.press("g", "s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "locked by another paperterm" in app.reader.status_bar.left.plain
            assert "◌" in row_texts(app)[1]  # still not on disk, and shown so
        finally:
            held.release()
        await pilot.press("j", "s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "locked" not in app.reader.status_bar.left.plain
        assert "◌" not in "\n".join(row_texts(app))


# ------------------------------------------------------------------ 14. id forms


@pytest.mark.parametrize(
    "text",
    [
        "2407.21783",
        "arXiv:2407.21783",
        "ARXIV:2407.21783",
        "2407.21783v3",
        "https://arxiv.org/abs/2407.21783v1",
        "https://arxiv.org/pdf/2407.21783v2.pdf",
        "https://huggingface.co/papers/2407.21783",
    ],
)
def test_documented_id_forms_are_accepted(text: str) -> None:
    assert parse_paper_id(text) == "2407.21783"


def test_old_style_ids_are_not_on_hf_papers(fake_hf: FakeHF) -> None:
    with pytest.raises(PaperIdError, match="not on Hugging Face Papers"):
        parse_paper_id("hep-th/9901001")
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    run_cli("list", "--date", "2024-08-01", "--days", "1", check=True)
    proc = run_cli("star", "https://arxiv.org/abs/hep-th/9901001")
    assert proc.returncode == 1 and "not on Hugging Face Papers" in proc.stderr
    proc = run_cli("star", "arXiv:2407.21783", "https://arxiv.org/pdf/2407.21705v1.pdf")
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------ 15. invisible and absurd


def test_invisible_characters_are_removed() -> None:
    title = "Attention\u061c is" + "\u200b" * 1990 + " all\u2060 you need"
    assert clean_line(title) == "Attention is all you need"
    assert clean_block("a\u200b\u200bb") == "ab"
    # Joiners shape emoji and scripts: kept, but a run of them is one.
    assert clean_line("👨\u200d👩") == "👨\u200d👩"
    assert clean_line("x" + "\u200d" * 500 + "y") == "x\u200dy"


def test_an_absurd_number_is_bounded(tmp_path: Path) -> None:
    import json

    item = {
        "paper": {
            "id": "2408.00001",
            "title": "Big numbers",
            "upvotes": 1e308,
            "githubStars": 10**400,
            "submittedOnDailyAt": "2024-08-01T00:00:00.000Z",
        },
        "numComments": "9" * 5000,
    }
    body = json.dumps([item]).replace("1e+308", "1e308").encode()
    (paper,) = parse_api(body, date(2024, 8, 1)).papers
    assert paper.upvotes == MAX_COUNT and paper.github_stars == MAX_COUNT
    assert paper.comments == 0


async def test_an_absurd_number_keeps_the_row_layout(private_dirs: dict[str, Path]) -> None:
    import json

    from paperterm.cache import DayCache
    from paperterm.scrape import parse_page

    item = {
        "paper": {
            "id": "2408.00001",
            "title": "Big numbers",
            "upvotes": 1e308,
            "submittedOnDailyAt": "2024-08-01T00:00:00.000Z",
        }
    }
    body = json.dumps([item]).encode()
    cache = DayCache(private_dirs["cache"], {"page": parse_page, "api": parse_api})
    papers = parse_api(body, DAY_2024).papers
    cache.store(DAY_2024, "api", body, papers, fetched_at=datetime.now(UTC), empty=False)
    app = make_app(private_dirs, offline=True)
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(app, pilot)
        row = row_texts(app)[1]
        assert "Big numbers" in row and len(str(MAX_COUNT)) < 12
