"""The filter field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterInput(Input):
    """An Input that hands each edit to `on_edit` as it happens.

    `Input.Changed` reaches the app a few turns of the event loop after the keystroke, by
    which time the screen has painted the new text once; the narrowed list then cost a
    second frame. Applying the edit from the value's watcher paints both in one frame.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """Input sets its virtual size on every edit (it follows the text, for horizontal
    scrolling), and Widget declares that a layout change: a reflow and repaint of the whole
    screen per keystroke. The field's box is fixed by the stylesheet (full width, one
    line), so its text can move nothing else; a repaint of the field is enough."""

    def __init__(self, on_edit: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_edit = on_edit

    def watch_value(self, value: str) -> None:
        self._on_edit(value)
