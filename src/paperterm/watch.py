"""What a starred paper showed when last seen, and what has changed since: code appeared,
GitHub stars rose, models, datasets or Spaces were linked, a project page appeared.

No Textual. `watch.toml` in the data dir keeps, per starred paper, the last snapshot seen
(from the list it was starred in, then from `/api/papers/{id}`), when it was last checked
and last looked at, and the changes seen since. A change is pending until the paper's page
is looked at; pending changes mark the paper in every feed and head the Starred feed.

The file is the user's record of what they were told, kept as the state is (`TomlFile`:
lock, atomic write, backup, a damaged file set aside). A check spends a polite budget:
at most N detail requests per start, the papers checked longest ago first.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tomli_w

from paperterm.text import plural
from paperterm.tomlfile import TomlFile

if TYPE_CHECKING:
    from paperterm.detail import DetailResult, DetailSource, PaperDetail
    from paperterm.model import Paper

ChangeKind = Literal["code", "stars", "models", "datasets", "spaces", "project"]
KINDS: tuple[ChangeKind, ...] = ("code", "stars", "models", "datasets", "spaces", "project")
COUNTED: tuple[Literal["models", "datasets", "spaces"], ...] = ("models", "datasets", "spaces")
MAX_CHANGES = 50
"""Changes kept per paper: years of a busy paper's history."""
DEFAULT_BUDGET = 10


@dataclass(frozen=True)
class Snapshot:
    """What a paper showed. None is 'not known yet' (a list does not carry linked counts),
    which is filled in later without counting as a change."""

    upvotes: int | None = None
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    models: int | None = None
    datasets: int | None = None
    spaces: int | None = None

    @classmethod
    def of_paper(cls, paper: Paper) -> Snapshot:
        return cls(paper.upvotes, paper.github, paper.github_stars, paper.project_page)

    @classmethod
    def of_detail(cls, detail: PaperDetail) -> Snapshot:
        return replace(
            cls.of_paper(detail.paper),
            models=detail.total("model"),
            datasets=detail.total("dataset"),
            spaces=detail.total("space"),
        )

    def filled_from(self, older: Snapshot) -> Snapshot:
        """This snapshot, with what it does not know taken from an older one."""
        return Snapshot(
            *(
                new if new is not None else old
                for new, old in zip(_values(self), _values(older), strict=True)
            )
        )


def _values(snap: Snapshot) -> tuple[Any, ...]:
    return (
        snap.upvotes,
        snap.github,
        snap.github_stars,
        snap.project_page,
        snap.models,
        snap.datasets,
        snap.spaces,
    )


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    amount: int
    """Stars gained, or models/datasets/Spaces added; 0 for code and project."""
    at: datetime

    @property
    def label(self) -> str:
        return label(self.kind, self.amount)


def label(kind: ChangeKind, amount: int) -> str:
    if kind == "code":
        return "code"
    if kind == "project":
        return "project page"
    if kind == "stars":
        return f"GitHub ★▲{amount:,}"
    name = {"models": "model", "datasets": "dataset", "spaces": "Space"}[kind]
    return f"+{plural(amount, name)}"


def diff(before: Snapshot, after: Snapshot) -> list[tuple[ChangeKind, int]]:
    """What appeared or grew from `before` to `after` (nothing for what was not known)."""
    out: list[tuple[ChangeKind, int]] = []
    if not before.github and after.github:
        out.append(("code", 0))
    elif (
        before.github_stars is not None
        and after.github_stars is not None
        and after.github_stars > before.github_stars
    ):
        out.append(("stars", after.github_stars - before.github_stars))
    for kind in COUNTED:
        old, new = getattr(before, kind), getattr(after, kind)
        if old is not None and new is not None and new > old:
            out.append((kind, new - old))
    if not before.project_page and after.project_page:
        out.append(("project", 0))
    return out


def summary(changes: Iterable[Change]) -> list[tuple[ChangeKind, int]]:
    """Changes of one paper added up by kind, in a fixed order: 'code, GitHub ★▲120'."""
    totals: dict[ChangeKind, int] = {}
    for change in changes:
        totals[change.kind] = totals.get(change.kind, 0) + change.amount
    return [(kind, totals[kind]) for kind in KINDS if kind in totals]


def summary_text(changes: Iterable[Change]) -> str:
    return ", ".join(label(kind, amount) for kind, amount in summary(changes))


@dataclass
class Watched:
    paper_id: str
    latest: Snapshot
    checked: datetime | None = None
    """When `latest` was read from the site (None: only from the list it was starred in)."""
    looked: datetime | None = None
    """When the paper's page was last looked at: changes before it have been seen."""
    changes: list[Change] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if self.looked is None or c.at > self.looked]


@dataclass(frozen=True)
class CheckReport:
    asked: int
    """Papers checked (each at most one request; one fresh in the cache costs none)."""
    changed: list[str]
    failed: list[tuple[str, str]]
    not_found: list[str]


class StarWatch:
    def __init__(self, path: Path) -> None:
        self.file = TomlFile(path)
        self.papers: dict[str, Watched] = {}
        self._dropped: set[str] = set()
        self.loaded = False
        self._disk: tuple[int, int, int] | None = None
        """The file's signature as this watch last read or wrote it."""
        self._texts: dict[str, str] = {}
        """Each paper's TOML as last written; a paper changed since is in `_dirty`."""
        self._dirty: set[str] = set()
        self._order: list[str] | None = None
        """The watched ids sorted, as of the last save (None: to be sorted again)."""
        self._order_set: set[str] = set()

    @property
    def problem(self) -> str | None:
        return self.file.problem

    def load(self) -> StarWatch:
        before = self.file.signature()
        self.papers = self.file.read(_papers_of, {})
        # Read as it was only if nobody replaced it while it was read.
        self._disk = before if before is not None and self.file.signature() == before else None
        self._texts.clear()
        self._order = None
        self.loaded = True
        return self

    # ------------------------------------------------------------ what is known

    def pending(self, paper_id: str) -> list[Change]:
        watched = self.papers.get(paper_id)
        return watched.pending if watched is not None else []

    def has_pending(self, paper_id: str) -> bool:
        watched = self.papers.get(paper_id)
        return watched is not None and bool(watched.pending)

    def changed_ids(self, starred: Iterable[str]) -> list[str]:
        """Starred papers with changes not yet looked at, the latest change first."""
        found = [(w.pending[-1].at, i) for i in starred if (w := self.papers.get(i)) and w.pending]
        return [i for _, i in sorted(found, reverse=True)]

    def since(self, starred: Iterable[str], day: date) -> dict[str, list[Change]]:
        """Every change seen on or after `day`, looked at or not."""
        out: dict[str, list[Change]] = {}
        for paper_id in starred:
            watched = self.papers.get(paper_id)
            found = [c for c in watched.changes if c.at.date() >= day] if watched else []
            if found:
                out[paper_id] = found
        return out

    def stalest(self, starred: Iterable[str], count: int) -> list[str]:
        """The `count` starred papers checked longest ago (never checked first)."""
        keyed = sorted(
            starred,
            key=lambda i: (
                (w.checked.timestamp() if (w := self.papers.get(i)) and w.checked else 0.0),
                i,
            ),
        )
        return keyed[: max(count, 0)]

    # ------------------------------------------------------------ what happens

    def starred(self, paper: Paper, now: datetime) -> None:
        """A paper was starred: what it shows now is what later changes are told from."""
        self._dropped.discard(paper.id)
        if paper.id not in self.papers:
            self.papers[paper.id] = Watched(paper.id, Snapshot.of_paper(paper), looked=now)
            self._dirty.add(paper.id)

    def unstarred(self, paper_id: str) -> None:
        if self.papers.pop(paper_id, None) is not None:
            self._dropped.add(paper_id)
            self._dirty.add(paper_id)

    def observe(
        self,
        detail: PaperDetail,
        fetched_at: datetime,
        *,
        starred: bool = False,
        baseline: bool = False,
    ) -> list[Change]:
        """The site's answer for a watched paper: returns what changed since the last one
        (nothing for an answer older than the last seen). A starred paper not watched yet
        (starred before paperterm watched) is watched from this answer on; `baseline`
        (the answer asked for as it was starred) is what later changes are told from."""
        watched = self.papers.get(detail.paper.id)
        if watched is None:
            if starred:
                self.papers[detail.paper.id] = Watched(
                    detail.paper.id, Snapshot.of_detail(detail), fetched_at, fetched_at
                )
                self._dirty.add(detail.paper.id)
            return []
        if watched.checked is not None and fetched_at <= watched.checked:
            return []
        after = Snapshot.of_detail(detail).filled_from(watched.latest)
        found = [] if baseline else diff(watched.latest, after)
        new = [Change(kind, amount, fetched_at) for kind, amount in found]
        watched.latest = after
        watched.checked = fetched_at
        watched.changes = (watched.changes + new)[-MAX_CHANGES:]
        self._dirty.add(watched.paper_id)
        return new

    def page_read(
        self, detail: PaperDetail, fetched_at: datetime | None, now: datetime
    ) -> list[Change]:
        """A starred paper's page was read (in the reader or by `paperterm show`): the
        answer it showed is observed, and the changes it told, returned, are from now on
        looked at."""
        if fetched_at is not None:
            self.observe(detail, fetched_at, starred=True)
        told = self.pending(detail.paper.id)
        watched = self.papers.get(detail.paper.id)
        if watched is not None:
            watched.looked = now
            self._dirty.add(watched.paper_id)
        return told

    async def check(
        self,
        details: DetailSource,
        starred: Iterable[str],
        *,
        budget: int = DEFAULT_BUDGET,
        offline: bool = False,
    ) -> CheckReport:
        """Ask the site about the `budget` starred papers checked longest ago, at once (the
        fetcher holds the concurrency bound), and record what changed."""
        chosen = self.stalest(starred, budget)
        results: list[DetailResult] = await asyncio.gather(
            *(details.load(paper_id, offline=offline) for paper_id in chosen)
        )
        changed, failed, gone = [], [], []
        for result in results:
            if result.detail is not None and result.fetched_at is not None:
                if self.observe(result.detail, result.fetched_at, starred=True):
                    changed.append(result.paper_id)
                if result.message:  # the cached answer, the site having failed
                    failed.append((result.paper_id, result.message))
            elif result.status == "not_found":
                gone.append(result.paper_id)
            else:
                failed.append((result.paper_id, result.message))
        return CheckReport(len(chosen), changed, failed, gone)

    def save(self) -> None:
        """Re-read under the lock and merge: the newer check of each paper wins, changes
        and looks of both are kept, a paper unstarred here is dropped.

        A star saves the watch: re-reading and re-formatting every watched paper cost a
        star 57 ms of CPU at 1,000 watched papers, and 632 ms at 10,000. So a file
        nobody replaced since this watch read or wrote it (its signature) is not read
        again (it holds what this watch last wrote: the merge would change nothing), and
        only the papers changed since are formatted anew."""
        with self.file.lock():
            # The backup is the copy the last read found good (as a state month's is):
            # copying the file over it on every star doubled what a star writes.
            if self._disk is None or self.file.signature() != self._disk:
                on_disk: dict[str, Watched] = self.file.read(_papers_of, {})
                for paper_id in self._dropped:
                    on_disk.pop(paper_id, None)
                for paper_id, ours in self.papers.items():
                    theirs = on_disk.get(paper_id)
                    on_disk[paper_id] = ours if theirs is None else _merged(ours, theirs)
                self.papers = on_disk
                self._texts.clear()
                self._order = None
            self.file.write_text(self._document())
            self._disk = self.file.signature()
        self._dropped.clear()
        self._dirty.clear()

    def _document(self) -> str:
        """The file's text: what `tomli_w` makes of every watched paper, sorted by id,
        each paper's part kept from the last write unless it changed since, in an order
        kept between saves (sorting ten thousand ids was half a star's save)."""
        texts = self._texts
        for paper_id in self._dirty:
            texts.pop(paper_id, None)
        if len(texts) > len(self.papers):
            for gone in texts.keys() - self.papers.keys():
                del texts[gone]
        order = self._ordered_ids()
        parts: list[str] = []
        for paper_id, text in zip(order, map(texts.get, order), strict=True):
            if text is None:
                doc = {"paper": {paper_id: _doc_of(self.papers[paper_id])}}
                text = texts[paper_id] = tomli_w.dumps(doc)
            parts.append(text)
        # tomli_w writes a table's sub-tables one after another, a blank line between.
        return "\n".join(parts) if parts else tomli_w.dumps({"paper": {}})

    def _ordered_ids(self) -> list[str]:
        order, members = self._order, self._order_set
        if order is None:
            order = sorted(self.papers)
            members = set(order)
        else:
            for paper_id in self._dirty:
                inside = paper_id in self.papers
                if inside and paper_id not in members:
                    bisect.insort(order, paper_id)
                    members.add(paper_id)
                elif not inside and paper_id in members:
                    order.remove(paper_id)
                    members.discard(paper_id)
        self._order, self._order_set = order, members
        return order


def _merged(ours: Watched, theirs: Watched) -> Watched:
    never = datetime.min.replace(tzinfo=UTC)
    newer = ours if (ours.checked or never) >= (theirs.checked or never) else theirs
    looks = [t for t in (ours.looked, theirs.looked) if t is not None]
    changes = sorted(set(ours.changes) | set(theirs.changes), key=lambda c: c.at)
    return Watched(
        ours.paper_id, newer.latest, newer.checked, max(looks, default=None), changes[-MAX_CHANGES:]
    )


_FIELDS = ("upvotes", "github", "github_stars", "project_page", "models", "datasets", "spaces")


def _papers_of(doc: dict[str, Any]) -> dict[str, Watched]:
    papers = doc.get("paper", {})
    if not isinstance(papers, dict):
        raise ValueError("paper is not a table")
    out = {}
    for paper_id, raw in papers.items():
        if not isinstance(raw, dict):
            raise ValueError(f"paper {paper_id!r} is not a table")
        snap = Snapshot(**{k: raw.get(k) for k in _FIELDS})
        for name, value in zip(_FIELDS, _values(snap), strict=True):
            wanted = str if name in ("github", "project_page") else int
            if value is not None and (type(value) is not wanted):
                raise ValueError(f"paper {paper_id!r}: {name} = {value!r}")
        changes = []
        for entry in raw.get("changes", []):
            kind, at = entry.get("kind"), entry.get("at")
            if kind not in KINDS or not isinstance(at, datetime):
                raise ValueError(f"paper {paper_id!r}: a change is not a kind and a time")
            changes.append(Change(kind, int(entry.get("amount", 0)), at))
        checked, looked = raw.get("checked"), raw.get("looked")
        out[paper_id] = Watched(
            paper_id,
            snap,
            checked if isinstance(checked, datetime) else None,
            looked if isinstance(looked, datetime) else None,
            changes,
        )
    return out


def _doc_of(watched: Watched) -> dict[str, object]:
    doc: dict[str, object] = {
        name: value
        for name, value in zip(_FIELDS, _values(watched.latest), strict=True)
        if value is not None
    }
    if watched.checked is not None:
        doc["checked"] = watched.checked
    if watched.looked is not None:
        doc["looked"] = watched.looked
    if watched.changes:
        doc["changes"] = [{"kind": c.kind, "amount": c.amount, "at": c.at} for c in watched.changes]
    return doc


def open_watch() -> StarWatch:
    """`watch.toml` in the data dir; not read yet: `load()` it off the event loop."""
    from paperterm import paths

    return StarWatch(paths.data_dir() / "watch.toml")
