"""A rich progress bar on stderr, shown only when stderr is a terminal."""
from __future__ import annotations

from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text


class RowsColumn(ProgressColumn):
    """Rows done of the estimate, with thousands separators: 12,345/47,273 rows."""

    def render(self, task) -> Text:
        return Text(f"{int(task.completed):,}/{int(task.total or 0):,} rows", style="progress.download")


class BytesColumn(ProgressColumn):
    """Bytes written or loaded so far (the rows column counts rows, this one bytes)."""

    def render(self, task) -> Text:
        return Text(decimal(int(task.fields.get("bytes", 0))), style="progress.filesize")


class RichDumpProgress:
    """Rows and bytes per table and overall, with an ETA from the row estimates."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), RowsColumn(), BytesColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=self.console, transient=True)
        self.tasks: dict[str, int] = {}
        self.total = None
        self.bytes: dict[object, int] = {}

    def begin(self, tables: list[tuple[str, int]]) -> None:
        self.progress.start()
        self.total = self.progress.add_task("all tables", total=max(1, sum(n for _, n in tables)), bytes=0)
        for name, estimate in tables:
            self.tasks[name] = self.progress.add_task(f"  {name}", total=max(1, estimate), visible=False, bytes=0)

    def table_started(self, table: str) -> None:
        self.progress.update(self.tasks[table], visible=True)

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        for task in (self.tasks[table], self.total):
            self.bytes[task] = self.bytes.get(task, 0) + nbytes
            self.progress.update(task, advance=rows, bytes=self.bytes[task])

    def table_done(self, result) -> None:
        self.progress.update(self.tasks[result.table], total=max(1, result.rows), completed=result.rows, visible=False)

    def end(self) -> None:
        self.progress.stop()
