"""Opening a paper's links from a papers screen: checked, opened in a thread (or with the
terminal handed over to a console browser), and said truthfully: "opened" only when a
browser started, else the link is shown and `y` copies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.app import SuspendNotSupported
from textual.screen import Screen

from paperterm.links import UnsafeURL, check_url
from paperterm.model import Paper
from paperterm.wiring import Opener

LINK_KINDS = {
    "hf": "Hugging Face page",
    "arxiv": "arXiv abstract",
    "pdf": "PDF",
    "code": "Code (GitHub)",
    "project": "Project page",
}


def link_of(paper: Paper, kind: str) -> str | None:
    return {
        "hf": paper.hf_url,
        "arxiv": paper.arxiv_url,
        "pdf": paper.pdf_url,
        "code": paper.github,
        "project": paper.project_page,
    }.get(kind)


class LinkActions:
    """The link keys of one screen, and the note they leave in its status line."""

    def __init__(
        self,
        screen: Screen[Any],
        opener: Callable[[], Opener],
        *,
        on_opened: Callable[[str], None],
        on_note: Callable[[str], None],
    ) -> None:
        self.screen = screen
        self._opener = opener
        self._on_opened = on_opened
        """Given the paper's id when its link opened: the screen marks it read."""
        self._on_note = on_note
        self.failed_url: str | None = None
        """A link no browser could open, for the copy key, until the cursor moves."""

    def forget(self) -> None:
        """The cursor left the paper the notes were about."""
        self.failed_url = None
        self._on_note("")

    def open_kind(self, paper: Paper, kind: str) -> None:
        label = LINK_KINDS.get(kind, kind)
        url = link_of(paper, kind)
        if not url:
            self.screen.notify(f"This paper has no {label.lower()} link.", markup=False)
            return
        self.open(paper, label, url)

    def pick(
        self,
        paper: Paper,
        repos: Callable[[], Awaitable[list[tuple[str, str]]]] | list[tuple[str, str]],
    ) -> None:
        """The link picker with the paper's linked models, datasets and Spaces: `repos`
        lists them, or finds them (from the cache at once, or once the site answers) and
        they join the picker then."""
        from paperterm.widgets.dialogs import LinkPicker  # dialogs load when first opened

        known = repos if isinstance(repos, list) else []
        picker = LinkPicker(paper.title, [*paper.links, *known])

        def chosen(url: str | None) -> None:
            if url:
                label = next((lbl for lbl, u in picker.links if u == url), "link")
                self.open(paper, label.strip(), url)

        async def add_repos(find: Callable[[], Awaitable[list[tuple[str, str]]]]) -> None:
            found = await find()
            if found and picker.is_attached:
                picker.add_links(found)

        self.screen.app.push_screen(picker, chosen)
        if not isinstance(repos, list):
            self.screen.run_worker(add_repos(repos), name="linked repos", exit_on_error=False)

    def open(self, paper: Paper, label: str, url: str) -> None:
        try:
            check_url(url)
        except UnsafeURL as error:
            self.screen.notify(f"Refused to open {label}: {error}", severity="error", markup=False)
            return
        opener = self._opener()
        if opener.needs_terminal():
            # A console browser takes over this terminal: step aside until it exits.
            try:
                with self.screen.app.suspend():
                    ok = opener.open(url)
            except SuspendNotSupported:
                pass
            else:
                self._opened(paper.id, label, url, ok)
                return
        self.screen.run_worker(
            partial(self._open_in_thread, opener, paper.id, label, url),
            name="open link",
            group="browser",
            thread=True,
            exit_on_error=False,
        )

    def _open_in_thread(self, opener: Opener, paper_id: str, label: str, url: str) -> None:
        ok = opener.open(url)
        self.screen.app.call_from_thread(self._opened, paper_id, label, url, ok)

    def _opened(self, paper_id: str, label: str, url: str, ok: bool) -> None:
        if ok:
            self.failed_url = None
            self._on_note(f"opened {label}: {url}")
            self._on_opened(paper_id)
            return
        self.failed_url = url
        self._on_note(f"no browser could be started; {label}: {url} (y copies it)")
        self.screen.notify(
            f"No browser could be started (set $BROWSER). {label}: {url}\n"
            "Press y to copy the link.",
            severity="error",
            markup=False,
            timeout=10,
        )

    def copy(self, paper: Paper | None) -> None:
        """Copy the link that could not be opened, else the paper's id and page."""
        if self.failed_url:
            text = self.failed_url
        elif paper is not None:
            text = f"{paper.id} {paper.hf_url}"
        else:
            return
        self.screen.app.copy_to_clipboard(text)
        self._on_note(f"copied: {text}")
