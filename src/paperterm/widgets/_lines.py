"""Helpers shared by the line-API widgets."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


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
