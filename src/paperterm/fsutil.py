"""Atomic file writes and careful reads, shared by the cache, the state and the config."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

TMP_SUFFIX = ".tmp"
STALE_UNOWNED_TMP = 3600.0
"""A temp file whose name carries no owner is stale after this many seconds."""


class NotRegularFile(OSError):
    """A FIFO, socket, device or folder where a file was expected: never read it."""


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half
    (see `atomic_write_chunks`)."""
    atomic_write_chunks(path, (data,), durable=durable)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], *, durable: bool = True) -> None:
    """Write `chunks` to `path` as one file, so that a reader sees the old file or the new
    one, never half; a chunk that fails to be made (an exception from `chunks`) leaves
    the old file as it was. The chunks are written as they come: the file is never
    held whole in memory.

    A temp file in the same directory is written, flushed, fsynced and `os.replace`d over
    the target; then the directory is fsynced so the rename itself survives a power cut.
    `durable=False` skips the fsyncs (for the cache, which can always be refetched).
    The temp name carries the writer's pid, so `remove_stale_temps` can tell an
    interrupted save's leftover from a save still under way in another process.
    """
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def ensure_dir(directory: Path) -> None:
    """mkdir -p, with a message that names the real problem when a file is in the way."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # mkdir's own "File exists" / "Not a directory" name neither the file in the way
        # nor what is wrong with it.
        blocker = next(
            (p for p in (directory, *directory.parents) if p.exists() and not p.is_dir()),
            directory,
        )
        raise NotADirectoryError(
            errno.ENOTDIR, f"{blocker} is a file, not a folder", str(blocker)
        ) from None


def remove_stale_temps(path: Path, *, now: float | None = None) -> list[Path]:
    """Delete temp files left by interrupted writes of `path` whose writer is gone.

    A temp file is removed only when the pid in its name is not a live process (or, for
    a name without a pid, when it is over an hour old): a save under way is never touched.
    """
    return _remove_stale(path.parent, f".{path.name}.", now)


def remove_stale_temps_in(directory: Path, *, now: float | None = None) -> list[Path]:
    """`remove_stale_temps` for every file of a directory (the state's monthly files)."""
    return _remove_stale(directory, ".", now)


def _remove_stale(directory: Path, prefix: str, now: float | None) -> list[Path]:
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
            continue
        middle = name[len(prefix) : -len(TMP_SUFFIX)]
        if prefix == ".":  # `.<target name>.<pid>.<random>`: the pid follows the target's name
            middle = (middle.partition(".toml.")[2] or middle).removeprefix("bak.")
        owner, _, _ = middle.partition(".")
        candidate = directory / name
        if owner.isdigit() and "." in middle:
            if _alive(int(owner)):
                continue
        else:
            # Written before temp names carried a pid, or by some other tool: by age only.
            with contextlib.suppress(OSError):
                if now - candidate.lstat().st_mtime < STALE_UNOWNED_TMP:
                    continue
        with contextlib.suppress(OSError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return True
    return True


def read_regular(path: Path) -> bytes:
    """A file's bytes, refusing (not hanging on) a FIFO, socket or device at that path.

    Opened non-blocking, so a FIFO with no writer cannot stall the open, then checked on
    the open descriptor, so what is read is what was checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a Unix socket cannot be opened like a file
            raise NotRegularFile(
                errno.ENXIO, f"{path} is a socket, not a regular file", str(path)
            ) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _kind(mode)
            raise NotRegularFile(errno.EINVAL, f"{path} is {kind}, not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def describe_os_error(error: OSError) -> str:
    """'state.toml.lock: Is a directory': the file that failed, and how."""
    reason = error.strerror or str(error)
    if error.filename and str(error.filename) in reason:
        return reason  # our own messages name the path already
    name = error.filename
    return f"{Path(str(name)).name}: {reason}" if name else reason


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_cache_file(path: Path, data: bytes) -> str | None:
    """Keep a cache file (its folder made, written atomically, not fsynced: it can be
    fetched again); why it could not be kept, or None. A cache that cannot be written costs
    only the caching."""
    try:
        ensure_dir(path.parent)
        atomic_write(path, data, durable=False)
    except OSError as error:
        return f"the cache is not being written ({describe_os_error(error)})"
    return None
