"""A rich progress bar on stderr, shown only when stderr is a terminal."""
from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)


class RichDumpProgress:
    """Rows per table and overall, with an ETA from information_schema estimates."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
            DownloadColumn(), TimeElapsedColumn(), TimeRemainingColumn(), console=self.console, transient=True)
        self.tasks: dict[str, int] = {}
        self.total = None

    def begin(self, tables: list[tuple[str, int]]) -> None:
        self.progress.start()
        self.total = self.progress.add_task("all tables", total=max(1, sum(n for _, n in tables)))
        for name, estimate in tables:
            self.tasks[name] = self.progress.add_task(f"  {name}", total=max(1, estimate), visible=False)

    def table_started(self, table: str) -> None:
        self.progress.update(self.tasks[table], visible=True)

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        self.progress.advance(self.tasks[table], rows)
        self.progress.advance(self.total, rows)

    def table_done(self, result) -> None:
        self.progress.update(self.tasks[result.table], total=max(1, result.rows), completed=result.rows, visible=False)

    def end(self) -> None:
        self.progress.stop()
