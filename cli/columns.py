"""Summary lines that fit the terminal (80 columns unless it says otherwise): a name too long
for its column is cut in the middle (its start and its end tell tables apart), numbers are
never cut, sizes are in binary units (KiB, MiB, GiB) everywhere, the progress bar's too.
`Error:` and `Warning:` lines stay one line each whatever their length (one line a problem,
for grep); the terminal wraps those. No rich or typer here: the fast path imports this."""
from __future__ import annotations

import os
import textwrap
from typing import Sequence

ELLIPSIS = "…"
DEFAULT_WIDTH = 80
GAP = "  "  # between two columns


def terminal_width() -> int:
    """The width to lay summaries out for: COLUMNS, else the terminal's (stderr), else 80
    (a pipe, a file); never under 40."""
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        try:
            width = os.get_terminal_size(2).columns
        except OSError:
            width = DEFAULT_WIDTH
    return max(40, width)


def human_bytes(n: float) -> str:
    """A size in binary units: 512 B, 1.5 KiB, 44.2 MiB, 3.0 GiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 view', '2 views', '0 cycles': the count with its noun in the right number."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def fit_name(name: str, width: int) -> str:
    """``name`` when it fits ``width``, else its start and end around an ellipsis."""
    if len(name) <= width:
        return name
    if width <= 1:
        return ELLIPSIS[:width]
    tail = (width - 1) // 2
    return name[: width - 1 - tail] + ELLIPSIS + (name[len(name) - tail:] if tail else "")


def table_lines(header: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> list[str]:
    """A table whose first column is a name (left-aligned, cut in the middle to make the line
    fit ``width``) and whose other columns are numbers (right-aligned, whole)."""
    width = width or terminal_width()
    all_rows = [list(header), *map(list, rows)]
    number_widths = [max(len(r[i]) for r in all_rows) for i in range(1, len(header))]
    room = width - sum(number_widths) - len(GAP) * len(number_widths)
    name_width = max(5, min(max(len(r[0]) for r in all_rows), room))
    return [(f"{fit_name(r[0], name_width):<{name_width}}"
             + "".join(f"{GAP}{cell:>{w}}" for cell, w in zip(r[1:], number_widths))).rstrip() for r in all_rows]


def after_last(lines: list[str], note: str, width: int | None = None) -> None:
    """Put ``note`` after the last line when it fits there, else on a line of its own."""
    if lines and len(lines[-1]) + len(GAP) + len(note) <= (width or terminal_width()):
        lines[-1] += GAP + note
    else:
        lines.append(note)


def wrapped(text: str, width: int | None = None, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` columns, broken between words (a path or a
    command longer than the line is kept whole, on a line of its own)."""
    return textwrap.wrap(text, width or terminal_width(), subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [""]
