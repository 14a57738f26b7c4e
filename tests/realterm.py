"""A real terminal for tests: the reader in a pseudo-terminal of a given size, read as it
paints. Used where only a real tty shows the behaviour (signals, layout, escapes)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterator


class RealTerminal:
    def __init__(self, proc: subprocess.Popen[bytes], master: int) -> None:
        self.proc = proc
        self.master: int | None = master
        self.screen = b""
        """Everything painted so far."""

    def read_until(self, needle: bytes, seconds: float) -> bool:
        """Read what is painted until `needle` shows (True) or `seconds` pass (False)."""
        end = time.monotonic() + seconds
        while needle not in self.screen and time.monotonic() < end and self.master is not None:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.screen += chunk
        return needle in self.screen

    def settle(self, seconds: float) -> None:
        """Read whatever is painted in the next `seconds`."""
        self.read_until(b"\x00never painted", seconds)

    def type(self, keys: bytes) -> None:
        assert self.master is not None
        os.write(self.master, keys)

    def close(self) -> None:
        """The terminal goes away, as when its window is closed."""
        if self.master is not None:
            os.close(self.master)
            self.master = None


@contextlib.contextmanager
def real_terminal(
    argv: list[str],
    env: dict[str, str],
    rows: int = 30,
    cols: int = 120,
    term: str = "xterm-256color",
) -> Iterator[RealTerminal]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "TERM": term},
        start_new_session=True,
    )
    os.close(slave)
    shown = RealTerminal(proc, master)
    try:
        yield shown
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shown.close()
