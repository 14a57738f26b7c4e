"""Where paperterm keeps its files: platformdirs, with an environment override for each.

Tests and scripts point every path somewhere private with `PAPERTERM_DATA_DIR`,
`PAPERTERM_CACHE_DIR` and `PAPERTERM_CONFIG_DIR` (or `PAPERTERM_CONFIG` for the file itself),
so nothing ever touches the real user directories by accident.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "paperterm"


def _dir(env: str, default: str) -> Path:
    override = os.environ.get(env)
    return Path(override).expanduser() if override else Path(default)


def data_dir() -> Path:
    """Read/starred state lives here."""
    return _dir("PAPERTERM_DATA_DIR", platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Raw scraped bodies live here; losing them costs only a refetch."""
    return _dir("PAPERTERM_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return _dir("PAPERTERM_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    override = os.environ.get("PAPERTERM_CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def state_file() -> Path:
    return data_dir() / "state.toml"


def prefs_file() -> Path:
    """The sort and hide-read last used (not user data: losing it costs a key press)."""
    return data_dir() / "view.toml"
