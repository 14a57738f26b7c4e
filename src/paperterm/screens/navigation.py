"""Moving between feeds: what a feed is, the message that asks the App for one, and the
entries of the feed list. Screens post `OpenFeed`; only the App knows the screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from textual.message import Message

from paperterm.lists import ListSpec, month_of, week_of


@dataclass(frozen=True)
class TopicFeed:
    name: str


Feed = ListSpec | TopicFeed | Literal["days", "starred"]

FEED_NAMES = ("days", "week", "month", "trending", "starred")


def feed_for(name: str, today: date) -> Feed:
    """A feed by its name on the command line or in the config (`start_feed`)."""
    if name == "week":
        return ListSpec("week", week_of(today))
    if name == "month":
        return ListSpec("month", month_of(today))
    if name == "trending":
        return ListSpec("trending")
    if name == "days":
        return "days"
    if name == "starred":
        return "starred"
    raise ValueError(f"no feed is called {name!r} ({', '.join(FEED_NAMES)})")


def feed_menu(
    today: date,
    searches: tuple[str, ...],
    starred: int,
    topics: list[tuple[str, int | None]] | None = None,
) -> list[tuple[str, str, Feed]]:
    """The feed list: (name, what it holds, feed), days first, then the topics with their
    new counts (None: not checked yet), then the past searches."""
    week, month = week_of(today), month_of(today)
    entries: list[tuple[str, str, Feed]] = [
        ("Days", "the Daily Papers, newest first", "days"),
        ("This week", f"{week}, top first", ListSpec("week", week)),
        ("This month", f"{today:%B %Y}, top first", ListSpec("month", month)),
        ("Trending", "by GitHub-stars activity", ListSpec("trending")),
        ("Starred", f"{starred} paper{'s' if starred != 1 else ''}, offline too", "starred"),
    ]
    for name, new in topics or []:
        what = "not checked yet" if new is None else f"{new} new" if new else "nothing new"
        entries.append((f"Topic: {name}", what, TopicFeed(name)))
    entries += [(f"Search: {q}", "a past search", ListSpec("search", q)) for q in searches]
    # The dialog gives a name 22 columns: a long query is cut there, not wrapped.
    return [(n if len(n) <= 22 else n[:21] + "…", what, feed) for n, what, feed in entries]


class OpenFeed(Message):
    """Show another feed (the App handles it: screens do not know one another)."""

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed
