"""Opening a link in the user's browser without blocking or garbling the reader's screen.

A graphical browser is started detached with its output sent to /dev/null (xdg-open and
friends like to print). A console browser (`$BROWSER=lynx`, or no display at all) needs
the terminal: the app suspends itself while it runs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import webbrowser

CONSOLE_BROWSERS = {"lynx", "w3m", "links", "links2", "elinks", "browsh", "carbonyl", "www-browser"}


class BrowserOpener:
    """Decides how to open a URL and does it. Tests substitute a recorder."""

    def _commands(self) -> list[list[str]]:
        env = os.environ.get("BROWSER", "")
        out = []
        for entry in filter(None, env.split(os.pathsep)):
            parts = shlex.split(entry)
            if parts and shutil.which(parts[0]):
                out.append(parts)
        return out

    def needs_terminal(self) -> bool:
        commands = self._commands()
        if commands:
            return os.path.basename(commands[0][0]) in CONSOLE_BROWSERS
        if sys.platform.startswith("linux"):
            return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        return False

    def open(self, url: str) -> bool:
        """Open `url` (already checked to be a safe http(s) URL). True if a browser ran."""
        commands = self._commands()
        if commands:
            parts = commands[0]
            argv = (
                [p.replace("%s", url) for p in parts]
                if any("%s" in p for p in parts)
                else [*parts, url]
            )
            return self._run(argv, attached=self.needs_terminal())
        if sys.platform == "darwin":
            return self._run(["open", url], attached=False)
        if (
            sys.platform.startswith("linux")
            and not self.needs_terminal()
            and shutil.which("xdg-open")
        ):
            return self._run(["xdg-open", url], attached=False)
        return webbrowser.open(url)

    @staticmethod
    def _run(argv: list[str], attached: bool) -> bool:
        try:
            if attached:
                return subprocess.run(argv, check=False).returncode == 0
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return True
        except OSError:
            return False
