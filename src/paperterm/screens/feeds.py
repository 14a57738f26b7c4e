"""The feeds besides the days: a search of the site, a week, a month, trending and the
starred papers. Each is a `PapersScreen`, so the list, the paper pane, the filter and query
language, stars, read marks, links, sort and undo work as they do for days; what differs
is where the papers come from (`lists.ListSource`, or the state and the cache) and how
they are sectioned.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content

from paperterm.keys import Scope
from paperterm.library import describe_age
from paperterm.listing import LIST_SORT_ORDER, Sort
from paperterm.lists import NOT_CACHED, ListResult, ListSpec, starred_papers
from paperterm.model import Paper
from paperterm.screens.papers import PapersScreen, bindings_for
from paperterm.session import Flags, ReadingSession, next_sort
from paperterm.topics import Topic
from paperterm.widgets.paper_list import day_label, month_label
from paperterm.wiring import Wiring


def site_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """The site's matched words as one pattern, longest first (they are text, escaped)."""
    terms = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None


class FeedScreen(PapersScreen):
    """What the feeds other than days share: their own sort, reload and feed keys."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("lists")
    SCOPES: ClassVar[tuple[Scope, ...]] = ("papers", "lists")

    def __init__(
        self, wiring: Wiring, session: ReadingSession, sort: Sort, flags: Flags | None = None
    ) -> None:
        super().__init__(wiring, session, flags)
        self._sort: Sort = sort
        self.loaded = False

    @property
    def sort(self) -> Sort:
        return self._sort

    def next_sort(self) -> Sort:
        self._sort = next_sort(self._sort, LIST_SORT_ORDER)
        return self._sort

    def on_mount(self) -> None:
        super().on_mount()
        self.reload(force=False)

    def reload(self, force: bool) -> None:
        self.run_worker(
            self.load(force),
            name=f"load {self.feed_name}",
            group="feed",
            exclusive=True,
            exit_on_error=False,
        )

    @property
    def feed_name(self) -> str:
        raise NotImplementedError

    async def load(self, force: bool) -> None:
        """Fetch or read the feed, then `painted()`."""
        raise NotImplementedError

    def action_refresh(self) -> None:
        self.reload(force=True)

    def export_title(self) -> str:
        return self.feed_name

    def painted(self) -> None:
        """A load came back: repaint, and put the cursor on the first paper once."""
        first = not self.loaded
        self.loaded = True
        self.rebuild()
        if first and self.paper_list.rows:
            self.paper_list.first()
        self.follow_cursor()
        if self.paper_list.paper is None:
            self.show_paper(None)


class ListScreen(FeedScreen):
    """A search, a week, a month or trending."""

    def __init__(
        self,
        wiring: Wiring,
        session: ReadingSession,
        spec: ListSpec,
        flags: Flags | None = None,
    ) -> None:
        ranked = spec.kind in ("search", "trending")
        super().__init__(wiring, session, "site" if ranked else "upvotes", flags)
        self.spec = spec
        self.result: ListResult | None = None
        self.by_day = spec.kind in ("week", "month")
        """Week and month: sectioned by day, or one ranked list (t)."""
        self._site_words: re.Pattern[str] | None = None
        self.set_labels()

    def set_labels(self) -> None:
        plist = self.paper_list
        plist.site_figure = "stars" if self.spec.kind == "trending" else "upvotes"
        if self.spec.kind == "search":
            plist.group_label = month_label
        elif self.by_day:
            plist.group_label = day_label
        else:
            title = self.spec.title
            plist.group_label = lambda _: title

    def groups(self) -> Iterable[tuple[date, tuple[Paper, ...]]]:
        if self.result is None:
            return ()
        papers = self.result.papers
        if self.spec.kind == "search":
            # By publication month, newest first; the site's relevance order within one.
            return _grouped(
                papers, lambda p: (p.published.date() if p.published else p.day).replace(day=1)
            )
        if self.by_day:
            return _grouped(papers, lambda p: p.day)
        return [(self.wiring.clock().date(), papers)]

    def highlight(self) -> re.Pattern[str] | None:
        return super().highlight() or self._site_words

    @property
    def feed_name(self) -> str:
        return self.spec.title

    async def load(self, force: bool) -> None:
        await self.load_list(force)
        self.painted()

    async def load_list(self, force: bool) -> None:
        lists = self.wiring.library.lists
        spec = self.spec
        self.status.progress = f"loading {spec.title}…"
        self.update_status()
        try:
            result = await lists.load(spec, offline=self.wiring.offline, force=force)
        finally:
            self.status.progress = ""
        if spec != self.spec:
            return  # the user moved on to another week while this one loaded
        papers = self.session.book.merge(result.papers, result.fetched_at)
        self.result = result if papers is result.papers else replace(result, papers=papers)
        self._site_words = site_pattern(result.highlights)
        where = self.wiring.config.base_url.split("://", 1)[-1].rstrip("/")
        age = ""
        if result.fetched_at is not None:
            verb = "cached" if result.from_cache else "updated"
            age = f" · {verb} {describe_age(self.wiring.clock() - result.fetched_at)}"
        self.status.source = f"{self.feed_name} · {where}{age}"
        self.status.note = result.message or result.note
        if result.message and result.papers:
            self.notify(
                f"{spec.title}: {result.message}; the cached answer is shown",
                severity="warning",
                markup=False,
            )
        problem = lists.cache_problem
        if problem:
            lists.cache_problem = None
            self.notify(problem, severity="warning", markup=False)

    def empty_text(self) -> Content:
        if self.query_obj is not None or self.session.hide_read:
            return super().empty_text()
        if self.result is None:
            return Content(f"Loading {self.spec.title}…")
        if self.result.status in ("error", "missing"):
            lines = [
                f"{self.spec.title}: nothing could be loaded, and nothing is cached.",
                "",
                f"Why: {self.result.message}",
                "",
                "r tries again; f picks another feed.",
            ]
            return Content("\n".join(lines))
        if self.spec.kind == "search":
            return Content(f"No paper on the site matches {self.spec.arg!r}.\n\nF searches again.")
        return Content(f"{self.spec.title} has no papers.")

    def action_day(self, direction: int) -> None:
        """Week and month: ] is the period before, [ the one after (down is older)."""
        if self.spec.kind not in ("week", "month"):
            super().action_day(direction)
            return
        later = self.spec.shifted(-direction)
        if later.days()[0] > self.wiring.clock().date():
            self.notify(f"{later.title} has not begun.", markup=False)
            return
        self.spec = later
        self.result = None
        self.set_labels()
        self.paper_list.first()
        self.rebuild()
        self.show_paper(None)
        self.reload(force=False)

    def action_save_topic(self) -> None:
        if self.spec.kind != "search":
            self.notify("Only a search can be saved as a topic (F searches).", markup=False)
            return

        def named(name: str | None) -> None:
            if name:
                self.run_worker(self._save_topic(name), name="save topic", exit_on_error=False)

        from paperterm.widgets.dialogs import SearchPrompt

        prompt = SearchPrompt(
            title=f"Save {self.spec.arg!r} as the topic named:", placeholder="", value=self.spec.arg
        )
        self.app.push_screen(prompt, named)

    async def _save_topic(self, name: str) -> None:
        store = self.wiring.topics
        ids = [p.id for p in self.result.papers] if self.result else []
        now = self.wiring.clock()

        def save() -> None:
            if not store.loaded:
                store.load()
            store.visited(store.add(name, self.spec.arg), ids, now)  # what is shown is seen

        await asyncio.to_thread(save)
        self.notify(
            f"Saved the topic {name!r}: f lists it, with its new papers counted.", markup=False
        )

    def action_toggle_grouping(self) -> None:
        if self.spec.kind not in ("week", "month"):
            self.notify("Only a week or a month can be shown by day.", markup=False)
            return
        self.by_day = not self.by_day
        self.set_labels()
        self.paper_list.repaint_all()
        self.rebuild()
        self.notify("By day." if self.by_day else "One ranked list.", markup=False, timeout=2)


CHANGES = date.max
"""The Starred feed's first section: the papers that changed on the site."""


class StarredScreen(FeedScreen):
    """Every starred paper, offline, from the state and whatever the cache holds of it;
    those that changed on the site since their page was looked at come first."""

    def __init__(self, wiring: Wiring, session: ReadingSession) -> None:
        super().__init__(wiring, session, "site")  # the site's order here: newest star first
        self.papers: tuple[Paper, ...] = ()
        self.by_starred = True
        """Sectioned by the day each was starred, or by its feed day (t)."""
        self.paper_list.group_label = lambda day: (
            "Changed on the site since you looked" if day == CHANGES else day_label(day)
        )

    def groups(self) -> Iterable[tuple[date, tuple[Paper, ...]]]:
        watch = self.wiring.watch
        order = {pid: n for n, pid in enumerate(watch.changed_ids(p.id for p in self.papers))}
        changed = tuple(
            sorted((p for p in self.papers if p.id in order), key=lambda p: order[p.id])
        )
        rest = [p for p in self.papers if p.id not in order]
        key = self._starred_day if self.by_starred else (lambda p: p.day)
        head = [(CHANGES, changed)] if changed else []
        return head + _grouped(rest, key)

    def _starred_day(self, paper: Paper) -> date:
        when = self.store.starred_at(paper.id)
        return when.date() if when is not None else paper.day

    @property
    def feed_name(self) -> str:
        return "Starred"

    async def load(self, force: bool) -> None:
        library = self.wiring.library

        def read() -> tuple[Paper, ...]:
            return starred_papers(self.store, library.known_papers())

        papers = await asyncio.to_thread(read)
        book = self.session.book
        self.papers = tuple(book.newest(p) for p in papers)
        missing = sum(1 for p in papers if p.title.startswith(NOT_CACHED))
        self.status.source = f"Starred · {len(papers)} papers, from the state and the cache"
        self.status.note = f"{missing} not in the cache: listed by id" if missing else ""
        self.painted()

    def empty_text(self) -> Content:
        if self.query_obj is not None or self.session.hide_read:
            return super().empty_text()
        if not self.loaded:
            return Content("Loading the starred papers…")
        return Content("No starred papers yet: s stars the paper under the cursor.")

    def action_toggle_grouping(self) -> None:
        self.by_starred = not self.by_starred
        self.rebuild()
        self.notify(
            "By the day starred." if self.by_starred else "By feed day.", markup=False, timeout=2
        )


def _grouped(
    papers: Iterable[Paper], key: Callable[[Paper], date]
) -> list[tuple[date, tuple[Paper, ...]]]:
    groups: dict[date, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(key(paper), []).append(paper)
    return [(d, tuple(ps)) for d, ps in groups.items()]


class TopicFlags(Flags):
    """A topic's 'new': the papers it had not shown before this visit."""

    def __init__(self, base: Flags) -> None:
        super().__init__(base.store, base.seen)
        self.base = base
        self.new: set[str] = set()

    def is_new(self, paper: Paper) -> bool:
        return paper.id in self.new

    def is_changed(self, paper_id: str) -> bool:
        return self.base.is_changed(paper_id)  # the watch is read after the first paint


class TopicScreen(ListScreen):
    """A saved search: its papers new since the last visit carry ✦, then count as seen."""

    def __init__(self, wiring: Wiring, session: ReadingSession, topic: Topic) -> None:
        self.topic = topic
        self.topic_flags = TopicFlags(session.flags)
        super().__init__(wiring, session, topic.spec, self.topic_flags)

    @property
    def feed_name(self) -> str:
        return f"Topic: {self.topic.name}"

    async def load(self, force: bool) -> None:
        await self.load_list(force)
        result = self.result
        if result is not None and result.status == "ok":
            store = self.wiring.topics
            ids = [p.id for p in result.papers]
            now = self.wiring.clock()
            self.topic_flags.new = await asyncio.to_thread(store.visited, self.topic, ids, now)
            store.counts[self.topic.name] = 0
            if self.topic_flags.new:
                count = len(self.topic_flags.new)
                self.notify(
                    f"{count} new in {self.topic.name} since you last looked (N jumps)",
                    markup=False,
                )
        self.paper_list.repaint_all()
        self.painted()
