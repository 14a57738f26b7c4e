"""The key hints at the bottom: the keys that matter for what has focus now.

One line of Content instead of Textual's Footer (a widget per key, recomposed on every
focus change: about a tenth of a second of start-up). It reads the screen's active
bindings, so remapped keys show as remapped; a click on a hint runs its action.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input

from paperterm.keys import TABLE, display_key

ORDER = {spec.id: n for n, spec in enumerate(TABLE)}


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { height: 1; width: 1fr; background: $footer-background; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []
        self._content = Content("")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        hints: list[tuple[str, str, str, str | None]] = []
        if isinstance(self.screen.focused, Input):
            # Letters type into the field now; say what still works.
            hints = [
                ("Enter", "Go to the list", "screen.focus_list", None),
                ("Esc", "Clear the filter", "screen.clear_filter", None),
                ("↑ ↓", "Move in the list", "", None),
                ("is: has: author: upvotes:>=", "see ? in the list", "", None),
            ]
        else:
            seen: set[str] = set()
            for active in self.screen.active_bindings.values():
                binding = active.binding
                if not binding.show or binding.action in seen:
                    continue
                seen.add(binding.action)
                # As help and the palette show it ("Esc", not Textual's "esc").
                key = display_key(binding.key)
                hints.append((key, binding.description, binding.action, binding.id))
            # In the table's order (quit and help first), wherever each binding lives.
            hints.sort(key=lambda hint: ORDER.get(hint[3] or "", len(ORDER)))
        parts: list[Content] = []
        spans: list[tuple[int, int, str]] = []
        offset = 0
        for key, description, action, _ in hints:
            hint = Content.assemble(
                (f" {key} ", "bold $footer-key-foreground"),
                (f"{description} ", "$footer-description-foreground"),
            )
            if action:
                spans.append((offset, offset + hint.cell_length, action))
            offset += hint.cell_length
            parts.append(hint)
        self._content = Content.assemble(*parts)
        self._spans = spans
        self.refresh()

    def render(self) -> Content:
        return self._content.truncate(max(self.size.width, 1), ellipsis=True)

    async def _on_click(self, event: events.Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, self.screen.focused or self.screen)
                return

    @property
    def plain(self) -> str:
        return self._content.plain
