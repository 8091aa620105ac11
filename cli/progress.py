"""A rich progress bar on stderr, shown only when stderr is a terminal. Every line fits the
terminal: the bar is narrow, numbers are whole, and a table name too long for what is left
is cut in the middle (cli/columns.py); sizes in binary units, as in the summaries."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Column
from rich.text import Text

from .columns import fit_name, human_bytes

BAR_WIDTH = 10
BYTES_WIDTH = len("1023.9 MiB")
TIME_WIDTH = len("0:00:00")
INDENT = "  "  # a table's line, under the "all tables" line


class RowsColumn(ProgressColumn):
    """Rows done of the estimate, with thousands separators: 12,345/47,273 rows."""

    def render(self, task) -> Text:
        return Text(rows_text(task.completed, task.total), style="progress.download")


def rows_text(done: float, total: float | None) -> str:
    return f"{int(done):,}/{int(total or 0):,} rows"


class BytesColumn(ProgressColumn):
    """Bytes written or loaded so far (the rows column counts rows, this one bytes)."""

    def render(self, task) -> Text:
        return Text(human_bytes(int(task.fields.get("bytes", 0))), style="progress.filesize")


def _fixed(width: int, justify: str = "right") -> Column:
    """A column that never wraps: numbers keep their width."""
    return Column(width=width, no_wrap=True, justify=justify, overflow="crop")  # type: ignore[arg-type]


class RichDumpProgress:
    """Rows and bytes per table and overall, with the time left from the row estimates."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.tasks: dict[str, int] = {}
        self.total = None
        self.bytes: dict[object, int] = {}
        self.progress = self._progress(name_width=20, rows_width=len(rows_text(0, 0)))

    def _progress(self, name_width: int, rows_width: int) -> Progress:
        return Progress(
            TextColumn("{task.description}", table_column=_fixed(name_width, "left")),
            BarColumn(bar_width=BAR_WIDTH), RowsColumn(table_column=_fixed(rows_width)),
            BytesColumn(table_column=_fixed(BYTES_WIDTH)), TimeRemainingColumn(table_column=_fixed(TIME_WIDTH)), console=self.console, transient=True)

    def begin(self, tables: list[tuple[str, int]]) -> None:
        total = max(1, sum(n for _, n in tables))
        # no table's count is longer than the total's; estimates are rough: room for 10x as many
        rows_width = len(rows_text(total * 10, total))
        # what the other columns take (one space between two), the rest for the name; the
        # time left is shown, not the time taken (the summary says that)
        name_width = max(12, self.console.width - (BAR_WIDTH + rows_width + BYTES_WIDTH + TIME_WIDTH + 4) - 1)
        self.progress = self._progress(name_width, rows_width)
        self.progress.start()
        self.total = self.progress.add_task("all tables", total=total, bytes=0)
        for name, estimate in tables:
            label = INDENT + fit_name(name, name_width - len(INDENT))
            self.tasks[name] = self.progress.add_task(label, total=max(1, estimate), visible=False, bytes=0)

    def table_started(self, table: str) -> None:
        self.progress.update(self.tasks[table], visible=True)

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        for task in (self.tasks[table], self.total):
            self.bytes[task] = self.bytes.get(task, 0) + nbytes
            self.progress.update(task, advance=rows, bytes=self.bytes[task])

    def table_done(self, result) -> None:
        self.progress.update(self.tasks[result.table], total=max(1, result.rows), completed=result.rows, visible=False)

    def end(self) -> None:
        """Stop drawing and clear the bar (a second call does nothing)."""
        self.progress.stop()
