"""Small-cell suppression: no figure about fewer than `k` people, and none that lets one be
worked out from the others.

`suppress(column, total)` takes one column of counts (by department, say) and its total and
returns the same keys with None where a count must not be shown: every count below `k` (but
above zero: "nobody" discloses nothing about a person), and, when exactly one count of a
column is hidden and the total is shown, the next smallest as well (else total minus the shown
counts gives the hidden one back). The total itself is hidden when it is below `k`.
"""

from __future__ import annotations

from collections.abc import Mapping

K = 5


def suppress[Key](
    column: Mapping[Key, int], total: int | None = None, *, k: int = K
) -> tuple[dict[Key, int | None], int | None]:
    shown: dict[Key, int | None] = {key: (None if 0 < n < k else n) for key, n in column.items()}
    shown_total = None if total is not None and 0 < total < k else total
    hidden = [key for key, n in shown.items() if n is None]
    if len(hidden) == 1 and shown_total is not None:
        candidates = sorted(
            (n, str(key), key) for key, n in shown.items() if n is not None and n > 0
        )
        if candidates:
            shown[candidates[0][2]] = None
        else:
            shown_total = None
    return shown, shown_total


def display(value: int | None, *, k: int = K) -> str:
    """How a suppressed cell reads: "<5"."""
    return f"<{k}" if value is None else str(value)
