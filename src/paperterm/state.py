"""Read and starred papers and the last visit: TOML in the user data dir.

The layout (schema 2) is an index and one file per month:
- `state.toml`, the index: the schema, the last visit, the notes, the months it has
  (`months`), and any key this version does not know;
- `state/2024-08.toml`, one per arXiv month: `[read]` and `[starred]` of the papers whose
  id says that month (`2408.12345`); ids without a month go to `state/other.toml`.
A star rewrites its month's file (hundreds of lines, never the history), and a start reads
only the months it shows; the rest is read in a worker after the first paint. The month
of the id, not of the feed day, because it is known from the id alone, wherever the
paper came from (a search, `paperterm star ID`), and papers reach the feed within days.
A schema-1 file (everything in `state.toml`) is migrated on first load, under the lock:
every month written first, then the index, the old file kept as `state.toml.schema-1`.

Every file is the user's and must never be lost:
- every write is atomic (temp file, fsync, rename, fsync the dir); months before the
  index, so an index never names a month that is not on disk;
- a `filelock` is held around re-read + apply + write, and changes are kept as operations
  applied to each file's current content, so two running instances merge rather than
  overwrite each other;
- a good load refreshes the file's `.bak`; a file that cannot be read is moved aside as
  `<name>.corrupt-<time>` and never overwritten, and the backup is used; a month the index
  names that is gone is restored from its backup, or said to be lost;
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

Over 400 lines because each of those rules guards the same files and the same lock; a
store split across modules would make it harder to see that every path keeps them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
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
    remove_stale_temps_in,
)

if TYPE_CHECKING:
    from filelock import FileLock

SCHEMA_VERSION = 2
LOCK_TIMEOUT = 10.0
READ_ONLY_NOTE = "state is read-only; changes are kept for this session only"
INDEX = ""
"""The index's key among the state's files; a month's is its arXiv `YYMM`."""
OTHER = "other"
"""The file of ids that carry no month."""


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class StateError(Exception):
    """A state file problem fit to show the user in one line."""


Table = Literal["read", "starred"]
OpKind = Literal["read", "starred", "visit", "note"]
TABLES: tuple[Table, ...] = ("read", "starred")


def month_key(paper_id: str) -> str:
    """The state file a paper's marks live in: its arXiv id's `YYMM`, or `other`."""
    head = paper_id[:4]
    return head if paper_id[4:5] == "." and head.isdigit() else OTHER


def month_name(key: str) -> str:
    """How a month is named in the index and on disk: `2024-08`, or `other`."""
    return f"20{key[:2]}-{key[2:]}" if key != OTHER else OTHER


def month_file_name(key: str) -> str:
    return f"{month_name(key)}.toml"


_MONTH_FILE = re.compile(r"^20(\d\d)-(\d\d)\.toml$")


def _key_of_file(name: str) -> str | None:
    if name == f"{OTHER}.toml":
        return OTHER
    match = _MONTH_FILE.match(name)
    return match[1] + match[2] if match else None


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
    months: set[str] = field(default_factory=set)
    """The index's list of month files (keys)."""

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
            set(self.months),
        )

    @property
    def has_marks(self) -> bool:
        return bool(self.read or self.starred or any(self.kept.get(t) for t in TABLES))


# One change, replayed on top of whatever the file holds when it is saved.
_Op = tuple[OpKind, str, Any]


def _op_file(op: _Op) -> str:
    kind, key, _ = op
    return month_key(key) if kind in TABLES else INDEX


@dataclass
class _Part:
    """One file of the state: the index, or a month."""

    key: str
    path: Path
    data: _Data
    sig: tuple[int, int, int] | None = None
    """The file as it was when `data` was read or written: a save compares it to know
    whether another process changed the file since."""
    rewrite: bool = False
    """To be written by the next save even with no operation (migrated, restored)."""
    unbacked: bytes | None = None
    """What was read, when the backup differs and is yet to be refreshed."""
    backed_up: bool = True
    """False for a month made by the migration: its first write is its backup too."""
    problem: str = ""
    """Why the file could not be read, when it could not."""

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")


class StateStore:
    """The state files, loaded as needed, changed by operations, saved under a lock."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = path
        self.months_dir = path.with_name(path.stem)
        self.clock = clock
        self.warnings: list[str] = []
        """Things the user should be told about the files (set aside, read-only, ...)."""
        self._told = 0
        self.read_only = False
        self.save_error: str | None = None
        """Why the last save failed, until one succeeds."""
        self.last_written = b""
        """What the last save wrote (the benchmark's reference writes the same bytes)."""
        self._index = _Part(INDEX, path, _Data.empty())
        self._months: dict[str, _Part] = {}
        """The month files read so far, by key."""
        self._all_read = False
        self._pending: list[_Op] = []
        self._pending_ids: dict[str, int] = {}
        """How many unsaved operations each paper has."""
        self._settled: set[str] = set()
        """Papers whose last pending operation a save has written, for `take_settled`."""
        self._mutex = threading.RLock()
        """Guards the in-memory data; held briefly, never while waiting on the file lock."""
        self._save_mutex = threading.Lock()
        """One save at a time in this process (the file lock serialises processes)."""
        self._newer = False
        """A file is from a newer paperterm: never write it, its backup, or set it aside."""
        self.other_side: bytes | None = None
        """The index held a git conflict: our side was loaded, this is theirs, to be merged
        in (`syncmerge.merge_conflicts`)."""

    @functools.cached_property
    def _lock(self) -> FileLock:
        # Imported on first use (filelock costs ~12 ms to import, a tenth of start-up), which
        # is the first save, in a worker, unless the file needed repair at load.
        from filelock import FileLock

        return FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=LOCK_TIMEOUT)

    # ------------------------------------------------------------ loading

    def load(self) -> StateStore:
        """Read the index (and migrate a schema-1 file). Months are read when first asked
        about, or all by `load_all`. Problems end up in `warnings`, never raised."""
        legacy = False
        with self._mutex:
            index = self._index
            try:
                ensure_dir(self.path.parent)
                data = self._read_if_sound(index)
                if data is None and self.other_side is None:
                    # git's conflict markers make the file unreadable TOML: both sides are
                    # kept (ours loaded, theirs merged in), not the file set aside.
                    from paperterm.syncmerge import resolve_git_conflict

                    self.other_side, problem = resolve_git_conflict(self.path)
                    if problem:
                        self.warnings.append(problem)
                    if self.other_side is not None:
                        data = self._read_if_sound(index)
                if data is None:
                    from filelock import Timeout

                    try:
                        with self._lock:
                            data = self._read_locked(index, first=True)
                    except Timeout:
                        self.warnings.append(f"{self.path} is locked by another process; read-only")
                        self.read_only = True
                        return self
                legacy = self._install_index(data)
            except NotRegularFile as error:
                self.warnings.append(f"{error.strerror}; opened read-only, nothing will be saved")
                self.read_only = True
                self._install_index(self._load_backup(index, main_missing=True) or _Data.empty())
            except OSError as error:
                self.warnings.append(f"cannot open {self.path}: {describe_os_error(error)}")
                self.read_only = True
        if not self.read_only:
            # Leftovers of saves that were killed mid-write; a live writer's are kept.
            remove_stale_temps(self.path)
            remove_stale_temps(self._index.backup)
            remove_stale_temps_in(self.months_dir)
            if legacy:
                self._migrate()
        return self

    def _install_index(self, data: _Data) -> bool:
        """Take a read index as ours; a schema-1 file's marks become months, to be written
        (the migration). Whether there were any."""
        legacy = data.has_marks
        if legacy:
            months = self._split(data)
            for key, month in months.items():
                self._months[key] = _Part(
                    key, self._month_path(key), month, rewrite=True, backed_up=False
                )
            data.months |= set(months)
            self._index.rewrite = True
            self._all_read = True  # a schema-1 file held every month
        self._index.data = data
        return legacy

    def _split(self, data: _Data) -> dict[str, _Data]:
        """A schema-1 file's marks (or an index's, hand-edited) moved out into months."""
        months: dict[str, _Data] = {}
        for name in TABLES:
            table = data.read if name == "read" else data.starred
            for paper_id, when in table.items():
                month = months.setdefault(month_key(paper_id), _Data.empty())
                (month.read if name == "read" else month.starred)[paper_id] = when
            for paper_id, value in data.kept.pop(name, {}).items():
                month = months.setdefault(month_key(paper_id), _Data.empty())
                month.kept.setdefault(name, {})[paper_id] = value
        data.read, data.starred = {}, {}
        return months

    def _migrate(self) -> None:
        """Write a schema-1 file out as months and an index, keeping the old file."""
        with contextlib.suppress(OSError):
            raw = read_regular(self.path)
            kept = self.path.with_name(self.path.name + ".schema-1")
            if not kept.exists() and b"schema = 1" in raw:
                atomic_write(kept, raw)
        if not self.save():
            self.warnings.append(
                f"could not move {self.path.name} to the monthly layout ({self.save_error}); "
                "it is used as it is and the next save tries again"
            )

    def _month_path(self, key: str) -> Path:
        return self.months_dir / month_file_name(key)

    def _month(self, key: str) -> _Data:
        """A month's marks, read from its file the first time they are asked for."""
        part = self._months.get(key)
        if part is None:
            with self._mutex:
                part = self._months.get(key)
                if part is None:
                    part = self._read_month(key)
                    self._months[key] = part
        return part.data

    def _read_month(self, key: str) -> _Part:
        part = _Part(key, self._month_path(key), _Data.empty())
        theirs: bytes | None = None
        try:
            data = self._read_if_sound(part)
            for _ in range(3):  # replaced by another process while we read it: read again
                if data is not None or part.problem or not part.path.exists():
                    break
                data = self._read_if_sound(part)
            if data is None and not self.read_only:
                from paperterm.syncmerge import resolve_git_conflict

                theirs, problem = resolve_git_conflict(part.path)
                if problem:
                    self.warnings.append(problem)
                if theirs is not None:
                    data = self._read_if_sound(part)
            if data is None:
                # Unreadable, or gone with a backup left: use the backup now; the next save
                # of this month sets the bad file aside under the lock (see `_read_locked`),
                # so a read never waits on another process.
                part.sig = None
                data = self._load_backup(part, main_missing=not part.path.exists())
                if part.problem:
                    use = "its backup is used" if data is not None else "it has no backup"
                    self.warnings.append(
                        f"{part.problem}: {use}, and the file is set aside at the next save"
                    )
                data = data or _Data.empty()
                part.rewrite = not self.read_only
            elif key in self._index.data.months and part.sig is None:
                self.warnings.append(
                    f"{self.months_dir.name}/{part.path.name} is gone and has no backup: "
                    f"the read marks and stars of papers from {month_name(key)} are lost"
                )
        except NotRegularFile as error:
            self.warnings.append(f"{error.strerror}; opened read-only, nothing will be saved")
            self.read_only = True
            data = _Data.empty()
        except OSError as error:
            self.warnings.append(f"cannot open {part.path}: {describe_os_error(error)}")
            self.read_only = True
            data = _Data.empty()
        part.data = data
        if theirs is not None:
            # Their side of a git conflict in this month, merged in once it is ours to use.
            self._months[key] = part
            self.absorb(parse_state(theirs, part.path.name))
            self.warnings.append(f"merged the other side of the git conflict in {part.path.name}")
        return part

    def load_all(self) -> None:
        """Read every month (for a worker: the reader calls it after its first paint)."""
        if self._all_read:
            return
        keys = set(self._index.data.months)
        with contextlib.suppress(OSError):
            keys |= {k for name in os.listdir(self.months_dir) if (k := _key_of_file(name))}
        for key in sorted(keys):
            self._month(key)
        for part in list(self._months.values()):
            self._keep_backup(part)
        self._all_read = True

    def _read_if_sound(self, part: _Part) -> _Data | None:
        """The file's content if it reads cleanly, else None (it needs the locked path).

        Reading takes no lock: every write replaces a file whole, so a read sees all of
        an old or all of a new file. Repairs (setting a bad file aside, restoring the
        backup) run under the lock, after reading again, as another instance may be at it.
        """
        sig = _sig(part.path)
        try:
            raw = read_regular(part.path)
        except FileNotFoundError:
            if part.backup.exists():
                return None  # restoring from the backup is a repair
            return _Data.empty()  # a first run: nothing to read, nothing to repair
        warnings = len(self.warnings)
        try:
            data = self._parse(raw, part.path)
        except StateError as error:
            del self.warnings[warnings:]  # the locked read will say it, once
            part.problem = str(error)
            return None
        if sig is None or sig != _sig(part.path):
            return None  # replaced while being read: read it again under the lock
        if part.key == INDEX:
            self._refresh_backup(part, raw)
        else:
            part.unbacked = raw  # written by `load_all` or before the month's first save
        part.sig = sig
        return data

    def _refresh_backup(self, part: _Part, raw: bytes) -> None:
        # A good load refreshes the backup, so it is never older than this session; a
        # newer paperterm's file is left to that paperterm, backup included.
        if self._newer:
            return
        with contextlib.suppress(OSError):
            if not part.backup.exists() or part.backup.read_bytes() != raw:
                atomic_write(part.backup, raw)

    def _read_locked(self, part: _Part, first: bool = False) -> _Data:
        """The file's current content; sets aside what cannot be read (lock held)."""
        sig = _sig(part.path)
        try:
            raw = read_regular(part.path)
        except FileNotFoundError:
            raw = None
        data: _Data | None = None
        if raw is not None:
            try:
                data = self._parse(raw, part.path)
            except StateError as error:
                aside = self._set_aside(part.path)
                self.warnings.append(f"{error}; moved aside to {aside.name}")
                raw = None
        if data is None:
            data = self._load_backup(part, main_missing=raw is None) or _Data.empty()
        elif first and raw:
            self._refresh_backup(part, raw)
        part.sig = sig if raw is not None else None
        return data

    def _load_backup(self, part: _Part, main_missing: bool) -> _Data | None:
        try:
            raw = read_regular(part.backup)
        except OSError:
            return None
        try:
            data = self._parse(raw, part.backup)
        except StateError as error:
            self.warnings.append(f"backup unusable too: {error}")
            return None
        if main_missing and (data.has_marks or data.months):
            self.warnings.append(f"restored read/starred papers from {part.backup.name}")
        return data

    @staticmethod
    def _set_aside(path: Path) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        os.replace(path, aside)
        return aside

    def _parse(self, raw: bytes, path: Path) -> _Data:
        fast = _parse_month_fast(raw)
        if fast is not None:
            return fast
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
        months = doc.get("months")
        ours = isinstance(months, list) and all(isinstance(m, str) for m in months)
        if isinstance(months, list) and ours:
            data.months = {k for m in months if (k := _key_of_file(f"{m}.toml"))}
        # A [notes] that is not a table is not ours to read: it is written back as found.
        skip = (
            "schema",
            "last_visit",
            *TABLES,
            *(("notes",) if isinstance(raw_notes, dict) else ()),
            *(("months",) if ours else ()),
        )
        data.extra = {k: v for k, v in doc.items() if k not in skip}
        return data

    def reread(self) -> set[str]:
        """Read again the files another process or a sync tool has replaced since we read
        them (our pending changes stay on top): the papers whose marks that changed. For a
        worker: the reader's refresh calls it."""
        changed: set[str] = set()
        with self._mutex:
            parts = [self._index, *self._months.values()]
        for part in parts:
            sig = _sig(part.path)
            if sig is None or sig == part.sig:
                continue
            fresh = _Part(part.key, part.path, _Data.empty())
            data = self._read_if_sound(fresh)
            if data is None or (part.key == INDEX and data.has_marks):
                continue  # unreadable or old-style: the next save repairs it under the lock
            with self._mutex:
                for op in self._pending:
                    if _op_file(op) == part.key:
                        self._apply(data, op)
                old = part.data
                for name in TABLES:
                    mine = old.read if name == "read" else old.starred
                    theirs = data.read if name == "read" else data.starred
                    changed |= mine.keys() ^ theirs.keys()
                    changed |= {k for k, v in theirs.items() if mine.get(k, v) != v}
                part.data, part.sig, part.unbacked = data, fresh.sig, fresh.unbacked
        return changed

    # ------------------------------------------------------------ reading

    def is_read(self, paper_id: str) -> bool:
        return paper_id in self._month(month_key(paper_id)).read

    def is_starred(self, paper_id: str) -> bool:
        return paper_id in self._month(month_key(paper_id)).starred

    def marks(self, paper_id: str) -> tuple[bool, bool]:
        """Whether the paper is read, and whether it is starred: one month looked up."""
        month = self._month(month_key(paper_id))
        return paper_id in month.read, paper_id in month.starred

    def marks_of(self, paper_ids: Iterable[str]) -> list[tuple[bool, bool]]:
        """`marks` of each paper, a month looked up once for all of its papers here (a
        day's papers are of a few months; per paper, the lookup was half of the marks'
        cost of `list --json`)."""
        # Keyed by the id's first five characters, which are all `month_key` reads.
        months: dict[str, _Data] = {}
        out: list[tuple[bool, bool]] = []
        add = out.append
        for paper_id in paper_ids:
            month = months.get(paper_id[:5])
            if month is None:
                month = months[paper_id[:5]] = self._month(month_key(paper_id))
            add((paper_id in month.read, paper_id in month.starred))
        return out

    def _every(self, name: Table) -> Iterator[tuple[str, datetime]]:
        self.load_all()
        with self._mutex:
            parts = list(self._months.values())
        for part in parts:
            yield from list((part.data.read if name == "read" else part.data.starred).items())

    @property
    def read_ids(self) -> frozenset[str]:
        return frozenset(paper_id for paper_id, _ in self._every("read"))

    @property
    def starred_ids(self) -> frozenset[str]:
        return frozenset(paper_id for paper_id, _ in self._every("starred"))

    def starred_at(self, paper_id: str) -> datetime | None:
        return self._month(month_key(paper_id)).starred.get(paper_id)

    def read_at(self, paper_id: str) -> datetime | None:
        return self._month(month_key(paper_id)).read.get(paper_id)

    @property
    def last_visit(self) -> datetime | None:
        return self._index.data.last_visit

    def note(self, paper_id: str) -> str:
        entry = self._index.data.notes.get(paper_id)
        return entry[0] if entry else ""

    @property
    def notes(self) -> dict[str, str]:
        """Every paper's note, by id."""
        return {paper_id: text for paper_id, (text, _) in self._index.data.notes.items()}

    def prepare_to_save(self) -> None:
        """Import the file lock's module and make the lock now (a worker calls it after the
        first paint), so the first star's save does not."""
        self._lock  # noqa: B018  (a cached_property: made here)

    def new_warnings(self) -> list[str]:
        """The warnings not returned by an earlier call (months read later add theirs)."""
        with self._mutex:
            out = self.warnings[self._told :]
            self._told = len(self.warnings)
            return out

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
                theirs = other.read if kind == "read" else other.starred
                for paper_id, when in theirs.items():
                    month = self._month(month_key(paper_id))
                    mine = month.read if kind == "read" else month.starred
                    if paper_id not in mine or when > mine[paper_id]:
                        self._queue(kind, paper_id, when)
                        changed.add(paper_id)
            for paper_id, (text, when) in other.notes.items():
                known = self._index.data.notes.get(paper_id)
                if known is None or when > known[1]:
                    self._queue("note", paper_id, (text, when))
                    changed.add(paper_id)
            last = self._index.data.last_visit
            if other.last_visit and (last is None or other.last_visit > last):
                op: _Op = ("visit", "", other.last_visit)
                self._apply(self._index.data, op)
                self._pending.append(op)
        return changed

    def _queue(self, kind: OpKind, paper_id: str, value: Any) -> None:
        op: _Op = (kind, paper_id, value)
        self._apply(self._data_for(op), op)
        self._pending.append(op)
        self._pending_ids[paper_id] = self._pending_ids.get(paper_id, 0) + 1

    def _data_for(self, op: _Op) -> _Data:
        key = _op_file(op)
        return self._index.data if key == INDEX else self._month(key)

    def restore(self, kind: Table, paper_id: str, when: datetime | None) -> None:
        """Put back an exact earlier value (undo)."""
        self._change(kind, paper_id, when)

    def record_visit(self) -> None:
        """Record this visit: what is new next time is judged from it."""
        with self._mutex:
            op: _Op = ("visit", "", self.clock())
            self._apply(self._index.data, op)
            self._pending.append(op)

    def _change(self, kind: Table, paper_id: str, when: datetime | None) -> bool:
        with self._mutex:
            month = self._month(month_key(paper_id))
            table = month.read if kind == "read" else month.starred
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
        """Write pending changes, each merged into its file's current content: the months
        they touch, then the index if it changed. True on success.

        Safe to call from a worker thread. On failure the changes stay pending and
        `save_error` says why; the in-memory view is unchanged. The in-memory mutex is
        held only to copy the data and to swap in the result, never while the file lock is
        awaited or the files written, so the UI thread's changes never wait on the disk.
        """
        with self._save_mutex:
            with self._mutex:
                rewrite = {k for k, part in self._months.items() if part.rewrite}
                if not self._pending and not self._index.rewrite and not rewrite:
                    return True
                if self.read_only:
                    self.save_error = READ_ONLY_NOTE
                    return False
            from filelock import Timeout

            written: dict[str, tuple[_Data, tuple[int, int, int] | None]] = {}
            try:
                with self._lock:
                    with self._mutex:
                        pending = list(self._pending)
                        keys = {_op_file(op) for op in pending} | rewrite
                        keys.discard(INDEX)
                    index_base = self._base(self._index)
                    # An index with marks in it (a schema-1 file put back by hand, say):
                    # they are merged into their months like a conflict copy's.
                    strays = self._split(index_base) if index_base.has_marks else {}
                    keys |= set(strays)
                    for key in sorted(keys):
                        part = self._months.get(key) or self._read_month(key)
                        base = self._base(part)
                        if key in strays:
                            _union(base, strays[key])
                        if self.read_only:  # it turned out to be a newer paperterm's file
                            self.save_error = READ_ONLY_NOTE
                            return False
                        for op in pending:
                            if _op_file(op) == key:
                                self._apply(base, op)
                        self._keep_backup(part)
                        self.last_written = _document(base, month=True).encode()
                        atomic_write(part.path, self.last_written)
                        if not part.backed_up:
                            atomic_write(part.backup, self.last_written)
                            part.backed_up = True
                        written[key] = (base, _sig(part.path))
                        self._months.setdefault(key, part)
                    if self.read_only:
                        self.save_error = READ_ONLY_NOTE
                        return False
                    months = index_base.months | keys
                    index_ops = [op for op in pending if _op_file(op) == INDEX]
                    if index_ops or months != index_base.months or self._index.rewrite or strays:
                        index_base.months = months
                        for op in index_ops:
                            self._apply(index_base, op)
                        payload = _document(index_base).encode()
                        atomic_write(self.path, payload)
                        written[INDEX] = (index_base, _sig(self.path))
                        if not keys:
                            self.last_written = payload
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
                for key, (base, sig) in written.items():
                    part = self._index if key == INDEX else self._months[key]
                    # Changes made since by this process show on top of the file's content.
                    for op in self._pending:
                        if _op_file(op) == key:
                            self._apply(base, op)
                    part.data, part.sig, part.rewrite = base, sig, False
                self._index.rewrite = False
                self.save_error = None
            return True

    def _base(self, part: _Part) -> _Data:
        """What a file holds now (lock held): our copy if nobody changed it since we read
        it, else read again (another process's changes are merged, not overwritten)."""
        sig = _sig(part.path)
        with self._mutex:
            if sig == part.sig and (sig is not None or part.rewrite):
                # Unchanged, or not on disk yet (a migration, a restore from the backup):
                # our view is its content plus the pending operations, and replaying those
                # on it is idempotent.
                return part.data.copy()
        return self._read_locked(part)

    def _keep_backup(self, part: _Part) -> None:
        """Before a month is first replaced in this session, its backup holds what was read
        (deferred from the read, which may be on the UI thread)."""
        raw, part.unbacked = part.unbacked, None
        if raw is not None:
            self._refresh_backup(part, raw)


def _union(base: _Data, other: _Data) -> None:
    for name in TABLES:
        mine = base.read if name == "read" else base.starred
        for paper_id, when in (other.read if name == "read" else other.starred).items():
            if paper_id not in mine or when > mine[paper_id]:
                mine[paper_id] = when
    for table_name, kept in other.kept.items():
        base.kept.setdefault(table_name, {}).update(kept)


def _sig(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


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


def _document(data: _Data, *, month: bool = False) -> str:
    """A file of the state: a month's marks, or the index (visit, months, notes)."""
    head: dict[str, Any] = {"schema": SCHEMA_VERSION}
    if not month:
        if data.last_visit:
            head["last_visit"] = data.last_visit
        head["months"] = [month_name(k) for k in sorted(data.months)]
    head.update(data.extra)
    # Unknown top-level tables go after every plain key, as TOML requires.
    plain = {k: v for k, v in head.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in head.items() if isinstance(v, dict)}
    parts = [tomli_w.dumps(plain)]
    for name, table in (("read", data.read), ("starred", data.starred)):
        if not month:
            continue  # the index holds no marks (a schema-1 file's were split out)
        kept = data.kept.get(name)
        if kept:
            # Rare (a hand-edited file): tomli-w lays out whatever shape the kept values
            # have, nested tables included.
            parts.append("\n" + tomli_w.dumps({name: {**table, **kept}}))
            continue
        parts.append(f"\n[{name}]\n")
        # Insertion order (the order things were read or starred), not sorted.
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


# An arXiv id: tomli-w quotes it (the `.` is not a bare-key character) and has nothing
# in it to escape, and writes a datetime as `str()` does, so its line is made here as
# tomli-w makes it, without a call through its generators (a month of ~350 lines cost
# 5-7 ms that way, most of a save; `test_state_layout` holds the two byte-equal).
_PLAIN_ID = re.compile(r"\d{4}\.\d{4,5}(?:v\d{1,3})?")


@functools.lru_cache(maxsize=16_384)
def _line(key: str, when: datetime) -> str:
    """One `"id" = time` line as tomli-w writes it, remembered (a month's save re-writes
    its few hundred lines)."""
    if _PLAIN_ID.fullmatch(key) and type(when) is datetime:
        return f'"{key}" = {when}\n'
    return tomli_w.dumps({key: when})


# A month file as `_document` writes it: `schema = 2`, then `[read]` and `[starred]` of
# `"id" = time` lines with the times tomli-w writes. Read by two C-level regex passes, not
# tomllib's Python parser (20 times slower: 0.9 s for 100k entries). Anything else in the
# file (a hand edit, a comment, a kept value) sends it to tomllib, which reads all of TOML.
_FAST_HEAD = "schema = 2\n"
_FAST_ENTRY = (
    r'"[0-9A-Za-z._/-]{1,40}" = \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?(?:[+-]\d\d:\d\d)?\n'
)
_FAST_BODY = re.compile(rf"\n*(?:{_FAST_ENTRY})*\n*")
_FAST_LINE = re.compile(r'^"([^"]+)" = (.+)$', re.M)
_FAST_TABLE = re.compile(r"^\[(read|starred)\]\n", re.M)


def _parse_month_fast(raw: bytes) -> _Data | None:
    if not raw.startswith(_FAST_HEAD.encode()):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    pieces = _FAST_TABLE.split(text[len(_FAST_HEAD) :])
    names = pieces[1::2]
    if pieces[0].strip() or not names or len(set(names)) != len(names):
        return None
    data = _Data.empty()
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if not _FAST_BODY.fullmatch(body):
            return None
        try:
            table = {
                key: _aware(datetime.fromisoformat(when)) for key, when in _FAST_LINE.findall(body)
            }
        except ValueError:
            return None
        if name == "read":
            data.read = table
        else:
            data.starred = table
    return data
