"""Settings from `config.toml` in the user config dir, with environment overrides.

Every key is optional; a bad value is reported and its default used, so a typo in the
config never stops the reader from starting.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from paperterm import paths

DEFAULT_BASE_URL = "https://huggingface.co"


@dataclass
class Config:
    base_url: str = DEFAULT_BASE_URL
    """Where the feed is read from; `PAPERTERM_BASE_URL` overrides it."""
    source: str = "page"
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
    sort: str = "upvotes"
    """The sort a first run starts with: upvotes, stars, comments, published or title.
    After that the reader starts with the sort last used."""
    hide_read: bool = False
    """Whether a first run hides read papers; after that, as last used."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. `star = "s,asterisk"`."""
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


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
    known = {f.name: f for f in fields(Config) if f.name not in ("problems", "path")}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in known:
            config.problems.append(f"{path}: unknown setting {key!r} ignored")
            continue
        default = getattr(config, name)
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
                    f"{path}: {key} should be a {type(default).__name__}; default used"
                )
                continue
        setattr(config, name, value)
    env_url = os.environ.get("PAPERTERM_BASE_URL")
    if env_url:
        config.base_url = env_url
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
    if config.source not in ("page", "api"):
        config.problems.append(f"source must be 'page' or 'api', not {config.source!r}")
        config.source = "page"
    config.days = min(max(config.days, 1), 60)
    config.since_last_visit_max_days = min(max(config.since_last_visit_max_days, 1), 60)
    config.read_delay = max(config.read_delay, 0.0)
    config.max_concurrency = min(max(config.max_concurrency, 1), 8)
    config.timeout = min(max(config.timeout, 1.0), 120.0)
    config.deadline = min(max(config.deadline, 1.0), 600.0)
    config.command_deadline = min(max(config.command_deadline, 1.0), 3600.0)
    config.max_retry_after = min(max(config.max_retry_after, 0.0), 600.0)
