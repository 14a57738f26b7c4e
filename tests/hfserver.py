"""A loopback stand-in for huggingface.co that serves the real captures at the site's paths.

Tests, the benchmark and the screenshot script point `PAPERTERM_BASE_URL` at it. Days come
from a directory of API responses (`<day>.json`, as in the corpus) and from day pages
(`pages[day] = bytes`). Faults are scripted per path with `server.script(path, *responses)`:
each request to that path takes the next scripted response until one is left, which repeats.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0
    """Seconds between bytes: a slow drip."""
    truncate: bool = False
    """Promise more bytes than are sent, then close."""


class FakeHF:
    def __init__(self, latency: float = 0.0, port: int = 0) -> None:
        self.api_days: dict[date, list[Any]] = {}
        self.pages: dict[date, bytes] = {}
        self.scripts: dict[str, list[Scripted]] = {}
        self.latency = latency
        self.requests: list[str] = []
        self.hits: defaultdict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self.searches: dict[str, list[Any]] = {}
        self.details: dict[str, dict[str, Any]] = {}
        self.periods: dict[str, list[Any]] = {}
        self.etags = True
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHF:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeHF:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ content

    def add_api_day(self, day: date, items: list[Any]) -> None:
        self.api_days[day] = items

    def add_api_file(self, path: Path, day: date | None = None) -> None:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict):
            data = data.get("data", [])
        self.add_api_day(day or date.fromisoformat(path.stem[-10:]), data)

    def add_search(self, query: str, items: list[Any]) -> None:
        """The answer to /api/papers/search?q=query (matched case- and space-insensitively)."""
        self.searches[" ".join(query.casefold().split())] = items

    def add_period(self, key: str, items: list[Any]) -> None:
        """The answer to ?week=key, ?month=key or (key 'trending') ?sort=trending."""
        self.periods[key] = items

    def add_detail(self, paper_id: str, answer: dict[str, Any]) -> None:
        """The answer to /api/papers/<id> (any other id: 404, as the site)."""
        self.details[paper_id] = answer

    def add_page(self, day: date, body: bytes) -> None:
        self.pages[day] = body

    def script(self, path: str, *responses: Scripted) -> None:
        self.scripts[path] = list(responses)

    # ------------------------------------------------------------------ serving

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests.append(self.path)
                    fake.in_flight += 1
                    fake.peak_in_flight = max(fake.peak_in_flight, fake.in_flight)
                try:
                    if fake.latency:
                        time.sleep(fake.latency)
                    fake._serve(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        return Handler

    def _send(self, h: BaseHTTPRequestHandler, item: Scripted) -> None:
        if item.delay:
            time.sleep(item.delay)
        h.send_response(item.status)
        for key, value in item.headers.items():
            h.send_header(key, value)
        length = len(item.body) + (1000 if item.truncate else 0)
        h.send_header("Content-Length", str(length))
        if item.truncate:
            h.send_header("Connection", "close")
        h.end_headers()
        if item.drip:
            for i in range(len(item.body)):
                h.wfile.write(item.body[i : i + 1])
                h.wfile.flush()
                time.sleep(item.drip)
        else:
            h.wfile.write(item.body)
        if item.truncate:
            h.wfile.flush()
            h.close_connection = True

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        self.hits[parts.path] += 1
        script = self.scripts.get(parts.path) or self.scripts.get(h.path)
        if script:
            item = script.pop(0) if len(script) > 1 else script[0]
            self._send(h, item)
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/api/papers/") and parts.path != "/api/papers/search":
            answer = self.details.get(parts.path.rsplit("/", 1)[-1])
            if answer is None:
                self._send(h, Scripted(404, b'{"error":"Paper not found"}'))
            else:
                self._send(h, Scripted(200, json.dumps(answer).encode()))
        elif parts.path == "/api/papers/search":
            found = self.searches.get(" ".join(query.get("q", "").casefold().split()), [])
            limit = int(query.get("limit", "50"))
            self._send(h, Scripted(200, json.dumps(found[:limit]).encode()))
        elif parts.path == "/api/daily_papers":
            self._serve_api(h, query)
        elif parts.path.startswith("/papers/date/"):
            self._serve_page(h, parts.path.rsplit("/", 1)[-1])
        else:
            self._send(h, Scripted(404, b"Not found"))

    def _serve_api(self, h: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        limit = int(query.get("limit", "50"))
        page = int(query.get("p", "0"))
        period = query.get("week") or query.get("month")
        if period is not None or query.get("sort") == "trending":
            items = self.periods.get(period or "trending", [])
        elif "date" in query:
            try:
                items = self.api_days.get(date.fromisoformat(query["date"]), [])
            except ValueError:
                self._send(h, Scripted(400, b'{"error":"bad date"}'))
                return
        else:
            items = []
            for day in sorted(self.api_days, reverse=True):
                items.extend(self.api_days[day])
        body = json.dumps(items[page * limit : (page + 1) * limit]).encode()
        self._send(h, Scripted(200, body, {"Content-Type": "application/json"}))

    def _serve_page(self, h: BaseHTTPRequestHandler, text: str) -> None:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self._send(h, Scripted(404, b"Not found"))
            return
        body = self.pages.get(day)
        if body is None:
            self._send(h, Scripted(404, b"<html>no such day</html>"))
            return
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if self.etags and h.headers.get("If-None-Match") == etag:
            self._send(h, Scripted(304, b"", {"ETag": etag}))
            return
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.etags:
            headers["ETag"] = etag
        self._send(h, Scripted(200, body, headers))
