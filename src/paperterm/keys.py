"""The reader's key bindings: one table, from which the app's bindings, the help screen,
the command palette, `paperterm keys` and the README's id list all come.

Pure data and checks, no Textual: a remap from the config (`[keys] star = "x"`) is
resolved here, and whatever is wrong with it (an unknown id, a key name no terminal
sends, a key another action needs) is said, and that action keeps its default keys.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Scope = Literal["app", "papers", "days", "lists", "page"]
"""Where a binding applies: everywhere, any screen of papers, the day reader only, the
other feeds only, or the paper page."""


@dataclass(frozen=True)
class KeySpec:
    id: str
    """What `[keys]` in the config names."""
    keys: str
    """Default keys, comma-separated, in Textual's names (`j,down`, `question_mark`)."""
    action: str
    label: str
    """Short, for the key bar."""
    help: str
    """What the help screen and `paperterm keys` say it does."""
    group: str
    show: bool = False
    """Shown in the key bar."""
    palette: str = ""
    """Its title in the command palette, if it is offered there."""
    priority: bool = False
    where: Scope = "papers"
    on_page: bool = False
    """A key of the lists that the paper page answers too (star, read, links, scroll)."""


def offered(spec: KeySpec, scopes: tuple[Scope, ...]) -> bool:
    """Whether a screen of these scopes answers this key."""
    return spec.where in scopes or (spec.on_page and "page" in scopes)


TABLE: tuple[KeySpec, ...] = (
    KeySpec("quit", "q", "quit", "Quit", "quit", "App", show=True, where="app"),
    KeySpec("help", "question_mark", "help", "Help", "this help", "App", show=True,
            palette="Show keys and query help", where="app"),
    KeySpec("back", "escape,backspace", "back", "Back", "the page: back to the list, as it was",
            "Paper page", show=True, where="page"),
    KeySpec("down", "j,down", "move(1)", "Down", "move down", "Move", on_page=True),
    KeySpec("up", "k,up", "move(-1)", "Up", "move up", "Move", on_page=True),
    KeySpec("first", "g,home", "first", "First", "first paper", "Move", on_page=True),
    KeySpec("last", "G,end", "last", "Last", "last paper", "Move", on_page=True),
    KeySpec("page_down", "pagedown", "page(1)", "Page down", "page down", "Move", on_page=True),
    KeySpec("page_up", "pageup", "page(-1)", "Page up", "page up", "Move", on_page=True),
    KeySpec("next_day", "right_square_bracket", "day(1)", "Next day",
            "next day (past the oldest, older days load)", "Move"),
    KeySpec("prev_day", "left_square_bracket", "day(-1)", "Previous day", "previous day", "Move"),
    KeySpec("next_unread", "n", "next_unread", "Next unread",
            "next unread paper (across days; on a paper's page: its page)", "Move", show=True,
            palette="Next unread paper", on_page=True),
    KeySpec("next_new", "N", "next_new", "Next new", "next paper new since your last visit",
            "Move", palette="Next paper new since last visit"),
    KeySpec("star", "s", "star", "Star", "star / unstar", "Read", show=True,
            palette="Star / unstar paper", on_page=True),
    KeySpec("toggle_read", "m", "toggle_read", "Read", "mark read / unread", "Read", show=True,
            palette="Mark read / unread", on_page=True),
    KeySpec("mark_day_read", "M", "mark_day_read", "Mark day read",
            "mark the day's shown papers read", "Read",
            palette="Mark the day's shown papers read"),
    KeySpec("undo", "u", "undo", "Undo", "undo (read, star, mark day), several steps", "Read",
            palette="Undo"),
    KeySpec("hide_read", "H", "hide_read", "Hide read", "hide / show read papers (remembered)",
            "Read", palette="Hide / show read papers"),
    KeySpec("cycle_sort", "S", "cycle_sort", "Sort",
            "sort: upvotes, stars, comments, arXiv date, title", "Read",
            palette="Cycle sort order"),
    KeySpec("switch_pane", "tab", "switch_pane", "Pane", "switch between the list and the paper",
            "Read", priority=True),
    KeySpec("open_paper", "enter", "open_paper", "Open paper",
            "the paper's page: code, models, datasets, Spaces", "Read",
            palette="Open the paper's page"),
    KeySpec("goto_paper", "i", "goto_paper", "Go to paper",
            "open a paper's page by id or URL (arXiv or Hugging Face)", "Read",
            palette="Open a paper by id or URL"),
    KeySpec("toggle_layout", "v", "toggle_layout", "One pane / two",
            "one pane at a time / side by side (narrow terminals: one)", "Read",
            palette="One pane at a time / side by side"),
    KeySpec("scroll_abstract", "space", "scroll_abstract", "Scroll",
            "scroll the abstract (at its end: next unread)", "Read", on_page=True),
    KeySpec("open_hf", "o", "open_link('hf')", "HF page", "open the Hugging Face page", "Links",
            palette="Open Hugging Face page", on_page=True),
    KeySpec("open_arxiv", "a", "open_link('arxiv')", "arXiv", "open the arXiv abstract", "Links",
            palette="Open arXiv abstract", on_page=True),
    KeySpec("open_pdf", "p", "open_link('pdf')", "PDF", "open the PDF", "Links", show=True,
            palette="Open PDF", on_page=True),
    KeySpec("open_code", "c", "open_link('code')", "Code", "open the code (GitHub)", "Links",
            show=True, palette="Open code (GitHub)", on_page=True),
    KeySpec("open_project", "w", "open_link('project')", "Project page", "open the project page",
            "Links", palette="Open project page", on_page=True),
    KeySpec("links", "l", "links", "Links", "pick any of the paper's links (y there copies)",
            "Links", show=True, palette="Pick a link to open", on_page=True),
    KeySpec("edit_note", "e", "edit_note", "Note",
            "write a note on the paper (in $VISUAL or $EDITOR)", "Read",
            palette="Write a note on the paper", on_page=True),
    KeySpec("export", "E", "export", "Export",
            "export the list as shown: BibTeX, Markdown, JSON or CSV", "Read",
            palette="Export the list (BibTeX, Markdown, JSON, CSV)"),
    KeySpec("copy_link", "y", "copy_link", "Copy link",
            "copy the paper's id and link (or the link no browser opened)", "Links",
            palette="Copy the paper's id and link", on_page=True),
    KeySpec("focus_filter", "slash", "focus_filter", "Filter", "filter (see below)", "Filter",
            show=True, palette="Filter papers"),
    KeySpec("clear_filter", "escape", "clear_filter", "Clear filter",
            "clear the filter, the paper it found kept; one pane: the list", "Filter"),
    KeySpec("goto_date", "d", "goto_date", "Go to day",
            "go to a day, or a paper by id or URL (older days load on demand too)", "Days",
            palette="Go to day", where="days"),
    KeySpec("refresh", "r", "refresh", "Refresh", "refresh from the site (the page: ask again)",
            "Days",
            palette="Refresh from the site", on_page=True),
    KeySpec("feeds", "f", "feeds", "Feeds",
            "feeds: days, week, month, trending, starred, searches", "Feeds", show=True,
            palette="Switch feed"),
    KeySpec("search", "F", "search", "Search", "search the site (papers of any year)", "Feeds",
            show=True, palette="Search Hugging Face papers"),
    KeySpec("toggle_grouping", "t", "toggle_grouping", "By day / ranked",
            "week, month: by day or ranked; starred: by star or feed day", "Feeds",
            palette="By day / one ranked list", where="lists"),
    KeySpec("save_topic", "T", "save_topic", "Save topic",
            "save this search as a topic (its new papers are marked)", "Feeds",
            palette="Save this search as a topic", where="lists"),
    KeySpec("page_links", "enter", "links", "Links",
            "the page: pick a link, model, dataset or Space to open", "Paper page",
            where="page"),
)  # fmt: skip

BY_ID = {spec.id: spec for spec in TABLE}

FIXED_HELP: tuple[tuple[str, str], ...] = (
    ("Ctrl+C", "copy the text selected with the mouse"),
    ("Ctrl+P", "command palette"),
)
"""Keys Textual itself provides, listed in help but not remappable here."""

_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED = frozenset(
    {
        "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "insert",
        "delete", "backspace", "tab", "enter", "escape", "space",
        *(f"f{i}" for i in range(1, 25)),
    }
)  # fmt: skip
_DISPLAY = {
    "question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "[",
    "slash": "/", "asterisk": "*", "space": "Space", "escape": "Esc", "enter": "Enter",
    "tab": "Tab", "pagedown": "PgDn", "pageup": "PgUp", "home": "Home", "end": "End",
    "down": "↓", "up": "↑", "left": "←", "right": "→", "backspace": "Backspace",
    "delete": "Del", "insert": "Ins",
}  # fmt: skip


def _character_name(ch: str) -> str:
    """Textual's name for a printable character key (`?` is `question_mark`)."""
    return unicodedata.name(ch, ch).lower().replace(" ", "_").replace("-", "_")


_CHARACTER_NAMES = {_character_name(chr(c)): chr(c) for c in range(0x21, 0x7F)}


def valid_key(name: str) -> bool:
    """Whether a terminal can send this key as Textual names it (`x`, `ctrl+n`, `f5`,
    `question_mark`); `ctrl+nosuchkey` is not one."""
    *mods, base = name.split("+")
    if any(m not in _MODIFIERS for m in mods) or not base:
        return False
    return (
        (len(base) == 1 and base.isprintable() and not base.isspace())
        or base in _NAMED
        or base in _CHARACTER_NAMES
    )


def display_key(name: str) -> str:
    """How a key is shown to a person: `question_mark` -> `?`, `ctrl+n` -> `Ctrl+N`."""
    *mods, base = name.split("+")
    shown = _DISPLAY.get(base) or _CHARACTER_NAMES.get(base) or base
    if mods:
        return "+".join(
            [*(m.capitalize() for m in mods), shown.upper() if len(shown) == 1 else shown]
        )
    return shown


def split_keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


@dataclass(frozen=True)
class KeysInForce:
    keys: dict[str, str]
    """Binding id -> the keys it answers to now."""
    remapped: dict[str, str]
    """Only the ids whose remap was taken: what Textual's keymap is given."""
    problems: list[str]

    def shown(self, binding_id: str) -> str:
        return " ".join(display_key(k) for k in split_keys(self.keys[binding_id]))


def resolve(remap: dict[str, str]) -> KeysInForce:
    """The keys in force after the config's `[keys]`, and what was wrong with it.

    A remap is taken only whole: every key valid, none held by another action. Otherwise
    the action keeps its default keys and the problem says why.
    """
    keys = {spec.id: spec.keys for spec in TABLE}
    taken: dict[str, str] = {}
    problems: list[str] = []
    for binding_id in sorted(remap):
        wanted = split_keys(remap[binding_id])
        if binding_id not in BY_ID:
            problems.append(
                f"config [keys]: no binding has the id {binding_id!r} "
                "(`paperterm keys` lists them); ignored"
            )
            continue
        default = f"its default {BY_ID[binding_id].keys!r} is used"
        if not wanted:
            problems.append(f"config [keys]: {binding_id} names no key; {default}")
            continue
        bad = [k for k in wanted if not valid_key(k)]
        if bad:
            problems.append(
                f"config [keys]: {binding_id} = {remap[binding_id]!r}: "
                f"{', '.join(repr(k) for k in bad)} is not a key name; {default}"
            )
            continue
        holders = {
            key: other
            for other, held in keys.items()
            if other != binding_id
            for key in split_keys(held)
            if key in wanted
        }
        if holders:
            clash = ", ".join(
                f"{display_key(k)} is {o}'s ({BY_ID[o].help})" for k, o in holders.items()
            )
            problems.append(
                f"config [keys]: {binding_id} = {remap[binding_id]!r}: {clash}; {default}"
            )
            continue
        keys[binding_id] = ",".join(wanted)
        taken[binding_id] = keys[binding_id]
    return KeysInForce(keys, taken, problems)


def markdown_ids() -> str:
    """The README's list of binding ids."""
    return " ".join(spec.id for spec in TABLE)
