"""The status line: where the list came from and how old it is on the left, counts and
sort on the right."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class StatusBar(Widget):
    """One line, repainted in place: a change of text never asks for a layout pass."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.left = Content("")
        self.right = Content("")

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
