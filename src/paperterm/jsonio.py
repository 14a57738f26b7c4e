"""Reading JSON: orjson where it can, the standard library where it cannot.

orjson parses the site's JSON (a day page's data-props, an API answer, the cache's parsed
papers) three to five times faster than `json`, which is most of a day page's extraction
and of start-up's cache reads. It is stricter (UTF-8 only, no lone surrogates, no NaN, ints
within 64 bits, nesting within 1,024), so whatever it refuses goes to `json`, which then
decides exactly as it always did: the result never depends on which one read it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ValueError (or RecursionError) as `json.loads` does."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def loads_lenient(body: bytes) -> Any:
    """Parse a body whose bytes may not all be UTF-8, as `json.loads` of the body decoded
    with replacement characters would."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body.decode("utf-8", errors="replace"))
