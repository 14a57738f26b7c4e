"""A fix to Textual's `Strip.divide` (8.2.8), applied when the reader is built.

`Strip.divide` caches its answer on the strip, and when the only cut is at the strip's own
end the answer is `[self]`: the strip then refers to itself, and only the cyclic garbage
collector can free it. The compositor divides every line it paints that way, so each frame
left hundreds of such cycles (a cursor move: ~450 objects, measured with gc.DEBUG_SAVEALL),
and the collector's passes over them stalled the reader. The same answer, uncached, makes
no cycle; a strip cut anywhere else goes to Textual's own code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.strip import Strip

_original = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    return _original(self, cuts)


def apply() -> None:
    Strip.divide = _divide  # type: ignore[method-assign]
