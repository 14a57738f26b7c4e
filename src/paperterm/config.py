"""Settings from `config.toml` in the user config dir, with environment overrides.

Every key is optional; a bad value is reported and its default used, so a typo in the
config never stops the reader from starting.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from paperterm import paths

if TYPE_CHECKING:  # listing and model are not needed to read a config
    from paperterm.listing import Sort
    from paperterm.model import Source

DEFAULT_BASE_URL = "https://huggingface.co"


@dataclass
class Config:
    base_url: str = DEFAULT_BASE_URL
    """Where the feed is read from; `PAPERTERM_BASE_URL` overrides it."""
    source: Source = "page"
    """'page' (the day page, API as fallback) or 'api' (the JSON API only)."""
    days: int = 3
    """Days shown when no range is given."""
    since_last_visit_max_days: int = 14
    """How far back the reader goes to catch up on days since the last visit."""
    read_delay: float = 2.0
    """Seconds a paper must stay in the abstract pane to count as read; 0 means at once."""
    max_concurrency: int = 4
    """Requests at once to the site: polite, yet ten days load in about three round trips."""
    timeout: float = 10.0
    """Seconds without a byte from the site before a request is given up."""
    deadline: float = 30.0
    """Seconds one day may take in all (retries, waits and the API fallback included)."""
    command_deadline: float = 120.0
    """Seconds `list` and `fetch` may take in all; the days not loaded by then are named."""
    max_retry_after: float = 30.0
    """A 429 asking us to wait longer than this is not waited for: the cache is shown."""
    sort: Sort = "upvotes"
    """The sort a first run starts with: upvotes, stars, comments, published or title.
    After that the reader starts with the sort last used."""
    hide_read: bool = False
    """Whether a first run hides read papers; after that, as last used."""
    theme: str = ""
    """The Textual theme a first run starts with (e.g. "nord"; the command palette's
    "Change theme" lists them); after that, the one last chosen."""
    start_feed: str = "days"
    """The feed the reader opens on: days, week, month, trending or starred."""
    watch_budget: int = 10
    """Starred papers asked about at each start (their links, code and stars), the ones
    checked longest ago first: at most this many requests. 0 stops the checks."""
    thumbnails: str = "auto"
    """The paper screen's thumbnail: 'auto' (Kitty or Sixel graphics where the terminal
    has them, else coloured half-block cells), 'cells' (always half blocks) or 'off'."""
    thumbnail_url: str = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{id}.png"
    """Where a paper's thumbnail is, `{id}` its id; `PAPERTERM_THUMBNAIL_URL` overrides it."""
    topic: list[object] = field(default_factory=list)
    """`[[topic]]` tables (name, query), read by `topics.topics_from_config`."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. `star = "s,asterisk"`."""
    problems: list[str] = field(default_factory=list)
    path: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    """Where each setting in force came from: 'file' or 'environment' (else the default)."""


SETTINGS = tuple(
    f.name for f in fields(Config) if f.name not in ("problems", "path", "sources", "keys", "topic")
)

RANGES: dict[str, tuple[float, float]] = {
    "days": (1, 60),
    "since_last_visit_max_days": (1, 60),
    "read_delay": (0.0, 3600.0),
    "max_concurrency": (1, 8),
    "timeout": (1.0, 120.0),
    "deadline": (1.0, 600.0),
    "command_deadline": (1.0, 3600.0),
    "max_retry_after": (0.0, 600.0),
    "watch_budget": (0, 100),
}
"""The values each number may take; one outside is said, and its default used."""

_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def load_config(path: Path | None = None) -> Config:
    path = path or paths.config_file()
    config = Config(path=path)
    raw: dict[str, Any] = {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        config.problems.append(f"{path}: {error}; using defaults")
    known = {f.name: f for f in fields(Config) if f.name not in ("problems", "path", "sources")}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in known:
            config.problems.append(f"{path}: unknown setting {key!r} ignored")
            continue
        default = getattr(config, name)
        if name == "topic":
            config.topic = value if isinstance(value, list) else [value]
            config.sources[name] = "file"
            continue
        if name == "keys":
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                config.keys = dict(value)
            else:
                config.problems.append(f"{path}: [keys] must map binding ids to key strings")
            continue
        if type(value) is not type(default):
            if (
                isinstance(default, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                value = float(value)
            else:
                config.problems.append(
                    f"{path}: {key} = {value!r} should be {_KINDS[type(default)]}; "
                    f"the default {default!r} is used"
                )
                continue
        setattr(config, name, value)
        config.sources[name] = "file"
    env_url = os.environ.get("PAPERTERM_BASE_URL")
    if env_url:
        config.base_url = env_url
        config.sources["base_url"] = "environment (PAPERTERM_BASE_URL)"
    env_thumbs = os.environ.get("PAPERTERM_THUMBNAIL_URL")
    if env_thumbs:
        config.thumbnail_url = env_thumbs
        config.sources["thumbnail_url"] = "environment (PAPERTERM_THUMBNAIL_URL)"
    _validate(config)
    return config


def _validate(config: Config) -> None:
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        config.problems.append(f"base_url {config.base_url!r} is not an http(s) URL; default used")
        config.base_url = DEFAULT_BASE_URL
    from paperterm.listing import SORT_ORDER

    if config.sort not in SORT_ORDER:
        config.problems.append(
            f"sort must be one of {', '.join(SORT_ORDER)}, not {config.sort!r}; default used"
        )
        config.sort = "upvotes"
    if config.start_feed not in ("days", "week", "month", "trending", "starred"):
        config.problems.append(
            f"start_feed must be days, week, month, trending or starred, "
            f"not {config.start_feed!r}; days used"
        )
        config.start_feed = "days"
    thumbs = urlsplit(config.thumbnail_url)
    if thumbs.scheme not in ("http", "https") or not thumbs.netloc or "{id}" not in thumbs.path:
        config.problems.append(
            f"thumbnail_url {config.thumbnail_url!r} is not an http(s) URL with {{id}} in its "
            "path; default used"
        )
        config.thumbnail_url = Config().thumbnail_url
    if config.thumbnails not in ("auto", "cells", "off"):
        config.problems.append(
            f"thumbnails must be auto, cells or off, not {config.thumbnails!r}; auto used"
        )
        config.thumbnails = "auto"
    if config.source not in ("page", "api"):
        config.problems.append(f"source must be 'page' or 'api', not {config.source!r}")
        config.source = "page"
    defaults = Config()
    for name, (low, high) in RANGES.items():
        value = getattr(config, name)
        if value != value or not low <= value <= high:  # nan is not equal to itself
            default = getattr(defaults, name)
            config.problems.append(
                f"{name} = {value!r} is out of range ({low:g} to {high:g}); "
                f"the default {default!r} is used"
            )
            setattr(config, name, default)
            config.sources.pop(name, None)


def setting_help() -> dict[str, str]:
    """Each setting's docstring in `Config` (the one place it is written), by name."""
    import ast
    import inspect
    import itertools
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(Config)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            out[node.target.id] = " ".join(following.value.value.split())
    return out


def default_config_text() -> str:
    """A config.toml with every setting at its default, each commented out under what it
    does: uncomment a line to change it. Values are written by tomli-w."""
    import textwrap

    import tomli_w

    help_text = setting_help()
    defaults = Config()
    lines = [
        "# paperterm's settings. Every one is optional: a line left commented out keeps",
        "# its default. `paperterm config` prints the settings in force and where each",
        "# came from; `paperterm config --check` says what is wrong.",
        "",
    ]
    for name in SETTINGS:
        for row in textwrap.wrap(help_text.get(name, ""), 86):
            lines.append(f"# {row}")
        lines.append("# " + tomli_w.dumps({name: getattr(defaults, name)}).strip())
        lines.append("")
    lines += [
        "# Keys: a binding id and its keys (`paperterm keys` lists the ids).",
        "# [keys]",
        '# star = "s,asterisk"',
        "",
        "# Topics: saved searches whose new papers are counted and marked (as many as you like).",
        "# [[topic]]",
        '# name = "LoRA"',
        '# query = "LoRA fine-tuning"',
        "",
    ]
    return "\n".join(lines)
