"""The highlighted paper in full: title, people, numbers, links, AI summary and abstract.

Everything is assembled as `Content` from already-cleaned strings, so `[CLS]` stays text and
nothing in the data can act. Links are shown as plain text; they open only through the
app's link actions, which check them.
"""

from __future__ import annotations

import re

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from paperterm.model import Paper

AUTHORS_SHOWN = 12


def paper_content(
    paper: Paper,
    *,
    starred: bool,
    read: bool,
    new: bool = False,
    movement: int | None = None,
    highlight: re.Pattern[str] | None = None,
) -> Content:
    """The pane's text for one paper, plain Content throughout."""
    label = "$text-muted"
    lines: list[Content] = []
    title = Content(paper.title).stylize("bold")
    if highlight is not None:
        title = title.highlight_regex(highlight, style="reverse")
    lines.append(title)
    flags = []
    if starred:
        flags.append(("★ starred", "$text-warning"))
    flags.append(("read" if read else "● unread", "$text-muted" if read else "$text-accent"))
    if new:
        flags.append(("✦ new since last visit", "$text-error"))
    if paper.withdrawn:
        flags.append(("withdrawn", "$text-error"))
    lines.append(Content.assemble(*_join(flags, "  ·  ")))
    lines.append(Content(""))

    count = max(paper.author_count, len(paper.authors))
    if paper.authors:
        names = ", ".join(paper.authors[:AUTHORS_SHOWN])
        more = count - min(len(paper.authors), AUTHORS_SHOWN)
        authors = Content(names)
        if highlight is not None:
            authors = authors.highlight_regex(highlight, style="reverse")
        if more > 0:
            authors = Content.assemble(authors, (f" and {more} more", label))
        lines.append(_field("Authors", authors))
    elif count:
        lines.append(_field("Authors", Content(f"{count} authors")))
    if paper.organization:
        lines.append(_field("Org", Content(paper.organization)))
    stats = f"▲ {paper.upvotes} upvotes"
    if movement:
        stats += f" (+{movement} since you last looked)"
    stats += f"  ·  ✎ {paper.comments} comments"
    lines.append(_field("Votes", Content(stats)))
    if paper.published:
        lines.append(
            _field("arXiv", Content(f"{paper.id}  ·  published {paper.published:%a %d %b %Y}"))
        )
    else:
        lines.append(_field("arXiv", Content(paper.id)))
    lines.append(_field("Feed day", Content(f"{paper.day:%a %d %b %Y}")))
    if paper.submitter:
        lines.append(_field("Submitter", Content(paper.submitter)))
    if paper.github:
        stars = f"  ★ {paper.github_stars:,}" if paper.github_stars is not None else ""
        lines.append(_field("Code", Content.assemble((paper.github, "$text-success"), stars)))
    if paper.project_page:
        lines.append(_field("Project", Content(paper.project_page)))
    if paper.ai_summary:
        lines.append(Content(""))
        lines.append(Content("AI summary").stylize("bold $text-secondary"))
        lines.append(Content(paper.ai_summary).stylize("italic"))
    if paper.ai_keywords:
        lines.append(_field("Keywords", Content(", ".join(paper.ai_keywords))))
    lines.append(Content(""))
    lines.append(Content("Abstract").stylize("bold $text-secondary"))
    abstract = Content(paper.abstract or "(The feed gave no abstract for this paper.)")
    if highlight is not None:
        abstract = abstract.highlight_regex(highlight, style="reverse")
    lines.append(abstract)
    return Content("\n").join(lines)


def _field(name: str, value: Content) -> Content:
    return Content.assemble((f"{name:<10}", "$text-muted"), value)


def _join(parts: list[tuple[str, str]], sep: str) -> list[tuple[str, str] | str]:
    out: list[tuple[str, str] | str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append(part)
    return out


class AbstractPane(VerticalScroll, can_focus=True):
    """Scrollable details of the highlighted paper."""

    DEFAULT_CSS = """
    AbstractPane { padding: 0 1; }
    AbstractPane > Static { width: 1fr; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Content("Nothing to show yet."), id="abstract-body")

    def show(self, content: Content | None) -> None:
        body = self.query_one("#abstract-body", Static)
        body.update(content if content is not None else Content("No paper selected."))
        self.scroll_home(animate=False)

    def update_in_place(self, content: Content) -> None:
        """New content for the same paper (a star, a read mark): keep the scroll position."""
        self.query_one("#abstract-body", Static).update(content)
