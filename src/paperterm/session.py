"""The reading session: what the user's keys do to their state, with no Textual in it.

Stars, read marks, mark-the-day-read, several steps of undo, the sort and hide-read, and
the read-delay rule (a paper is read once it stayed in view for `read_delay` while it was
being looked at). The reader drives it from key actions and timers; the CLI drives it for
`star`/`read`; tests drive it alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from paperterm.config import Config
from paperterm.listing import SORT_ORDER, Sort
from paperterm.model import Paper
from paperterm.paperbook import PaperBook
from paperterm.prefs import MAX_SEARCHES, ViewPrefs
from paperterm.seen import SeenStore
from paperterm.state import StateStore, Table

if TYPE_CHECKING:
    from paperterm.watch import StarWatch


@dataclass
class UndoStep:
    """What one user action changed: (table, id, value before) per paper."""

    label: str
    changes: list[tuple[Table, str, datetime | None]]

    @property
    def paper_ids(self) -> list[str]:
        return [paper_id for _, paper_id, _ in self.changes]


class Flags:
    """Read, starred, new and saving, as the list and the query see them."""

    def __init__(self, store: StateStore, seen: SeenStore, watch: StarWatch | None = None) -> None:
        self.store = store
        self.seen = seen
        self.watch = watch
        """What starred papers last showed; the reader sets it once it is read."""

    def is_read(self, paper_id: str) -> bool:
        return self.store.is_read(paper_id)

    def is_starred(self, paper_id: str) -> bool:
        return self.store.is_starred(paper_id)

    def is_new(self, paper: Paper) -> bool:
        return self.seen.is_new(paper)

    def is_changed(self, paper_id: str) -> bool:
        """Starred, and changed on the site since its page was last looked at."""
        return (
            self.watch is not None
            and self.watch.has_pending(paper_id)
            and self.store.is_starred(paper_id)
        )

    def note(self, paper_id: str) -> str:
        return self.store.note(paper_id)

    def is_pending(self, paper_id: str) -> bool:
        """Changed and not yet on disk: shown as saving, not as done."""
        return self.store.is_pending(paper_id)


def next_sort(sort: Sort, order: list[Sort]) -> Sort:
    """The sort after `sort` in `order` (the first, if `sort` is not in it)."""
    return order[(order.index(sort) + 1) % len(order)] if sort in order else order[0]


ReadVerdict = Literal["mark", "wait", "none"]


@dataclass
class ReadRule:
    """When the paper under the cursor becomes read.

    `follow` is told each paper the cursor lands on; `check` says, when asked, whether
    the paper is now read ("mark"), must be waited for longer ("wait", `remaining`
    seconds), or is nothing to wait for ("none"). Time spent not looking (the filter
    typed into, a dialog open) does not count: the delay starts again once looked at.
    """

    delay: float
    poll: float = 0.05
    """The shortest wait: a delay of 0 still waits this long between checks."""
    clock: Callable[[], float] = time.monotonic
    due: tuple[str, float] | None = field(default=None, init=False)
    remaining: float = field(default=0.0, init=False)

    def follow(self, paper_id: str | None, already_read: bool) -> None:
        self.due = None
        if paper_id is not None and not already_read:
            self.due = (paper_id, self.clock() + self.delay)

    def forget(self) -> None:
        """The user said read or unread themselves: the rule must not say otherwise."""
        self.due = None

    def check(self, current_id: str | None, looking: bool) -> ReadVerdict:
        if self.due is None:
            return "none"
        paper_id, due = self.due
        if current_id != paper_id:
            self.due = None
            return "none"
        if not looking:
            self.due = (paper_id, self.clock() + max(self.delay, self.poll))
            self.remaining = max(self.delay, self.poll)
            return "wait"
        left = due - self.clock()
        if left > 0:
            self.remaining = max(left, self.poll if self.delay <= 0 else 0.0)
            return "wait"
        self.due = None
        return "mark"


class ReadingSession:
    def __init__(self, store: StateStore, seen: SeenStore, config: Config) -> None:
        self.store = store
        self.seen = seen
        self.config = config
        self.flags = Flags(store, seen)
        self.undo_stack: list[UndoStep] = []
        self.sort: Sort = config.sort
        self.hide_read = config.hide_read
        self.read_rule = ReadRule(config.read_delay)
        self.searches: tuple[str, ...] = ()
        self.theme: str | None = config.theme or None
        """The Textual theme: last chosen, else the config's, else Textual's default."""
        self.book = PaperBook()
        """The newest copy of each paper any feed brought (see paperbook.py)."""

    # ------------------------------------------------------------ view

    def use_prefs(self, prefs: ViewPrefs) -> None:
        """Start with the sort and hide-read last used (else the config's)."""
        if prefs.sort is not None:
            self.sort = prefs.sort
        if prefs.hide_read is not None:
            self.hide_read = prefs.hide_read
        if prefs.theme is not None:
            self.theme = prefs.theme
        self.searches = prefs.searches

    def remember_search(self, query: str) -> None:
        """The newest search first, once, within the bound the prefs keep."""
        kept = [q for q in self.searches if q.casefold() != query.casefold()]
        self.searches = (query, *kept)[:MAX_SEARCHES]

    @property
    def prefs(self) -> ViewPrefs:
        return ViewPrefs(self.sort, self.hide_read, self.searches, self.theme)

    def cycle_sort(self) -> Sort:
        self.sort = next_sort(self.sort, SORT_ORDER)
        return self.sort

    def toggle_hide_read(self) -> bool:
        self.hide_read = not self.hide_read
        return self.hide_read

    # ------------------------------------------------------------ state

    def toggle_star(self, paper_id: str) -> bool:
        """Flip the star (undoable); returns the new value."""
        before = self.store.starred_at(paper_id)
        starred = self.store.toggle_star(paper_id)
        self.undo_stack.append(
            UndoStep("star" if starred else "unstar", [("starred", paper_id, before)])
        )
        return starred

    def set_starred(self, paper_id: str, starred: bool) -> bool:
        """Star or unstar (undoable); whether anything changed."""
        before = self.store.starred_at(paper_id)
        if not self.store.set_starred(paper_id, starred):
            return False
        self.undo_stack.append(
            UndoStep("star" if starred else "unstar", [("starred", paper_id, before)])
        )
        return True

    def set_read(self, paper_id: str, read: bool = True, *, record_undo: bool = True) -> bool:
        """Mark read or unread; whether anything changed. A user's own mark is undoable;
        the read-delay rule's and an opened link's are not."""
        before = self.store.read_at(paper_id)
        if not self.store.set_read(paper_id, read):
            return False
        if record_undo:
            self.undo_stack.append(
                UndoStep("read" if read else "unread", [("read", paper_id, before)])
            )
        return True

    def toggle_read(self, paper_id: str) -> bool:
        """The user's own read/unread: the read rule stands down for this paper."""
        self.read_rule.forget()
        read = not self.store.is_read(paper_id)
        self.set_read(paper_id, read)
        return read

    def mark_all_read(self, papers: Iterable[Paper], label: str) -> list[str]:
        """Mark these papers read as one undoable step; the ids that changed."""
        changes: list[tuple[Table, str, datetime | None]] = []
        for paper in papers:
            if self.store.is_read(paper.id):
                continue  # read already: its own time stands
            before = self.store.read_at(paper.id)
            if self.store.set_read(paper.id, True):
                changes.append(("read", paper.id, before))
        if changes:
            self.undo_stack.append(UndoStep(label, changes))
        return [paper_id for _, paper_id, _ in changes]

    def undo(self) -> UndoStep | None:
        """Put back what the last step changed, exactly; the step, or None."""
        if not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        for table, paper_id, before in reversed(step.changes):
            self.store.restore(table, paper_id, before)
        return step
