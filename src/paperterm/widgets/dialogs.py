"""Modal screens: help, the link picker, go-to-date, the search prompt and the feed list."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class HelpScreen(ModalScreen[None]):
    """Every key, and the query language."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="help.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="help.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="help.top"),
        Binding("G,end", "edge(1)", "End", show=False, id="help.end"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 95%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keys: list[tuple[str, str]], query_help: str) -> None:
        super().__init__()
        self.keys = keys
        self.query_help = query_help

    def compose(self) -> ComposeResult:
        lines = [Content("paperterm keys").stylize("bold $text-accent"), Content("")]
        for key, description in self.keys:
            lines.append(Content.assemble((f"  {key:<16}", "bold"), description))
        lines += [Content(""), Content("Filter queries").stylize("bold $text-accent")]
        lines += [Content(line) for line in self.query_help.splitlines()]
        lines += [
            Content(""),
            Content("j k PgDn PgUp g G scroll  ·  Esc closes this help.").stylize("$text-muted"),
        ]
        with VerticalScroll():
            yield Static(Content("\n").join(lines))

    def _scroller(self) -> VerticalScroll:
        return self.query_one(VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        self._scroller().scroll_relative(y=lines, animate=False)

    def action_page(self, direction: int) -> None:
        scroller = self._scroller()
        if direction > 0:
            scroller.scroll_page_down(animate=False)
        else:
            scroller.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        scroller = self._scroller()
        if end:
            scroller.scroll_end(animate=False)
        else:
            scroller.scroll_home(animate=False)


_T = TypeVar("_T")


def picker_bindings(prefix: str, noun: str) -> list[Binding]:
    """j/k and the number keys of a picker; ids under `prefix` (remappable one by one)."""
    return [
        Binding("j", "move(1)", "Down", show=False, id=f"{prefix}.down"),
        Binding("k", "move(-1)", "Up", show=False, id=f"{prefix}.up"),
        *(
            Binding(str(n), f"pick({n - 1})", f"{noun} {n}", show=False, id=f"{prefix}.{n}")
            for n in range(1, 10)
        ),
    ]


class OptionPicker(ModalScreen[_T]):
    """A list to pick one entry from: j/k move, Enter or its number picks, Esc closes."""

    DEFAULT_CSS = """
    OptionPicker { align: center middle; }
    OptionPicker > Vertical {
        max-width: 95%; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    OptionPicker OptionList { height: auto; max-height: 20; border: none; }
    """

    def choice(self, index: int) -> _T:
        """What picking the entry at `index` gives the caller."""
        raise NotImplementedError

    @property
    def count(self) -> int:
        raise NotImplementedError

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_pick(self, index: int) -> None:
        if 0 <= index < self.count:
            self.dismiss(self.choice(index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choice(int(event.option.id or 0)))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class LinkPicker(OptionPicker[str | None]):
    """Every link the paper has; Enter opens the highlighted one."""

    BINDINGS = [
        Binding("escape,q", "dismiss_none", "Close", id="links.close"),
        Binding("y", "copy", "Copy", id="links.copy"),
        Binding("g", "edge(0)", "First", show=False, id="links.first"),
        Binding("G", "edge(1)", "Last", show=False, id="links.last"),
        *picker_bindings("links", "Link"),
    ]
    DEFAULT_CSS = "LinkPicker > Vertical { width: 90; }"

    def __init__(self, title: str, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content.assemble(("Open a link of: ", "$text-muted"), (self.title_text, "bold"))
            )
            yield OptionList(
                *(self._option(i, label, url) for i, (label, url) in enumerate(self.links)),
                markup=False,
            )
            yield Static(
                Content("Enter or 1-9 opens  ·  j k move  ·  y copies  ·  Esc closes").stylize(
                    "$text-muted"
                ),
                id="links-hint",
            )

    @staticmethod
    def _option(index: int, label: str, url: str) -> Option:
        number = f"{index + 1} " if index < 9 else "  "
        return Option(
            Content.assemble((number, "$text-muted"), (f"{label:<20}", "bold"), url),
            id=str(index),
        )

    def add_links(self, links: list[tuple[str, str]]) -> None:
        """More links, found after the picker opened (the paper's linked repos)."""
        options = self.query_one(OptionList)
        start = len(self.links)
        self.links.extend(links)
        options.add_options(
            [self._option(start + i, label, url) for i, (label, url) in enumerate(links)]
        )

    def action_edge(self, end: int) -> None:
        options = self.query_one(OptionList)
        options.highlighted = len(self.links) - 1 if end else 0

    def choice(self, index: int) -> str | None:
        return self.links[index][1]

    @property
    def count(self) -> int:
        return len(self.links)

    def action_copy(self) -> None:
        """Copy the highlighted link (OSC 52: works over ssh too, where the terminal can)."""
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        url = self.links[index][1]
        self.app.copy_to_clipboard(url)
        self.query_one("#links-hint", Static).update(
            Content.assemble(("copied: ", "$text-success"), url)
        )


class GotoPrompt(ModalScreen[date | str | None]):
    """Ask for a day to jump to (the days only), or a paper to open: an id, `arXiv:…`, or
    an arXiv or Hugging Face URL pasted in. Answers a date, or a paper id."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="goto.cancel")]
    DEFAULT_CSS = """
    GotoPrompt { align: center middle; }
    GotoPrompt > Vertical {
        width: 60; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    GotoPrompt #goto-error { color: $text-error; }
    """

    def __init__(self, *, days: bool = True) -> None:
        super().__init__()
        self.days = days

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.days:
                yield Static(Content("Go to a day (YYYY-MM-DD), or a paper (id or URL):"))
                yield Input(placeholder="2024-08-01  or  2407.21783", id="goto-input")
            else:
                yield Static(Content("Open a paper (id, arXiv:id, or its arXiv or HF URL):"))
                yield Input(placeholder="2407.21783", id="goto-input")
            yield Static(Content(""), id="goto-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from paperterm.model import PaperIdError, parse_paper_id

        text = event.value.strip()
        if self.days:
            try:
                self.dismiss(date.fromisoformat(text))
                return
            except ValueError:
                pass
        try:
            self.dismiss(parse_paper_id(text))
        except PaperIdError as error:
            said = f"not a date or a paper: {text!r}" if self.days else str(error)
            self.query_one("#goto-error", Static).update(Content(said))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class SearchPrompt(ModalScreen[str | None]):
    """Ask for one line: what to search the site for (any year; `/` filters what is
    loaded instead), or a name to save a search under."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="search.cancel")]
    DEFAULT_CSS = """
    SearchPrompt { align: center middle; }
    SearchPrompt > Vertical {
        width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(
        self,
        recent: tuple[str, ...] = (),
        *,
        title: str = "Search Hugging Face papers (any year):",
        placeholder: str = "e.g. LoRA fine-tuning",
        value: str = "",
    ) -> None:
        super().__init__()
        self.recent = recent
        self.title_text = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text))
            yield Input(self.value, placeholder=self.placeholder, id="search-input")
            if self.recent:
                shown = "  ·  ".join(self.recent[:4])
                yield Static(Content.assemble(("recent: ", "$text-muted"), shown))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        query = " ".join(event.value.split())
        self.dismiss(query or None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class FeedPicker(OptionPicker[int | None]):
    """The feeds, each with what it holds; Enter or its number opens it."""

    BINDINGS = [
        Binding("escape,q,f", "dismiss_none", "Close", id="feeds.close"),
        *picker_bindings("feeds", "Feed"),
    ]
    DEFAULT_CSS = "FeedPicker > Vertical { width: 70; }"

    def __init__(
        self, entries: list[tuple[str, str]], current: int | None = None, title: str = "Feeds"
    ) -> None:
        super().__init__()
        self.entries = entries
        """(name, what it holds) per feed, in the order the caller will index."""
        self.current = current
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text).stylize("bold $text-accent"))
            yield OptionList(
                *(
                    Option(
                        Content.assemble(
                            (f"{i + 1} " if i < 9 else "  ", "$text-muted"),
                            (f"{name:<23}", "bold"),
                            (detail, "$text-muted"),
                        ),
                        id=str(i),
                    )
                    for i, (name, detail) in enumerate(self.entries)
                ),
                markup=False,
            )
            yield Static(
                Content("Enter or 1-9 opens  ·  j k move  ·  Esc closes").stylize("$text-muted")
            )

    def on_mount(self) -> None:
        if self.current is not None:
            self.query_one(OptionList).highlighted = self.current

    def choice(self, index: int) -> int | None:
        return index

    @property
    def count(self) -> int:
        return len(self.entries)
