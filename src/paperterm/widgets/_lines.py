"""Helpers shared by the line-API widgets."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

PaintState = TypeVar("PaintState")


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Change how many lines a scroll view holds without a layout pass over the screen.

    Assigning `virtual_size` asks for a full reflow and repaint of the screen, which cost
    tens of milliseconds per cursor move or filter keystroke. These views keep their
    vertical scrollbar always shown (overflow-y: scroll), so their own size cannot change
    with their content: updating the scrollbars and repainting the view is enough.
    """
    if view.virtual_size == size:
        return
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)
    view.refresh()


class OncePerPaint(Generic[PaintState]):
    """For a line-API widget: work out what every line of a paint shares once per paint.

    Scroll offset, width and the like are each a walk through Textual's geometry; asked
    for in `render_line`, they cost about a third of painting a pane. Mix in before the
    widget class and read `painting()` in `render_line`.
    """

    _paint: PaintState | None = None

    def paint_state(self) -> PaintState:
        raise NotImplementedError

    def painting(self) -> PaintState:
        """The current paint's shared state (worked out afresh outside a paint, as when a
        test asks for one line)."""
        return self._paint if self._paint is not None else self.paint_state()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint = self.paint_state()
        try:
            return super().render_lines(crop)  # type: ignore[misc, no-any-return]
        finally:
            self._paint = None
