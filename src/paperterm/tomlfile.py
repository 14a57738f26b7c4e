"""A small TOML file of the user's (topics, what starred papers last showed), kept with the
state file's care: a lock around read-modify-write, atomic writes, the last good copy as
`<name>.bak`, and a file that cannot be read set aside as `<name>.corrupt-<time>`, never
overwritten. No Textual.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import tomli_w

from paperterm.fsutil import atomic_write, ensure_dir, read_regular

if TYPE_CHECKING:
    from filelock import FileLock

LOCK_TIMEOUT = 5.0
T = TypeVar("T")


class TomlFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup = path.with_name(path.name + ".bak")
        self.problem: str | None = None
        """What went wrong reading it, said once to the user."""

    def lock(self) -> FileLock:
        from filelock import FileLock  # imported on first save: start-up never needs it

        return FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=LOCK_TIMEOUT)

    def read(self, parse: Callable[[dict[str, Any]], T], empty: T) -> T:
        """The file parsed by `parse` (which raises TypeError or ValueError on a shape it
        does not know); `empty` when there is none. A file that cannot be read is set aside
        and the backup read instead."""
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            return empty
        except OSError as error:
            self.problem = f"{self.path}: {error}"
            return empty
        try:
            parsed = parse(tomllib.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, ValueError) as error:
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S}"
            )
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            self.problem = f"{self.path} could not be read ({error}); set aside as {aside.name}"
            with contextlib.suppress(
                OSError, UnicodeDecodeError, ValueError, TypeError, tomllib.TOMLDecodeError
            ):
                return parse(tomllib.loads(self.backup.read_text("utf-8")))
            return empty
        with contextlib.suppress(OSError):
            shutil.copyfile(self.path, self.backup)  # the last good copy
        return parsed

    def write(self, doc: dict[str, Any]) -> None:
        """Atomically; call it holding `lock()`, after re-reading what is on disk."""
        self.write_text(tomli_w.dumps(doc))

    def write_text(self, text: str) -> None:
        """`write`, of a document already made as TOML."""
        ensure_dir(self.path.parent)
        atomic_write(self.path, text.encode())

    def signature(self) -> tuple[int, int, int] | None:
        """What tells this file from any other write of it (an atomic write makes a new
        inode); None when there is none."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns
