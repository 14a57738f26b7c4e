"""Read and starred papers and the last visit: TOML in the user data dir.

The file is the user's and must never be lost:
- every write is atomic (temp file, fsync, rename, fsync the dir);
- a `filelock` is held around re-read + apply + write, and changes are kept as operations
  applied to the file's current content, so two running instances merge rather than
  overwrite each other;
- a good load refreshes `state.toml.bak`; a file that cannot be read is moved aside as
  `state.toml.corrupt-<time>` and never overwritten, and the backup is used;
- a file from a newer paperterm (higher `schema`) is opened read-only: never renamed,
  replaced, or copied over the backup;
- an entry it cannot use (a string or number where a time belongs) is kept as it is,
  written back on every save, and reported; a TOML date counts as that day;
- what is not a regular file (a FIFO, socket, device) at the path is refused, not read;
- a failed write (read-only or full disk) keeps the changes in memory, says so, and
  they are written by the next save that succeeds;
- a change is "pending" until a save has written it: the reader paints it as done only
  then, so what the screen shows has reached the disk;
- the UI thread never waits on the file lock: only saves take it, and they hold the
  in-memory mutex just long enough to copy or swap the data.

Over 400 lines because each of those rules guards the same file and the same lock; a
store split across modules would make it harder to see that every path keeps them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tomli_w

from paperterm.fsutil import (
    NotRegularFile,
    atomic_write,
    describe_os_error,
    ensure_dir,
    read_regular,
    remove_stale_temps,
)

if TYPE_CHECKING:
    from filelock import FileLock

SCHEMA_VERSION = 1
LOCK_TIMEOUT = 10.0
READ_ONLY_NOTE = "state is read-only; changes are kept for this session only"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class StateError(Exception):
    """A state file problem fit to show the user in one line."""


Table = Literal["read", "starred"]
OpKind = Literal["read", "starred", "visit", "note"]
TABLES: tuple[Table, ...] = ("read", "starred")


@dataclass
class _Data:
    read: dict[str, datetime]
    starred: dict[str, datetime]
    last_visit: datetime | None = None
    notes: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    """A paper's note and when it was written (the later of two edits wins a merge)."""
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Entries of [read]/[starred] that are not times: not used, written back as found."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys this version does not know: written back as found."""

    @classmethod
    def empty(cls) -> _Data:
        return cls({}, {})

    def copy(self) -> _Data:
        return _Data(
            dict(self.read),
            dict(self.starred),
            self.last_visit,
            dict(self.notes),
            {name: dict(table) for name, table in self.kept.items()},
            dict(self.extra),
        )


# One change, replayed on top of whatever the file holds when it is saved.
_Op = tuple[OpKind, str, Any]


class StateStore:
    """The state file, loaded once, changed by operations, saved under a lock."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = path
        self.backup = path.with_name(path.name + ".bak")
        self.clock = clock
        self.warnings: list[str] = []
        """Things the user should be told about the file (set aside, read-only, ...)."""
        self.read_only = False
        self.save_error: str | None = None
        """Why the last save failed, until one succeeds."""
        self._data = _Data.empty()
        self._pending: list[_Op] = []
        self._pending_ids: dict[str, int] = {}
        """How many unsaved operations each paper has."""
        self._settled: set[str] = set()
        """Papers whose last pending operation a save has written, for `take_settled`."""
        self._file_sig: tuple[int, int, int] | None = None
        self._mutex = threading.RLock()
        """Guards the in-memory data; held briefly, never while waiting on the file lock."""
        self._save_mutex = threading.Lock()
        """One save at a time in this process (the file lock serialises processes)."""
        self._newer = False
        """The file is from a newer paperterm: never write it, its backup, or set it aside."""
        self.other_side: bytes | None = None
        """The file held a git conflict: our side was loaded, this is theirs, to be merged
        in (`syncmerge.merge_conflicts`)."""

    @functools.cached_property
    def _lock(self) -> FileLock:
        # Imported on first use (filelock costs ~12 ms to import, a tenth of start-up), which
        # is the first save, in a worker, unless the file needed repair at load.
        from filelock import FileLock

        return FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=LOCK_TIMEOUT)

    # ------------------------------------------------------------ loading

    def load(self) -> StateStore:
        """Read the file (or its backup). Problems end up in `warnings`, never raised."""
        with self._mutex:
            try:
                ensure_dir(self.path.parent)
                data = self._read_if_sound()
                if data is None and self.other_side is None:
                    # git's conflict markers make the file unreadable TOML: both sides are
                    # kept (ours loaded, theirs merged in), not the file set aside.
                    from paperterm.syncmerge import resolve_git_conflict

                    self.other_side, problem = resolve_git_conflict(self.path)
                    if problem:
                        self.warnings.append(problem)
                    if self.other_side is not None:
                        data = self._read_if_sound()
                if data is None:
                    from filelock import Timeout

                    try:
                        with self._lock:
                            data = self._read_locked(first=True)
                    except Timeout:
                        self.warnings.append(f"{self.path} is locked by another process; read-only")
                        self.read_only = True
                        return self
                self._data = data
            except NotRegularFile as error:
                self.warnings.append(f"{error.strerror}; opened read-only, nothing will be saved")
                self.read_only = True
                self._data = self._load_backup(main_missing=True) or _Data.empty()
            except OSError as error:
                self.warnings.append(f"cannot open {self.path}: {describe_os_error(error)}")
                self.read_only = True
        if not self.read_only:
            # Leftovers of saves that were killed mid-write; a live writer's are kept.
            remove_stale_temps(self.path)
            remove_stale_temps(self.backup)
        return self

    def _read_if_sound(self) -> _Data | None:
        """The file's content if it reads cleanly, else None (it needs the locked path).

        Reading takes no lock: every write replaces the file whole, so a read sees all of
        an old or all of a new file. Repairs (setting a bad file aside, restoring the
        backup) run under the lock, after reading again, as another instance may be at it.
        """
        sig = self._sig()
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            if self.backup.exists():
                return None  # restoring from the backup is a repair
            return _Data.empty()  # a first run: nothing to read, nothing to repair
        warnings = len(self.warnings)
        try:
            data = self._parse(raw, self.path)
        except StateError:
            del self.warnings[warnings:]  # the locked read will say it, once
            return None
        if sig is None or sig != self._sig():
            return None  # replaced while being read: read it again under the lock
        self._refresh_backup(raw)
        self._file_sig = sig
        return data

    def _refresh_backup(self, raw: bytes) -> None:
        # A good load refreshes the backup, so it is never older than this session; a
        # newer paperterm's file is left to that paperterm, backup included.
        if self._newer:
            return
        with contextlib.suppress(OSError):
            if not self.backup.exists() or self.backup.read_bytes() != raw:
                atomic_write(self.backup, raw)

    def _sig(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read_locked(self, first: bool = False) -> _Data:
        """The file's current content; sets aside what cannot be read (lock held)."""
        sig = self._sig()
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            raw = None
        data: _Data | None = None
        if raw is not None:
            try:
                data = self._parse(raw, self.path)
            except StateError as error:
                aside = self._set_aside()
                self.warnings.append(f"{error}; moved aside to {aside.name}")
                raw = None
        if data is None:
            data = self._load_backup(main_missing=raw is None) or _Data.empty()
        elif first and raw:
            self._refresh_backup(raw)
        self._file_sig = sig if raw is not None else None
        return data

    def _load_backup(self, main_missing: bool) -> _Data | None:
        try:
            raw = read_regular(self.backup)
        except OSError:
            return None
        try:
            data = self._parse(raw, self.backup)
        except StateError as error:
            self.warnings.append(f"backup unusable too: {error}")
            return None
        if main_missing and (data.read or data.starred):
            self.warnings.append(f"restored read/starred papers from {self.backup.name}")
        return data

    def _set_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        os.replace(self.path, aside)
        return aside

    def _parse(self, raw: bytes, path: Path) -> _Data:
        if not raw.strip():
            raise StateError(f"{path.name} is empty")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise StateError(f"{path.name} is not valid UTF-8") from None
        text = text.removeprefix("\ufeff")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise StateError(f"{path.name} is not valid TOML ({error})") from None
        schema = doc.get("schema")
        if not isinstance(schema, int) or isinstance(schema, bool):
            raise StateError(f"{path.name} has no schema version")
        newer = schema > SCHEMA_VERSION
        if newer:
            self.read_only = True
            self._newer = True
            self.warnings.append(
                f"{path.name} was written by a newer paperterm (schema {schema}); "
                "opened read-only, nothing will be saved"
            )
        data = _Data.empty()
        for name in TABLES:
            table, kept = _times(doc.get(name), name, path, lenient=newer)
            setattr(data, name, table)
            if kept:
                data.kept[name] = kept
                if not newer:
                    shown = ", ".join(f"{k!r} = {_show(v)}" for k, v in list(kept.items())[:3])
                    more = f" and {len(kept) - 3} more" if len(kept) > 3 else ""
                    self.warnings.append(
                        f"{path.name}: {len(kept)} [{name}] entr{'y' if len(kept) == 1 else 'ies'}"
                        f" not a time ({shown}{more}); kept in the file as written, not used"
                    )
        value = doc.get("last_visit")
        if isinstance(value, datetime):
            data.last_visit = _aware(value)
        raw_notes = doc.get("notes")
        data.notes, kept_notes = _notes(raw_notes if isinstance(raw_notes, dict) else {})
        if kept_notes:
            data.kept["notes"] = kept_notes
            if not newer:
                self.warnings.append(
                    f"{path.name}: {len(kept_notes)} [notes] entries are not a text and a "
                    "time; kept in the file as written, not used"
                )
        # A [notes] that is not a table is not ours to read: it is written back as found.
        skip = (
            "schema",
            "last_visit",
            *TABLES,
            *(("notes",) if isinstance(raw_notes, dict) else ()),
        )
        data.extra = {k: v for k, v in doc.items() if k not in skip}
        return data

    # ------------------------------------------------------------ reading

    def is_read(self, paper_id: str) -> bool:
        return paper_id in self._data.read

    def is_starred(self, paper_id: str) -> bool:
        return paper_id in self._data.starred

    @property
    def read_ids(self) -> frozenset[str]:
        return frozenset(self._data.read)

    @property
    def starred_ids(self) -> frozenset[str]:
        return frozenset(self._data.starred)

    def starred_at(self, paper_id: str) -> datetime | None:
        return self._data.starred.get(paper_id)

    def read_at(self, paper_id: str) -> datetime | None:
        return self._data.read.get(paper_id)

    @property
    def last_visit(self) -> datetime | None:
        return self._data.last_visit

    def note(self, paper_id: str) -> str:
        entry = self._data.notes.get(paper_id)
        return entry[0] if entry else ""

    @property
    def notes(self) -> dict[str, str]:
        """Every paper's note, by id."""
        return {paper_id: text for paper_id, (text, _) in self._data.notes.items()}

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def is_pending(self, paper_id: str) -> bool:
        """Changed here and not yet written to the file."""
        return paper_id in self._pending_ids

    def take_settled(self) -> set[str]:
        """Papers whose changes have all been written since the last call."""
        with self._mutex:
            settled, self._settled = self._settled, set()
            return settled

    # ------------------------------------------------------------ changing

    def set_read(self, paper_id: str, read: bool = True) -> bool:
        """Mark read or unread; returns whether anything changed."""
        return self._change("read", paper_id, self.clock() if read else None)

    def set_starred(self, paper_id: str, starred: bool = True) -> bool:
        return self._change("starred", paper_id, self.clock() if starred else None)

    def toggle_star(self, paper_id: str) -> bool:
        """Flip the star; returns the new value."""
        now = not self.is_starred(paper_id)
        self.set_starred(paper_id, now)
        return now

    def set_note(self, paper_id: str, text: str) -> bool:
        """Write (or, empty, remove) a paper's note; whether anything changed. Pending
        until saved, like a star."""
        text = text.strip()
        with self._mutex:
            if text == self.note(paper_id):
                return False
            self._queue("note", paper_id, (text, self.clock()))
            return True

    def absorb(self, other: _Data) -> set[str]:
        """Another copy of the state (a sync tool's conflict copy, the other side of a git
        conflict), merged in as operations: every star, read mark and note it has is kept,
        and where both have the same paper the later time wins. Returns the papers that
        changed; they are pending until saved."""
        changed: set[str] = set()
        with self._mutex:
            for kind in TABLES:
                mine = self._data.read if kind == "read" else self._data.starred
                theirs = other.read if kind == "read" else other.starred
                for paper_id, when in theirs.items():
                    if paper_id not in mine or when > mine[paper_id]:
                        self._queue(kind, paper_id, when)
                        changed.add(paper_id)
            for paper_id, (text, when) in other.notes.items():
                known = self._data.notes.get(paper_id)
                if known is None or when > known[1]:
                    self._queue("note", paper_id, (text, when))
                    changed.add(paper_id)
            if other.last_visit and (
                self._data.last_visit is None or other.last_visit > self._data.last_visit
            ):
                op: _Op = ("visit", "", other.last_visit)
                self._apply(self._data, op)
                self._pending.append(op)
        return changed

    def _queue(self, kind: OpKind, paper_id: str, value: Any) -> None:
        op: _Op = (kind, paper_id, value)
        self._apply(self._data, op)
        self._pending.append(op)
        self._pending_ids[paper_id] = self._pending_ids.get(paper_id, 0) + 1

    def restore(self, kind: Table, paper_id: str, when: datetime | None) -> None:
        """Put back an exact earlier value (undo)."""
        self._change(kind, paper_id, when)

    def record_visit(self) -> None:
        """Record this visit: what is new next time is judged from it."""
        with self._mutex:
            op: _Op = ("visit", "", self.clock())
            self._apply(self._data, op)
            self._pending.append(op)

    def _change(self, kind: Table, paper_id: str, when: datetime | None) -> bool:
        with self._mutex:
            table = self._data.read if kind == "read" else self._data.starred
            if (paper_id in table) == (when is not None) and (
                when is None or table.get(paper_id) == when
            ):
                return False
            self._queue(kind, paper_id, when)
            return True

    @staticmethod
    def _apply(data: _Data, op: _Op) -> None:
        kind, key, value = op
        if kind in TABLES:
            table = data.read if kind == "read" else data.starred
            # A change by the user replaces whatever unusable value the entry held.
            kept = data.kept.get(kind)
            if kept is not None:
                kept.pop(key, None)
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
        elif kind == "visit":
            data.last_visit = value
        elif kind == "note":
            text, when = value
            known = data.notes.get(key)
            if known is not None and known[1] > when:
                return  # a later edit (another machine's, another process's) wins
            kept = data.kept.get("notes")
            if kept is not None:
                kept.pop(key, None)
            data.extra.pop("notes", None)  # a [notes] that was not a table gives way
            if text:
                data.notes[key] = (text, when)
            else:
                data.notes.pop(key, None)

    # ------------------------------------------------------------ saving

    def save(self) -> bool:
        """Write pending changes, merged into the file's current content. True on success.

        Safe to call from a worker thread. On failure the changes stay pending and
        `save_error` says why; the in-memory view is unchanged. The in-memory mutex is
        held only to copy the data and to swap in the result, never while the file lock is
        awaited or the file written, so the UI thread's changes never wait on the disk.
        """
        with self._save_mutex:
            with self._mutex:
                if not self._pending:
                    return True
                if self.read_only:
                    self.save_error = READ_ONLY_NOTE
                    return False
            from filelock import Timeout

            try:
                with self._lock:
                    sig = self._sig()
                    with self._mutex:
                        pending = list(self._pending)
                        unchanged = self._file_sig is not None and sig == self._file_sig
                        base = self._data.copy() if unchanged else None
                    if base is None:
                        base = self._read_locked()
                        if self.read_only:  # it turned out to be a newer paperterm's file
                            self.save_error = READ_ONLY_NOTE
                            return False
                    # Unchanged file: our view is its content plus `pending`, and replaying
                    # the operations on it is idempotent.
                    for op in pending:
                        self._apply(base, op)
                    payload = _document(base).encode()
                    atomic_write(self.path, payload)
                    self._file_sig = self._sig()
            except Timeout:
                self.save_error = "state file is locked by another paperterm; will retry"
                return False
            except OSError as error:
                self.save_error = f"cannot save {self.path.name}: {describe_os_error(error)}"
                return False
            with self._mutex:
                del self._pending[: len(pending)]
                for _, key, _ in pending:
                    left = self._pending_ids.get(key, 0) - 1
                    if left > 0:
                        self._pending_ids[key] = left
                    else:
                        self._pending_ids.pop(key, None)
                        if key:
                            self._settled.add(key)
                # Changes made by other instances now show here too.
                for op in self._pending:
                    self._apply(base, op)
                self._data = base
                self.save_error = None
            return True


def read_copy(path: Path) -> _Data:
    """Another copy of a state file, read without touching it (nothing set aside, no
    backup): a StateError says why it cannot be used."""
    scratch = StateStore(path)
    try:
        raw = read_regular(path)
    except OSError as error:
        raise StateError(f"{path.name}: {describe_os_error(error)}") from None
    return scratch._parse(raw, path)


def parse_state(raw: bytes, name: str) -> _Data:
    """State from bytes (one side of a git conflict); a StateError says why not."""
    return StateStore(Path(name))._parse(raw, Path(name))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _times(
    value: Any, name: str, path: Path, *, lenient: bool = False
) -> tuple[dict[str, datetime], dict[str, Any]]:
    """A [read]/[starred] table as times, and the entries that are not times (kept)."""
    if value is None:
        return {}, {}
    if not isinstance(value, dict):
        if lenient:  # a newer layout: read what fits, touch nothing
            return {}, {}
        raise StateError(f"{path.name}: [{name}] is not a table")
    out: dict[str, datetime] = {}
    kept: dict[str, Any] = {}
    for key, when in value.items():
        if isinstance(when, datetime):
            out[key] = _aware(when)
        elif isinstance(when, date):
            out[key] = datetime(when.year, when.month, when.day, tzinfo=UTC)
        elif when is True:
            out[key] = datetime(1970, 1, 1, tzinfo=UTC)
        else:
            kept[key] = when
    return out, kept


def _notes(value: dict[str, Any]) -> tuple[dict[str, tuple[str, datetime]], dict[str, Any]]:
    """The [notes] table (id = {text, at}), and the entries that are not (kept)."""
    out: dict[str, tuple[str, datetime]] = {}
    kept: dict[str, Any] = {}
    for key, entry in value.items():
        text = entry.get("text") if isinstance(entry, dict) else None
        when = entry.get("at") if isinstance(entry, dict) else None
        if isinstance(text, str) and isinstance(when, datetime):
            out[key] = (text, _aware(when))
        else:
            kept[key] = entry
    return out, kept


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _document(data: _Data) -> str:
    head: dict[str, Any] = {"schema": SCHEMA_VERSION}
    if data.last_visit:
        head["last_visit"] = data.last_visit
    head.update(data.extra)
    # Unknown top-level tables go after every plain key, as TOML requires.
    plain = {k: v for k, v in head.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in head.items() if isinstance(v, dict)}
    parts = [tomli_w.dumps(plain)]
    for name, table in (("read", data.read), ("starred", data.starred)):
        kept = data.kept.get(name)
        if kept:
            # Rare (a hand-edited file): tomli-w lays out whatever shape the kept values
            # have, nested tables included.
            parts.append("\n" + tomli_w.dumps({name: {**table, **kept}}))
            continue
        parts.append(f"\n[{name}]\n")
        # Insertion order (the order things were read or starred), not sorted: a sort of
        # 10,000 keys was a fifth of a save.
        parts.extend(map(_line, table.keys(), table.values()))
    notes: dict[str, Any] = {
        key: {"text": text, "at": when} for key, (text, when) in data.notes.items()
    }
    notes.update(data.kept.get("notes", {}))
    if notes:
        # Notes are few and written by hand: tomli-w lays them out, texts as """…""".
        parts.append("\n" + tomli_w.dumps({"notes": notes}, multiline_strings=True))
    if tables:
        parts.append("\n" + tomli_w.dumps(tables))
    return "".join(parts)


@functools.lru_cache(maxsize=65_536)
def _line(key: str, when: datetime) -> str:
    """One `"id" = time` line, formatted by tomli-w and remembered.

    Re-formatting every entry on every save cost ~70 ms for 10,000 papers; with each line
    cached, a save costs a join and the write.
    """
    return tomli_w.dumps({key: when})
