"""What the paper page adds to the paper pane: the linked models, datasets and Spaces, as
`Content` made from cleaned strings (an id is owner/name, checked when parsed)."""

from __future__ import annotations

from textual.content import Content

from paperterm.detail import PaperDetail, RepoKind
from paperterm.text import plural

REPOS_SHOWN = 5
"""Rows per kind on the page; the link picker (Enter) lists every one kept."""

_NAMES: dict[RepoKind, str] = {"model": "model", "dataset": "dataset", "space": "Space"}


def repo_links(detail: PaperDetail) -> list[tuple[str, str]]:
    """The linked models, datasets and Spaces as the link picker's (label, URL) rows."""
    return [(f"{r.kind.capitalize()} {r.figures}".rstrip(), r.url) for r in detail.repos]


def linked_section(detail: PaperDetail) -> Content:
    """'On Hugging Face': each kind with its total, and its first rows."""
    lines = [Content("On Hugging Face").stylize("bold $text-secondary")]
    for kind, name in _NAMES.items():
        total = detail.total(kind)
        repos = [r for r in detail.repos if r.kind == kind]
        head = Content.assemble(
            (f"{plural(total, name)}", "bold" if total else "$text-muted"),
            ("  (Enter lists them to open)" if repos else "", "$text-muted"),
        )
        lines.append(head)
        for repo in repos[:REPOS_SHOWN]:
            lines.append(
                Content.assemble("  ", (repo.id, "$text-success"), "  ", (repo.figures, ""))
            )
        more = total - min(len(repos), REPOS_SHOWN)
        if repos and more > 0:
            lines.append(Content(f"  and {more} more on the site").stylize("$text-muted"))
    return Content("\n").join(lines)
