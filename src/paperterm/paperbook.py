"""One paper, one record: the newest copy any feed brought.

The day feed, a search, a week and trending each fetch papers at their own times, so the
same paper can come with other upvotes, stars or links. Every feed's answer passes
through the one `PaperBook` of the session as it arrives: each paper is shown as the
newest copy known (keeping the feed's own day, which is where that feed lists it), and a
newer copy replaces the book's. No Textual; the reader and the CLI alike can use it.
"""

from __future__ import annotations

from datetime import datetime
from itertools import repeat
from operator import attrgetter

from msgspec.structs import replace

from paperterm.model import Paper

_ID = attrgetter("id")


class PaperBook:
    def __init__(self) -> None:
        self._newest: dict[str, tuple[datetime, Paper]] = {}

    def __len__(self) -> int:
        return len(self._newest)

    def merge(self, papers: tuple[Paper, ...], fetched_at: datetime | None) -> tuple[Paper, ...]:
        """These papers as the newest copies known; the same tuple when nothing is newer
        (the list's caches key on it)."""
        if fetched_at is None:
            return papers
        book = self._newest
        ids = list(map(_ID, papers))
        if book.keys().isdisjoint(ids):
            # Papers the book has not seen (every day of a first load): taken as they
            # are, without a lookup apiece (98.8k papers of a heavy user's list).
            book.update(zip(ids, zip(repeat(fetched_at), papers), strict=True))
            return papers
        out: list[Paper] = []
        changed = False
        for paper in papers:
            known = book.get(paper.id)
            if known is None or known[0] <= fetched_at:
                if known is None or not (paper.brief and not known[1].brief):
                    book[paper.id] = (fetched_at, paper)
                elif known[0] < fetched_at:  # newer numbers, the texts kept
                    book[paper.id] = (fetched_at, _with_texts(paper, known[1]))
                out.append(paper)
                continue
            newer = known[1]
            if newer == paper or _same_data(newer, paper):
                out.append(paper)
                continue
            out.append(_with_texts(replace(newer, day=paper.day), paper))
            changed = True
        return tuple(out) if changed else papers

    def newest(self, paper: Paper) -> Paper:
        """The newest copy of this paper the session has seen, listed on its own day;
        whole (`Paper.brief`) when either copy is."""
        known = self._newest.get(paper.id)
        if known is None or known[1] == paper:
            return paper
        return _with_texts(replace(known[1], day=paper.day), paper)


def _same_data(a: Paper, b: Paper) -> bool:
    """The same paper, its day and whether it was read whole aside."""
    return replace(a, day=b.day).briefly() == b.briefly()


def _with_texts(paper: Paper, other: Paper) -> Paper:
    """`paper`, whole with `other`'s texts when it is brief and `other` is not (a paper's
    texts are what changes least)."""
    if not paper.brief or other.brief:
        return paper
    return replace(
        paper,
        abstract=other.abstract,
        ai_summary=other.ai_summary,
        ai_keywords=other.ai_keywords,
        brief=False,
    )
