"""State that follows you between machines: the conflict copies sync tools leave when two
machines changed the state, merged back in. No Textual.

When `state.toml` changed on two machines, Syncthing keeps the other side as
`state.sync-conflict-YYYYMMDD-HHMMSS-XXXXXXX.toml`, Dropbox (and Nextcloud) as
`state (… conflicted copy …).toml`, and git leaves `<<<<<<<` markers in `state.toml`
itself; the same goes for each month's file in `state/`
(`state/2024-08.sync-conflict-….toml`; git markers there are resolved by the store when
it reads the month). Each copy is merged into the state by operation and time (every star,
read mark and note kept; on the same paper the later time wins), the state is saved, and
the copy is moved into `merged/` beside it, so nothing is lost and nothing is merged twice.
A copy that cannot be read is left where it is, and said.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from paperterm.fsutil import atomic_write, ensure_dir, read_regular
from paperterm.state import StateError, StateStore, parse_state, read_copy

_GIT_MARKERS = re.compile(rb"^<<<<<<< .*?$.*?^=======\s*$.*?^>>>>>>> .*?$", re.M | re.S)


@dataclass
class MergeReport:
    merged: list[str] = field(default_factory=list)
    """Each copy merged, as the user knows it (its file name)."""
    changed: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        out = list(self.problems)
        if self.merged:
            names = ", ".join(self.merged)
            out.append(
                f"merged {len(self.changed)} changes from {names} into the state "
                "(the copies are in merged/)"
            )
        return out


def conflict_copies(path: Path) -> list[Path]:
    """The sync tools' copies of the state's files (`state.toml` beside it, each month's in
    `state/`), oldest first within each folder."""
    suffix = path.suffix
    return _copies_in(path.parent, suffix, path.stem) + _copies_in(
        path.with_name(path.stem), suffix, None
    )


def copy_of(name: str, suffix: str) -> str | None:
    """The stem of the file `name` is a sync tool's conflict copy of, if it is one:
    Syncthing's `<stem>.sync-conflict-….toml`, Dropbox's and Nextcloud's
    `<stem> (… conflicted copy …).toml`."""
    if not name.endswith(suffix):
        return None
    if ".sync-conflict-" in name:
        return name.partition(".sync-conflict-")[0]
    if " (" in name and "conflicted copy" in name and name.endswith(f"){suffix}"):
        return name.partition(" (")[0]
    return None


def _copies_in(folder: Path, suffix: str, stem: str | None) -> list[Path]:
    """The copies in `folder` of the file named `stem` (of any file, when None)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            of = copy_of(entry.name, suffix)
            if of is not None and (stem is None or of == stem) and entry.is_file():
                found.append(Path(entry.path))
    return sorted(found, key=lambda p: p.name)


def has_git_markers(raw: bytes) -> bool:
    return _GIT_MARKERS.search(raw) is not None


def git_sides(raw: bytes) -> tuple[bytes, bytes]:
    """The two versions a git conflict left in one file: ours and theirs."""
    ours: list[bytes] = []
    theirs: list[bytes] = []
    side = "both"
    for line in raw.splitlines(keepends=True):
        if line.startswith(b"<<<<<<< "):
            side = "ours"
        elif line.startswith(b"=======") and side == "ours":
            side = "theirs"
        elif line.startswith(b">>>>>>> ") and side == "theirs":
            side = "both"
        else:
            if side in ("both", "ours"):
                ours.append(line)
            if side in ("both", "theirs"):
                theirs.append(line)
    return b"".join(ours), b"".join(theirs)


def _merged_dir(path: Path) -> Path:
    return path.parent / "merged"


def _move_aside(copy: Path, merged: Path, name: str | None = None) -> None:
    ensure_dir(merged)
    target = merged / (name or copy.name)
    if target.exists():
        target = merged / f"{target.name}.{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    os.replace(copy, target)


def resolve_git_conflict(path: Path) -> tuple[bytes | None, str | None]:
    """A state.toml with git's markers: our side is written as the state (the marked file
    kept in merged/) and their side returned, to be merged in; or a problem."""
    try:
        raw = read_regular(path)
    except OSError:
        return None, None
    if not has_git_markers(raw):
        return None, None
    ours, theirs = git_sides(raw)
    try:
        parse_state(ours, path.name)
        parse_state(theirs, path.name)
    except StateError as error:
        return None, f"{path.name} has git conflict markers and a side cannot be read ({error})"
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    merged = _merged_dir(path)
    ensure_dir(merged)
    atomic_write(merged / f"{path.name}.git-conflict-{stamp}", raw)
    atomic_write(path, ours)
    return theirs, None


def merge_conflicts(store: StateStore) -> MergeReport:
    """Merge every conflict copy beside the store's (loaded) file, and the other side of a
    git conflict it held, into the store; save; move the copies into merged/."""
    report = MergeReport()
    if store.read_only:
        return report
    theirs, store.other_side = store.other_side, None
    copies = conflict_copies(store.path)
    taken: list[Path] = []
    if theirs is not None:
        report.changed |= store.absorb(parse_state(theirs, store.path.name))
        report.merged.append(f"the other side of the git conflict in {store.path.name}")
    for copy in copies:
        try:
            data = read_copy(copy)
        except StateError as error:
            report.problems.append(f"{copy.name} could not be merged ({error}); left where it is")
            continue
        report.changed |= store.absorb(data)
        taken.append(copy)
        report.merged.append(copy.name)
    if not report.merged:
        return report
    if not store.save():
        report.problems.append(
            f"the conflict copies could not be merged ({store.save_error}); they are kept"
        )
        report.merged.clear()
        return report
    for copy in taken:
        try:
            _move_aside(copy, _merged_dir(store.path))
        except OSError as error:
            report.problems.append(f"{copy.name} was merged but could not be moved: {error}")
    return report


def worth_a_look(store: StateStore) -> bool:
    """Cheap, for every start and refresh: could there be anything to merge? The other
    side of a git conflict, or a name of a copy beside the state."""
    if store.other_side is not None:
        return True
    path = store.path
    for folder, stem in ((path.parent, path.stem), (path.with_name(path.stem), None)):
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                of = copy_of(name, path.suffix)
                if of is not None and (stem is None or of == stem):
                    return True
    return False
