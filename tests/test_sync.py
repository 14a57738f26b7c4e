"""State that follows you between machines (issue 15): two machines change the state, a
sync tool leaves the other side as a conflict copy (each tool names it its own way, git
leaves markers in the file), and paperterm merges it: the union of the stars, read marks
and notes, the later time winning on the same paper, the copy moved into merged/."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DAY_2024, PAGE_2024
from hfserver import FakeHF
from test_app import notices, reader
from test_cli import run_cli

from paperterm.startup import merge_state_copies
from paperterm.state import StateStore

T1 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=3)


def machine(folder: Path, when: datetime, changes: dict[str, list[str]]) -> Path:
    """A state file as one machine left it: stars, read marks and notes at `when`."""
    store = StateStore(folder / "state.toml", clock=lambda: when).load()
    for paper_id in changes.get("star", []):
        store.set_starred(paper_id)
    for paper_id in changes.get("read", []):
        store.set_read(paper_id)
    for note in changes.get("note", []):
        paper_id, text = note.split("=", 1)
        store.set_note(paper_id, text)
    store.record_visit()
    assert store.save()
    return folder / "state.toml"


LAPTOP = {
    "star": ["2401.00001", "2401.00004"],
    "read": ["2401.00002"],
    "note": ["2401.00003=laptop"],
}
DESKTOP = {
    "star": ["2401.00005", "2401.00004"],
    "read": ["2401.00001"],
    "note": ["2401.00003=desktop, later", "2401.00006=only here"],
}


def leave_copies(theirs: Path, ours: Path, name: str) -> list[str]:
    """What a sync tool leaves when both machines changed the state: for each of its files
    (the index, each month) that differs, their side beside ours, named the tool's way
    (`name` with `{stem}` for the file's stem). The copies' names."""
    left = []
    for their_file in [theirs, *sorted(theirs.with_name(theirs.stem).glob("*.toml"))]:
        our_file = ours.parent / their_file.relative_to(theirs.parent)
        if not our_file.exists():  # changed on one machine only: it simply arrives
            our_file.parent.mkdir(exist_ok=True)
            shutil.copyfile(their_file, our_file)
            continue
        if our_file.read_bytes() == their_file.read_bytes():
            continue
        copy = our_file.with_name(name.format(stem=our_file.stem))
        shutil.copyfile(their_file, copy)
        left.append(copy.name)
    return left


def two_machines(tmp_path: Path) -> tuple[Path, Path]:
    laptop = machine(tmp_path / "laptop", T1, LAPTOP)
    desktop = machine(tmp_path / "desktop", T2, DESKTOP)
    return laptop, desktop


def assert_union(store: StateStore) -> None:
    assert store.starred_ids == {"2401.00001", "2401.00004", "2401.00005"}
    assert store.read_ids == {"2401.00001", "2401.00002"}
    assert store.starred_at("2401.00004") == T2  # on both: the later time
    assert store.starred_at("2401.00001") == T1
    assert store.note("2401.00003") == "desktop, later"  # the later edit
    assert store.note("2401.00006") == "only here"
    assert store.last_visit == T2


@pytest.mark.parametrize(
    "copy_name",
    [
        "{stem}.sync-conflict-20261201-110000-ABCDEF1.toml",  # Syncthing
        "{stem} (Desktop's conflicted copy 2026-12-01).toml",  # Dropbox
        "{stem} (conflicted copy 2026-12-01 110000).toml",  # Nextcloud
    ],
)
def test_a_sync_tools_conflict_copy_is_merged(tmp_path: Path, copy_name: str) -> None:
    laptop, desktop = two_machines(tmp_path)
    left = leave_copies(desktop, laptop, copy_name)
    # The index and the month both changed on both machines: a copy of each.
    assert left == [copy_name.format(stem=s) for s in ("state", "2024-01")]
    store = StateStore(laptop).load()
    said = merge_state_copies(store)
    assert all(any(name in s and "merged" in s for s in said) for name in left), said
    assert_union(store)
    assert_union(StateStore(laptop).load())  # saved, not only in memory
    left_over = [p for p in laptop.parent.rglob("*conflict*") if p.parent.name != "merged"]
    assert not left_over
    merged = sorted(p.name for p in (laptop.parent / "merged").iterdir())
    assert merged == sorted(left)  # kept, and not merged twice
    assert merge_state_copies(StateStore(laptop).load()) == []


def test_git_conflict_markers_are_merged_not_set_aside(tmp_path: Path) -> None:
    laptop, desktop = two_machines(tmp_path)
    month = laptop.with_name("state") / "2024-01.toml"
    theirs_month = desktop.with_name("state") / "2024-01.toml"
    for ours, theirs in ((laptop, desktop), (month, theirs_month)):
        mine, other = ours.read_text(), theirs.read_text()
        ours.write_text(f"<<<<<<< HEAD\n{mine}=======\n{other}>>>>>>> desktop\n")
    store = StateStore(laptop).load()
    said = merge_state_copies(store)
    assert any("git conflict" in s for s in said), said
    assert_union(store)
    assert any("git conflict in 2024-01.toml" in w for w in store.warnings), store.warnings
    assert store.save()
    assert "<<<<<<<" not in laptop.read_text() and "<<<<<<<" not in month.read_text()
    assert_union(StateStore(laptop).load())
    assert list((laptop.parent / "merged").glob("state.toml.git-conflict-*"))
    assert list(tmp_path.joinpath("laptop").rglob("2024-01.toml.git-conflict-*"))
    assert not list(tmp_path.joinpath("laptop").rglob("*.corrupt-*"))


def test_a_copy_that_cannot_be_read_is_left_where_it_is(tmp_path: Path) -> None:
    laptop, _ = two_machines(tmp_path)
    junk = laptop.with_name("state.sync-conflict-20261201-110000-XYZ.toml")
    junk.write_text("this is [not toml")
    store = StateStore(laptop).load()
    said = merge_state_copies(store)
    assert any(junk.name in s and "left where it is" in s for s in said), said
    assert junk.read_text() == "this is [not toml"
    assert store.starred_ids == {"2401.00001", "2401.00004"}  # the laptop's, untouched


def test_the_command_line_merges_and_says_so(tmp_path: Path, private_dirs: dict[str, Path]) -> None:
    data = private_dirs["data"]
    machine(data, T1, LAPTOP)
    desktop = machine(tmp_path / "desktop", T2, DESKTOP)
    leave_copies(desktop, data / "state.toml", "{stem}.sync-conflict-20261201-110000-ABCDEF1.toml")
    starred = run_cli("list", "--starred", "--offline", "--json", check=True)
    assert "merged" in starred.stderr and "2401.00005" in starred.stdout


async def test_a_refresh_merges_what_arrived_while_reading(
    fake_hf: FakeHF, private_dirs: dict[str, Path], tmp_path: Path
) -> None:
    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs, notifications=True) as (app, pilot):
        paper = app.reader.paper_list.papers[0]
        other = machine(tmp_path / "desktop", T2, {"star": [paper.id]})
        leave_copies(
            other, private_dirs["data"] / "state.toml", "{stem} (Desktop's conflicted copy).toml"
        )
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.store.is_starred(paper.id)
        assert any("merged" in n for n in await notices(app, pilot))
