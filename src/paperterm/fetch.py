"""The one HTTP client: timeouts, retries with jittered backoff, 429, validators, politeness.

Everything paperterm asks of the network goes through `Fetcher.get`, so the rules below
hold everywhere: a User-Agent naming paperterm; at most `max_concurrency` requests at once;
an overall deadline per request (a slow drip cannot hang us); retries on connect/read
errors and 502/503/504; `Retry-After` honoured up to a bound; redirects followed only on
the same host; bodies capped in size. Proxy environment variables keep working because
no transport is passed in production (httpx ignores them once one is).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from paperterm import __version__
from paperterm.errors import FetchError, NotFound, RateLimited
from paperterm.scrape import MAX_BODY

__all__ = ["FetchError", "Fetcher", "NotFound", "RateLimited", "Response"]

USER_AGENT = f"paperterm/{__version__} (terminal reader for Hugging Face Daily Papers)"
RETRY_STATUS = {502, 503, 504}
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Response:
    status: int
    """200, or 304 when the validators matched."""
    body: bytes
    url: str
    etag: str | None = None
    last_modified: str | None = None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """One polite httpx client for the whole process. Use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        deadline: float = 30.0,
        attempts: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        max_concurrency: int = 4,
        max_body: int = MAX_BODY,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.deadline = deadline
        self.read_timeout = read_timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_body = max_body
        self._sleep = sleep
        self._limit = asyncio.Semaphore(max_concurrency)
        self.max_concurrency = max_concurrency
        self.in_flight = 0
        self.peak_in_flight = 0
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            transport=transport,
            trust_env=True,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET `path` under the base URL (or a whole http(s) URL: a thumbnail on the
        site's CDN), retrying as the module docstring says."""
        url = path if path.startswith(("https://", "http://")) else self.base_url + path
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        last_error: FetchError | None = None
        loop = asyncio.get_running_loop()
        # One deadline for the request, retries and waits included: a server that trickles
        # cannot hold a command for `attempts` times the deadline.
        give_up = loop.time() + self.deadline
        for attempt in range(self.attempts):
            delay: float | None = None
            remaining = give_up - loop.time()
            if remaining <= 0:
                break
            try:
                async with self._limit:
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                    try:
                        async with asyncio.timeout(max(give_up - loop.time(), 0.001)):
                            return await self._get_once(url, params, headers)
                    finally:
                        self.in_flight -= 1
            except TimeoutError:
                tries = f" ({attempt + 1} attempts)" if attempt else ""
                last_error = FetchError(
                    f"{self._where(url)} did not answer within {self.deadline:g} s{tries}"
                )
                break
            except httpx.ReadTimeout:
                last_error = FetchError(
                    f"{self._where(url)} did not answer (no data for {self.read_timeout:g} s)"
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                last_error = FetchError(f"cannot connect to {self._host(url)} ({_reason(error)})")
            except (httpx.ReadError, httpx.RemoteProtocolError) as error:
                last_error = FetchError(f"{self._where(url)}: connection broke ({_reason(error)})")
            except RateLimited as error:
                if error.retry_after is not None and error.retry_after > self.max_retry_after:
                    raise
                last_error = error
                delay = error.retry_after
            except FetchError as error:
                if error.status not in RETRY_STATUS:
                    raise
                last_error = error
            except httpx.HTTPError as error:
                raise FetchError(f"{self._where(url)}: {_reason(error)}") from None
            if attempt + 1 < self.attempts:
                if delay is None:
                    delay = self.backoff * (2**attempt)
                    delay = delay / 2 + random.uniform(0, delay / 2)  # jitter: no thundering herd
                if delay >= give_up - loop.time():
                    break  # the wait would outlast the deadline: report the last error now
                await self._sleep(delay)
        if last_error is None:
            last_error = FetchError(f"{self._where(url)} did not answer within {self.deadline:g} s")
        raise last_error

    async def _get_once(
        self, url: str, params: dict[str, str] | None, headers: dict[str, str]
    ) -> Response:
        origin = self._host(url)
        for _ in range(MAX_REDIRECTS + 1):
            request = self._client.build_request("GET", url, params=params, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                status = response.status_code
                if status in (301, 302, 303, 307, 308):
                    target = urljoin(str(response.url), response.headers.get("Location", ""))
                    if self._host(target) != origin:
                        raise FetchError(
                            f"{self._where(url)} redirected to another host "
                            f"({self._host(target) or 'nowhere'}); not followed",
                            status=status,
                        )
                    url, params = target, None
                    continue
                if status == 304:
                    return Response(304, b"", str(response.url))
                if status == 429:
                    wait = parse_retry_after(response.headers.get("Retry-After"))
                    raise RateLimited(
                        f"{self._host(url)} is rate-limiting us (HTTP 429"
                        + (f", retry in {wait:.0f} s)" if wait is not None else ")"),
                        status=429,
                        retry_after=wait,
                    )
                if status == 404:
                    raise NotFound(f"{self._where(url)}: not found (HTTP 404)", status=404)
                if status >= 400:
                    raise FetchError(f"{self._where(url)}: HTTP {status}", status=status)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_body:
                    raise FetchError(f"{self._where(url)}: response too large ({declared} bytes)")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_body:
                        raise FetchError(f"{self._where(url)}: response too large")
                    chunks.append(chunk)
                return Response(
                    status,
                    b"".join(chunks),
                    str(response.url),
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
            finally:
                await response.aclose()
        raise FetchError(f"{self._where(url)}: too many redirects")

    @staticmethod
    def _host(url: str) -> str:
        return urlsplit(url).netloc

    @staticmethod
    def _where(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.netloc}{parts.path}"


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__
