"""Config, paths and the proxy environment: what a user sets is what happens."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from conftest import DAY_2024, PAGE_2024
from hfserver import FakeHF

from paperterm import paths
from paperterm.config import DEFAULT_BASE_URL, load_config


def test_xdg_variables_move_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAPERTERM_DATA_DIR", "PAPERTERM_CACHE_DIR", "PAPERTERM_CONFIG_DIR"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert paths.state_file() == tmp_path / "xdg-data" / "paperterm" / "state.toml"
    assert paths.cache_dir() == tmp_path / "xdg-cache" / "paperterm"
    assert paths.config_file() == tmp_path / "xdg-config" / "paperterm" / "config.toml"


def test_environment_overrides_win(private_dirs: dict[str, Path]) -> None:
    assert paths.data_dir() == private_dirs["data"]
    assert paths.cache_dir() == private_dirs["cache"]
    assert paths.config_file() == private_dirs["config"] / "config.toml"


def test_config_values_and_bad_values(
    private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERTERM_BASE_URL")
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text(
        'days = 5\nread_delay = 0\nsource = "rss"\ncolour = "blue"\ntimeout = "fast"\n'
        'base_url = "ftp://example.com"\n[keys]\nstar = "x"\n'
    )
    config = load_config()
    assert config.days == 5 and config.read_delay == 0.0 and config.keys == {"star": "x"}
    assert (
        config.source == "page" and config.timeout == 10.0 and config.base_url == DEFAULT_BASE_URL
    )
    problems = "\n".join(config.problems)
    for word in (
        "source must be",
        "unknown setting 'colour'",
        "timeout = 'fast' should be a number; the default 10.0 is used",
        "not an http",
    ):
        assert word in problems


def test_broken_config_file_uses_defaults(private_dirs: dict[str, Path]) -> None:
    private_dirs["config"].mkdir(parents=True)
    (private_dirs["config"] / "config.toml").write_text("days = [unclosed\n")
    config = load_config()
    assert config.days == 3 and "using defaults" in config.problems[0]


def test_base_url_from_environment(
    private_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERTERM_BASE_URL", "http://127.0.0.1:8765")
    assert load_config().base_url == "http://127.0.0.1:8765"


async def test_proxy_environment_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY reaches the one client: requests go through the proxy, as absolute URLs."""
    from paperterm.fetch import Fetcher

    with FakeHF() as proxy:
        proxy.add_page(DAY_2024, PAGE_2024.read_bytes())
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with Fetcher("http://papers.example", attempts=1) as fetcher:
            response = await fetcher.get("/papers/date/2024-08-01")
        assert response.status == 200 and b"DailyPapers" in response.body
        assert proxy.requests == ["http://papers.example/papers/date/2024-08-01"]


def test_config_init_writes_every_setting_and_never_overwrites(
    private_dirs: dict[str, Path],
) -> None:
    from test_cli import run_cli

    from paperterm.config import SETTINGS

    path = private_dirs["config"] / "config.toml"
    run_cli("config", "--init", check=True)
    text = path.read_text()
    assert tomllib.loads(text) == {}  # every line commented out: the defaults hold
    before_keys = text.split("# [keys]")[0]  # then examples of [keys] and [[topic]]
    settings = [line[2:] for line in before_keys.splitlines() if re.match(r"# [a-z_]+ = ", line)]
    assert [s.split(" = ")[0] for s in settings] == list(SETTINGS)
    path.write_text("\n".join(settings) + "\n")  # every setting uncommented
    config = load_config(path)
    assert config.problems == [] and set(config.sources) == set(SETTINGS)
    mine = "days = 5  # mine\n"
    path.write_text(mine)
    again = run_cli("config", "--init")
    assert again.returncode == 1 and "--force" in again.stderr and path.read_text() == mine
    run_cli("config", "--init", "--force", check=True)
    assert path.with_name("config.toml.bak").read_text() == mine
    assert tomllib.loads(path.read_text()) == {}


async def test_the_theme_chosen_is_used_next_time(
    fake_hf: FakeHF, private_dirs: dict[str, Path]
) -> None:
    from test_app import notices, reader

    fake_hf.add_page(DAY_2024, PAGE_2024.read_bytes())
    async with reader(private_dirs) as (app, pilot):
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what the palette's "Change theme" does
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert tomllib.loads((private_dirs["data"] / "view.toml").read_text())["theme"] == "nord"
    async with reader(private_dirs) as (app, pilot):
        assert app.theme == "nord"
    (private_dirs["data"] / "view.toml").unlink()
    private_dirs["config"].mkdir(parents=True, exist_ok=True)
    (private_dirs["config"] / "config.toml").write_text('theme = "gruvbox"\n')
    async with reader(private_dirs) as (app, pilot):
        assert app.theme == "gruvbox"  # a first run: the config's
    (private_dirs["config"] / "config.toml").write_text('theme = "no-such-theme"\n')
    async with reader(private_dirs, notifications=True) as (app, pilot):
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in n for n in await notices(app, pilot))
