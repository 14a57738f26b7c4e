"""Papers out of paperterm: BibTeX for a bibliography, Markdown for a reading list, CSV for
a spreadsheet, JSON for scripts. No Textual; the CLI and the reader both call `export_chunks`.

Every string here was cleaned as scraped text already; what each format needs on top is
its own escaping: LaTeX's special characters in BibTeX (and the title's capitals kept by
braces), Markdown's link and emphasis characters, CSV's quoting (the csv module).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal

from paperterm import jsonio
from paperterm.model import Paper
from paperterm.state import StateStore

Format = Literal["bibtex", "markdown", "json", "csv"]
FORMATS: tuple[Format, ...] = ("bibtex", "markdown", "json", "csv")
SUFFIX: dict[Format, str] = {"bibtex": ".bib", "markdown": ".md", "json": ".json", "csv": ".csv"}

Marks = Callable[[str], tuple[bool, bool]]
"""A paper id -> (starred, read)."""

_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile(r"[\\{}&%$#_~^]")
_STOP = frozenset("a an the on of for in to and with via is are from by at as".split())  # noqa: SIM905


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m.group(0)], text)


def _ascii_word(text: str) -> str:
    """Letters and digits only, accents dropped: the parts of a citation key."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain)


def _url_escape(url: str) -> str:
    """A URL inside \\url{} in a field: only what would end the argument is escaped."""
    return url.replace("\\", "").replace("%", r"\%").replace("#", r"\#").replace("}", "")


def cite_key(paper: Paper) -> str:
    """`dubey2024llama-2407.21783`: first author's last name, year, first real word of the
    title, and the id, which makes it unique and the same in every export."""
    last = _ascii_word(paper.authors[0].split()[-1]).lower() if paper.authors else "anon"
    year = str(paper.published.year if paper.published else paper.day.year)
    words = [_ascii_word(w).lower() for w in paper.title.split()]
    word = next((w for w in words if w and w not in _STOP), "paper")
    return f"{last or 'anon'}{year}{word}-{paper.id}"


def bibtex(papers: Iterable[Paper], notes: Mapping[str, str]) -> Iterator[str]:
    """Entries, one piece each, a blank line between them."""
    separator = ""
    for paper in papers:
        year = paper.published.year if paper.published else paper.day.year
        fields = [
            ("title", "{" + latex_escape(paper.title) + "}"),  # {{…}}: capitals kept
            ("author", " and ".join(latex_escape(a) for a in paper.authors) or "Anonymous"),
            ("year", str(year)),
            ("eprint", paper.id),
            ("archivePrefix", "arXiv"),
            ("url", paper.arxiv_url or paper.hf_url),
        ]
        parts = [r"Code: \url{" + _url_escape(paper.github) + "}" if paper.github else ""]
        parts.append(latex_escape(" ".join(notes.get(paper.id, "").split())))
        note = ". ".join(part for part in parts if part)
        if note:
            fields.append(("note", note))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        yield f"{separator}@misc{{{cite_key(paper)},\n{body}\n}}\n"
        separator = "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown(papers: Iterable[Paper], notes: Mapping[str, str], title: str) -> Iterator[str]:
    """The title, then a piece per paper: its lines, each paper's after a line break."""
    yield f"# {md_escape(title)}\n"
    for paper in papers:
        lines = [""]
        lines.append(f"## [{md_escape(paper.title)}]({paper.hf_url})")
        lines.append("")
        authors = ", ".join(paper.authors[:8])
        more = max(paper.author_count, len(paper.authors)) - min(len(paper.authors), 8)
        if authors:
            lines.append(md_escape(authors) + (f" and {more} more" if more > 0 else ""))
            lines.append("")
        links = [f"[HF]({paper.hf_url})"]
        if paper.arxiv_url and paper.pdf_url:
            links += [f"[arXiv]({paper.arxiv_url})", f"[PDF]({paper.pdf_url})"]
        if paper.github:
            stars = f" ★{paper.github_stars:,}" if paper.github_stars is not None else ""
            links.append(f"[code]({paper.github}){stars}")
        if paper.project_page:
            links.append(f"[project]({paper.project_page})")
        lines.append(f"▲ {paper.upvotes} · {paper.day:%Y-%m-%d} · " + " · ".join(links))
        lines.append("")
        if paper.ai_summary:
            lines += [f"> {md_escape(paper.ai_summary)}", ""]
        note = notes.get(paper.id, "").strip()
        if note:
            lines += ["**Note:** " + md_escape(note).replace("\n", "  \n"), ""]
        yield "\n".join(lines)


CSV_FIELDS = (
    "id", "title", "authors", "day", "published", "upvotes", "comments", "github",
    "github_stars", "project_page", "hf_url", "arxiv_url", "starred", "read", "note",
)  # fmt: skip


def csv_text(papers: Iterable[Paper], notes: Mapping[str, str], marks: Marks) -> Iterator[str]:
    """The header row, then a piece per paper's row."""
    out = io.StringIO()
    writer = csv.writer(out)

    def taken() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_FIELDS)
    yield taken()
    for paper in papers:
        starred, read = marks(paper.id)
        writer.writerow(
            [
                paper.id,
                paper.title,
                "; ".join(paper.authors),
                paper.day.isoformat(),
                paper.published.date().isoformat() if paper.published else "",
                paper.upvotes,
                paper.comments,
                paper.github or "",
                "" if paper.github_stars is None else paper.github_stars,
                paper.project_page or "",
                paper.hf_url,
                paper.arxiv_url or "",
                "yes" if starred else "",
                "yes" if read else "",
                notes.get(paper.id, ""),
            ]
        )
        yield taken()


def json_text(papers: Iterable[Paper], notes: Mapping[str, str], marks: Marks) -> Iterator[str]:
    """An indented array, a piece per paper's record, each made as the one before is out."""

    def records() -> Iterator[dict[str, object]]:
        for paper in papers:
            starred, read = marks(paper.id)
            record = paper.to_json()
            record.update(starred=starred, read=read, note=notes.get(paper.id))
            yield record

    return jsonio.pretty_items(records())


def render_chunks(
    fmt: Format,
    papers: Iterable[Paper],
    *,
    notes: Mapping[str, str] | None = None,
    marks: Marks = lambda _: (False, False),
    title: str = "Papers",
) -> Iterator[str]:
    """The papers in `fmt` as pieces of text, each made as the one before is taken: an
    export of a hundred thousand papers is written as it is made, never held whole."""
    notes = notes or {}
    if fmt == "bibtex":
        return bibtex(papers, notes)
    if fmt == "markdown":
        return markdown(papers, notes, title)
    if fmt == "csv":
        return csv_text(papers, notes, marks)
    return json_text(papers, notes, marks)


def export_chunks(
    fmt: Format, papers: Iterable[Paper], store: StateStore, title: str
) -> Iterator[str]:
    """The papers in `fmt`, with the user's marks and notes from the state, a piece at a
    time (see `render_chunks`)."""
    return render_chunks(
        fmt,
        papers,
        notes=store.notes,
        marks=lambda i: (store.is_starred(i), store.is_read(i)),
        title=title,
    )
