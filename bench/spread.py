"""The spread of several `bench/run.py` runs: one table, each figure's median and range.

    .venv/bin/python bench/run.py > run1.txt   # three times, say
    .venv/bin/python bench/spread.py run1.txt run2.txt run3.txt

Reads the markdown table each run prints at its end. For each figure: the median value
and the range over the runs, the median reference, and the median ratio with its range.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

_NUMBER = re.compile(r"^([\d.,]+)\s*(ms|MB|s)?")


def rows_of(text: str) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ("1x", "10x"):
            out.append(cells)
    return out


def number(cell: str) -> tuple[float, str] | None:
    match = _NUMBER.match(cell)
    if not match:
        return None
    return float(match[1].replace(",", "")), match[2] or ""


def spread(values: list[str], digits: int = 1) -> str:
    parsed = [number(v) for v in values]
    if any(p is None for p in parsed):
        return " / ".join(values)
    numbers = [p[0] for p in parsed if p]
    unit = parsed[0][1] if parsed[0] else ""
    mid = statistics.median(numbers)
    if digits == 2:  # a ratio
        return f"{mid:.2f}x ({min(numbers):.2f}-{max(numbers):.2f})"
    shown = f"{mid:,.1f} {unit}".rstrip()
    return f"{shown} ({min(numbers):,.1f}-{max(numbers):,.1f})"


def main() -> None:
    runs = [rows_of(Path(name).read_text()) for name in sys.argv[1:]]
    head = ["tier", "figure", "paperterm, median (range)", "reference, median"]
    print("| " + " | ".join([*head, "ratio, median (range)", "target"]) + " |")
    print("|---|---|---|---|---|---|")
    for row in runs[0]:
        same = [r for run in runs for r in run if r[:2] == row[:2]]
        refs = [number(r[3]) for r in same]
        ref_values = [x[0] for x in refs if x]
        ref_unit = refs[0][1] if refs and refs[0] else ""
        ref_name = row[3].partition("(")[2].rstrip(")")
        ref = (
            f"{statistics.median(ref_values):,.1f} {ref_unit} ({ref_name})"
            if ref_values
            else row[3]
        )
        ratios = [r[4].rstrip("x") for r in same]
        ratio = spread(ratios, digits=2) if all(number(x) for x in ratios) else "-"
        print(
            f"| {row[0]} | {row[1]} | {spread([r[2] for r in same])} | {ref} | {ratio} | {row[5]} |"
        )


if __name__ == "__main__":
    main()
