"""The digest: the papers new since the last digest run, by upvotes, and those already sent
that rose since, for cron and mail. No Textual.

`digest.toml` in the data dir remembers, for each paper a run has sent, its upvotes then,
and when the last run was; it is kept with the state's care (`TomlFile`). A run that
prints nothing new changes nothing, so two runs over the same data print the papers once,
then "nothing new".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from paperterm import jsonio
from paperterm.export import md_escape
from paperterm.model import Paper, by_votes_key
from paperterm.tomlfile import TomlFile

MAX_REMEMBERED = 50_000
"""Papers remembered as sent: years of mornings."""
ROSE_BY = 10
"""Upvotes a sent paper must gain to be listed again as having risen."""


@dataclass(frozen=True)
class Digest:
    new: list[Paper]
    rose: list[tuple[Paper, int]]
    """Papers sent before, with the upvotes they gained since."""
    last_run: datetime | None

    @property
    def empty(self) -> bool:
        return not self.new and not self.rose


class DigestStore:
    def __init__(self, path: Path) -> None:
        self.file = TomlFile(path)
        self.sent: dict[str, int] = {}
        self.last_run: datetime | None = None

    @property
    def problem(self) -> str | None:
        return self.file.problem

    def load(self) -> DigestStore:
        self.sent, self.last_run = self.file.read(_parse, _nothing())
        return self

    def digest(self, papers: Iterable[Paper], *, min_upvotes: int = 0) -> Digest:
        new, rose = [], []
        for paper in papers:
            if paper.upvotes < min_upvotes:
                continue
            before = self.sent.get(paper.id)
            if before is None:
                new.append(paper)
            elif paper.upvotes - before >= ROSE_BY:
                rose.append((paper, paper.upvotes - before))
        new.sort(key=by_votes_key)
        rose.sort(key=lambda pr: -pr[1])
        return Digest(new, rose, self.last_run)

    def record(self, digest: Digest, now: datetime) -> None:
        """Remember what this run sent (merged with another run's, under the lock)."""
        with self.file.lock():
            sent, last = self.file.read(_parse, _nothing())
            sent.update({p.id: p.upvotes for p in digest.new})
            sent.update({p.id: p.upvotes for p, _ in digest.rose})
            if len(sent) > MAX_REMEMBERED:
                sent = dict(list(sent.items())[-MAX_REMEMBERED:])
            self.sent, self.last_run = sent, max(filter(None, (last, now)))
            self.file.write({"last_run": self.last_run, "sent": self.sent})


_Sent = tuple[dict[str, int], datetime | None]


def _nothing() -> _Sent:
    return {}, None


def _parse(doc: dict[str, Any]) -> _Sent:
    sent = doc.get("sent", {})
    if not isinstance(sent, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in sent.values()
    ):
        raise ValueError("sent is not a table of upvote counts")
    last = doc.get("last_run")
    return dict(sent), last if isinstance(last, datetime) else None


def markdown(digest: Digest, title: str) -> str:
    lines = [f"# {md_escape(title)}", ""]
    if digest.new:
        lines += [f"## New ({len(digest.new)})", ""]
        for paper in digest.new:
            code = f" · [code]({paper.github})" if paper.github else ""
            lines.append(
                f"- ▲ {paper.upvotes} [{md_escape(paper.title)}]({paper.hf_url}) "
                f"· {paper.day:%Y-%m-%d}{code}"
            )
            if paper.ai_summary:
                lines.append(f"  {md_escape(paper.ai_summary)}")
        lines.append("")
    if digest.rose:
        lines += [f"## Rose since they were sent ({len(digest.rose)})", ""]
        for paper, gained in digest.rose:
            lines.append(
                f"- ▲ {paper.upvotes} (+{gained}) [{md_escape(paper.title)}]({paper.hf_url})"
            )
        lines.append("")
    return "\n".join(lines)


def as_json(digest: Digest) -> str:
    doc = {
        "last_run": digest.last_run.isoformat() if digest.last_run else None,
        "new": [p.to_json() for p in digest.new],
        "rose": [{**p.to_json(), "gained": gained} for p, gained in digest.rose],
    }
    return jsonio.dumps_pretty(doc) + "\n"


def open_digest() -> DigestStore:
    from paperterm import paths

    return DigestStore(paths.data_dir() / "digest.toml")
