"""A note on a paper, written in the user's editor: the reader steps aside (the terminal
handed over, as for a console browser), the editor opens a file holding the note, and
what it leaves there is the note, saved with the state's care (pending until on disk)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import SuspendNotSupported
from textual.screen import Screen

from paperterm.model import Paper
from paperterm.state import StateStore

NO_EDITOR = "Set $VISUAL or $EDITOR to write notes (for example: export EDITOR=nano)."


def editor_command() -> list[str] | None:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    try:
        return shlex.split(command) if command else None
    except ValueError:
        return None


def edit_note(
    screen: Screen[Any], store: StateStore, paper: Paper, changed: Callable[[str], None]
) -> None:
    """Open the paper's note in the editor; `changed(paper_id)` once it is a new note."""
    command = editor_command()
    if not command:
        screen.notify(NO_EDITOR, severity="warning", markup=False, timeout=8)
        return
    fd, name = tempfile.mkstemp(prefix="paperterm-note-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(store.note(paper.id))
        try:
            with screen.app.suspend():
                code = _run(command, path)
        except SuspendNotSupported:
            if not screen.app.is_headless:
                screen.notify(
                    "This terminal cannot be handed to an editor.", severity="error", markup=False
                )
                return
            code = _run(command, path)  # tests: an editor that needs no terminal
        if code != 0:
            screen.notify(
                f"The editor exited with status {code}; the note is as it was.",
                severity="warning",
                markup=False,
            )
            return
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        screen.notify(f"The note could not be edited: {error}", severity="error", markup=False)
        return
    finally:
        path.unlink(missing_ok=True)
    if store.set_note(paper.id, text):
        changed(paper.id)  # shown as saving until it is on disk, like a star


def _run(command: list[str], path: Path) -> int:
    try:
        return subprocess.call([*command, str(path)])
    except OSError:
        return 127
