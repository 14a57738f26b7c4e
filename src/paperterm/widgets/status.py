"""The status line: where the list came from and how old it is on the left, counts and
sort on the right."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from paperterm.text import plural


@dataclass
class StatusLine:
    """What the status line says; the screen sets the parts, the bar assembles them."""

    source: str = "starting…"
    progress: str = ""
    note: str = ""
    """A problem with the list (a day that failed), until the next refresh."""
    save_note: str = ""
    """Why saving failed, shown until a save succeeds."""
    open_note: str = ""
    """What the last link did; cleared when the cursor moves."""
    filter_error: str = ""
    indexing: str = ""
    """The filter waits for its index: what is being indexed."""
    shown: int = 0
    total: int = 0
    narrowed: bool = False
    """A filter or hide-read is on: say 'N of M'."""
    sort: str = ""
    read_hidden: bool = False

    def render(self) -> tuple[Content, Content]:
        left: list[tuple[str, str] | str] = [(f" {self.source}", "$text-muted")]
        if self.progress:
            left += ["  ", (f"⟳ {self.progress}", "$text-accent")]
        for note in (self.save_note, self.note):
            if note:
                left += ["  ", (note, "$text-warning")]
        if self.open_note:
            left += ["  ", (self.open_note, "$text-muted")]
        right: list[tuple[str, str] | str] = []
        if self.filter_error:
            right += [(f"query: {self.filter_error}", "$text-error"), "  "]
        if self.indexing:
            right += [(f"⟳ indexing {self.indexing} for the filter", "$text-accent"), "  "]
        if self.narrowed:
            right.append(f"{self.shown:,} of {plural(self.total, 'paper')}")
        else:
            right.append(plural(self.total, "paper"))
        if self.sort:
            right.append(f"  ·  sort: {self.sort}")
        if self.read_hidden:
            right.append("  ·  read hidden")
        return Content.assemble(*left), Content.assemble(*right, " ")


class StatusBar(Widget):
    """One line, repainted in place: a change of text never asks for a layout pass."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.line = StatusLine()
        self.left = Content("")
        self.right = Content("")

    def update_line(self) -> None:
        """Repaint from `line`, if what it says changed."""
        self.set(*self.line.render())

    def set(self, left: Content, right: Content) -> None:
        if left.is_same(self.left) and right.is_same(self.right):
            return
        self.left, self.right = left, right
        self.refresh()

    def render(self) -> Content:
        width = self.size.width
        right = self.right
        left = self.left
        room = max(width - right.cell_length - 1, 10)
        if left.cell_length > room:
            left = left.truncate(room, ellipsis=True)
        gap = max(width - left.cell_length - right.cell_length, 1)
        return Content.assemble(left, " " * gap, right)

    @property
    def plain(self) -> str:
        """What the line says, for tests and the story scripts."""
        return f"{self.left.plain} {self.right.plain}"
