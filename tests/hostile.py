"""A day of papers whose text tries every trick in docs/safety.md."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

HOSTILE_DAY = date(2024, 8, 1)

OSC52 = "\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07"  # clipboard write
OSC0 = "\x1b]0;pwned-title\x07"  # window title
OSC8 = "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\"
CSI_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
BIDI = "\u202etxt.exe"

TITLES = [
    "[@click=app.quit]Click to win[/] a free GPU",
    "[link='file:///etc/passwd']secrets[/link] of attention",
    "[/b] plan for [/ nothing",
    "BERT: [CLS] and [MASK] tokens [0] Attention [Is] All",
    f"Clipboard {OSC52}hijack and {OSC0}title",
    f"Hyperlink {OSC8} and {CSI_CLEAR}clear",
    f"C1 {C1_CSI}red and bidi {BIDI}",
    "[@click=app.screenshot('x.svg','/tmp')]Screenshot me[/]",
]


def hostile_items() -> list[dict[str, Any]]:
    items = []
    for i, title in enumerate(TITLES):
        items.append(
            {
                "paper": {
                    "id": f"2408.{i:05d}",
                    "title": title,
                    "summary": f"Abstract with {title} and [b]bold[/b] and {OSC52}.",
                    "authors": [
                        {"name": "[@click=app.quit]Mallory[/]", "hidden": False},
                        {"name": f"Eve {OSC0}", "hidden": False},
                    ],
                    "upvotes": 10 - i,
                    "submittedOnDailyAt": f"{HOSTILE_DAY}T00:00:00.000Z",
                    "ai_summary": f"AI says [@click=app.quit]quit[/] {CSI_CLEAR}",
                    "ai_keywords": ["[CLS]", f"kw {C1_CSI}"],
                    "githubRepo": "javascript:alert(1)" if i % 2 else "https://github.com/a/b",
                    "projectPage": "file:///etc/passwd" if i % 2 else f"https://x.org/{i}",
                    "organization": {"name": "evil", "fullname": f"Evil {BIDI} Org"},
                },
                "numComments": i,
                "title": title,
            }
        )
    return items


def hostile_body() -> bytes:
    return json.dumps(hostile_items()).encode()
