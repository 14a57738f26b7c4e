"""The state file: nothing the user starred or read is ever lost."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from statefiles import on_disk

from paperterm.state import StateStore


def store(path: Path) -> StateStore:
    return StateStore(path).load()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    s = store(path)
    s.set_starred("2407.21783")
    s.set_read("2407.21705")
    s.record_visit()
    assert s.save()
    doc = on_disk(path)
    assert doc["schema"] == 2 and "2407.21783" in doc["starred"] and "last_visit" in doc
    again = store(path)
    assert again.is_starred("2407.21783") and again.is_read("2407.21705")
    assert not again.is_starred("2407.21705") and not again.warnings


def test_two_instances_merge_instead_of_overwriting(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    a, b = store(path), store(path)
    a.set_starred("A")
    assert a.save()
    b.set_starred("B")
    assert b.save()
    a.set_read("C")
    assert a.save()
    final = store(path)
    assert final.starred_ids == {"A", "B"} and final.read_ids == {"C"}
    assert a.is_starred("B")  # a sees b's change after its own save


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from paperterm.state import StateStore
    path, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    s = StateStore(path).load()
    for i in range(count):
        s.set_starred(f"{prefix}{i}")
        assert s.save(), s.save_error
    """
)


def test_two_processes_starring_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), prefix, "150"])
        for prefix in ("a", "b")
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    final = store(path)
    assert final.starred_ids == {f"{p}{i}" for p in "ab" for i in range(150)}


@pytest.mark.parametrize(
    "content",
    [
        b'schema = 1\n[starred]\n"2407.21783" = 2026-11-',  # truncated
        b"\x00\x01garbage\xff\xfe",  # garbage, not UTF-8
        b"schema = 1\nstarred = 5\n",  # wrong type
        b"   \n",  # empty
    ],
    ids=["truncated", "garbage", "wrong-type", "empty"],
)
def test_corrupt_file_is_set_aside_and_backup_used(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.toml"
    good = store(path)
    good.set_starred("2407.21783")
    assert good.save()
    store(path)  # a good load refreshes the backup
    path.write_bytes(content)
    s = store(path)
    assert any("moved aside" in w for w in s.warnings), s.warnings
    assert s.is_starred("2407.21783")  # from the backup
    aside = list(tmp_path.glob("state.toml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content  # never overwritten
    s.set_starred("2408.00001")
    assert s.save()
    assert store(path).starred_ids == {"2407.21783", "2408.00001"}


def test_newer_schema_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    original = b'schema = 99\n[starred]\n"X" = 2026-01-01T00:00:00Z\n'
    path.write_bytes(original)
    s = store(path)
    assert s.read_only and any("newer paperterm" in w for w in s.warnings)
    assert s.is_starred("X")
    s.set_starred("Y")
    assert not s.save() and "read-only" in (s.save_error or "")
    assert path.read_bytes() == original


def test_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_bytes(b'\xef\xbb\xbfschema = 1\n[read]\n"X" = 2026-01-01T00:00:00Z\n')
    s = store(path)
    assert s.is_read("X") and not s.warnings


def test_failed_write_keeps_changes_and_saves_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.toml"
    s = store(path)
    s.set_starred("A")
    assert s.save()

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    s.set_starred("B")
    assert not s.save()
    assert "No space left" in (s.save_error or "")
    assert s.is_starred("B") and s.dirty  # kept in memory
    assert store(path).starred_ids == {"A"}  # the file is the last good one
    monkeypatch.undo()
    assert s.save() and s.save_error is None
    assert store(path).starred_ids == {"A", "B"}
    assert not list(tmp_path.glob(".state.toml.*.tmp"))  # no temp files left behind


def test_a_sound_file_opens_while_another_instance_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting a second reader while the first is saving neither waits nor goes
    read-only: a good file is read without the lock (writes replace it whole). A file
    that needs repair is repaired only under the lock, so then it waits, and says so."""
    from filelock import FileLock

    import paperterm.state as state_module

    path = tmp_path / "state.toml"
    first = store(path)
    first.set_starred("2407.21783")
    assert first.save()
    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(path.with_name(path.name + ".lock"))):
        second = StateStore(path).load()
        assert second.is_starred("2407.21783")
        assert not second.read_only and not second.warnings
        path.write_bytes(b"schema = 1\nstarred = [")  # broken: needs setting aside
        third = StateStore(path).load()
        assert third.read_only
        assert any("locked by another process" in w for w in third.warnings)
        assert path.read_bytes() == b"schema = 1\nstarred = ["  # not touched without the lock
    fourth = StateStore(path).load()  # lock free: set aside, backup restores the star
    assert fourth.is_starred("2407.21783") and not fourth.read_only
    assert any(p.name.startswith("state.toml.corrupt-") for p in tmp_path.iterdir())


def test_first_run_reads_nothing_and_needs_no_lock(tmp_path: Path) -> None:
    """No state file and no backup: an empty state, no warnings, and no lock taken (a lock
    file would be the sign), so a first start does not pay for the lock."""
    path = tmp_path / "state.toml"
    s = store(path)
    assert not s.read_ids and not s.starred_ids and not s.warnings and not s.read_only
    assert not path.with_name("state.toml.lock").exists()
    s.set_starred("2407.21783")
    assert s.save() and store(path).is_starred("2407.21783")
