"""One handler for every worker failure, wherever the worker ran: the view stays, the
user is told, the traceback goes to the log."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from paperterm import crashlog
from paperterm.text import clean_line


def report_worker_failure(node: Widget | App[Any], event: Worker.StateChanged) -> None:
    # Worker.StateChanged does not bubble: each screen (and the App) hands its own here.
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    where = crashlog.record(error, f"worker {event.worker.name}")
    what = clean_line(f"{type(error).__name__}: {error}", 300)
    node.notify(
        f"{event.worker.name} failed ({what}); the list is kept. Details: {where}",
        severity="error",
        markup=False,
        timeout=12,
    )
