"""The completion report: rows expected (manifest) vs restored vs rejected vs live, per table.

Counting what the loader sent is not enough: a restore is complete only when the live
tables hold at least the manifest's rows less the rejected ones. Anything short fails the
restore (exit 1), whatever the journal or the loader believed. Rows the target holds
beyond the dump (it was not empty, and restore upserts) are said, never kept silently.

Counts are not content, so a table whose chunks were not each proven before their COMMIT
(no key ranges: a keyless table) is proven whole here, once complete: its live content
fingerprint against the dump's (fingerprint.py), in place of its count.
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Iterable

from ..connect.connection import Connection
from ..errors import RestoreError
from .state import live_row_counts
from ..verify.fingerprint import Mismatch, prove_table


class LiveCounts:
    """The live rows of each table, counted as soon as the table is complete -- every chunk
    committed and every deferred key back -- by the loader connection that finds it so,
    while the other tables still load, instead of all of them one after another at the end
    (a large restore's last 0.5 s on one core). ``compare_live_counts`` counts the rest."""

    def __init__(self, database: str, tables: list[str], whole: dict[str, tuple[dict, tuple[int, int]]] | None = None,
                 merging: set[str] = frozenset(), all_versions: set[str] | frozenset = frozenset()):
        """``whole``: table -> (manifest entry, fingerprint of the rows it held before the
        restore) for the tables proven whole; ``merging``: tables that held rows of their
        own before the restore (more live rows than the dump's is then not a difference);
        ``all_versions``: tables dumped with their history, counted FOR SYSTEM_TIME ALL."""
        self.database = database
        self.tables = tables
        self.whole = whole or {}
        self.merging = merging
        self.all_versions = all_versions  # state.with_history
        self.triggers_fire = False  # --fire-triggers: the target's triggers may change rows, as asked
        self.counted: dict[str, int] = {}
        self.mismatches: list[Mismatch] = []
        self.unproven: dict[str, str] = {}  # table -> why its content could not be proven
        self._claimed: set[str] = set()
        self._lock = threading.Lock()
        # the tables to look at next: all of them once, then each only when told that its
        # load completed or its keys are back (notify), so the work per table stays the
        # same whatever the table count
        self._wanted = set(tables)
        self._to_check: deque[str] = deque(tables)

    def _count(self, conn: Connection, names: list[str], exist: set[str] | frozenset = frozenset()) -> dict[str, int]:
        plain = [t for t in names if t not in self.whole]
        out = live_row_counts(conn, self.database, plain, self.all_versions, exist) if plain else {}
        for t in names:
            if t not in self.whole:
                continue
            entry, base = self.whole[t]
            out[t], mismatch = prove_table(conn, self.database, entry, base)
            why = None if mismatch is None else unproven_reason(mismatch, t in self.merging, self.triggers_fire)
            if why is not None:
                self.unproven[t] = why
            elif mismatch is not None:
                self.mismatches.append(mismatch)
        return out

    def notify(self, tables: Iterable[str]) -> None:
        """These tables may have become ready (their load completed, their keys are back)."""
        self._to_check.extend(t for t in tables if t in self._wanted)

    def count_ready(self, conn: Connection, completed: Iterable[str], busy: Callable[[str], bool]) -> None:
        """Count, on ``conn``, each table not yet counted that is ready (``busy(t)``: t still
        loads or is still owed keys; ``completed``: tables whose load just completed). A busy
        table is looked at again when notified. If this raises (the connection lost), the
        tables it took are not in ``counted`` and ``compare_live_counts`` counts them at the end."""
        completed = list(completed)
        self.notify(completed)
        ready = []
        with self._lock:
            while self._to_check:
                t = self._to_check.popleft()
                if t not in self._claimed and not busy(t):
                    ready.append(t)
                    self._claimed.add(t)
        if ready:  # a table whose load just completed exists: not looked up
            self.counted.update(self._count(conn, ready, exist=set(completed)))

    def count_rest(self, conn: Connection, names: list[str]) -> dict[str, int]:
        """Count (or prove) every table of ``names`` not counted yet; all counts."""
        rest = [t for t in names if t not in self.counted]
        self.counted.update(self._count(conn, rest))
        return self.counted


def unproven_reason(mismatch: Mismatch, merging: bool, triggers_fire: bool) -> str | None:
    """Why a difference is not a failure, or None when it is one: the target's triggers
    were asked to fire (--fire-triggers), or the table held rows of its own (a merge) and
    the difference is only more rows."""
    if mismatch.generated_only:
        return str(mismatch)
    if triggers_fire:
        return f"its content differs from the dump after the target's triggers fired (--fire-triggers): {mismatch}"
    if merging and mismatch.live_rows > mismatch.dumped_rows:
        return "it held rows of its own in the dumped key ranges before the restore"
    return None


def compare_live_counts(conn: Connection, database: str, entries: list[dict], results: dict,
                        counts: LiveCounts) -> list[str]:
    """Fill ``expected`` and ``live`` of each TableRestore; warnings for rows beyond the dump.
    Tables ``counts`` (LiveCounts) has not counted yet are counted (or proven) now."""
    live = counts.count_rest(conn, [e["name"] for e in entries])
    notes = []
    for e in entries:
        r = results[e["name"]]
        r.expected = int(e.get("rows", 0))
        r.live = live[e["name"]]
        if e.get("rows_not_dumped"):  # MERGE, FEDERATED, ...: its rows are another table's
            r.live = r.expected
            continue
        if r.extra:
            notes.append(f"table `{r.table}` holds {r.extra:,} row(s) beyond the dump ({r.live:,} live, "
                         f"{r.expected - r.rejected:,} from the dump): rows the target had before are kept "
                         "(restore upserts); --cleanup replaces them, --verify compares")
    return notes


def completion_error(summary) -> RestoreError | None:
    """One error for everything that makes the restore not complete, or None."""
    parts = []
    short = [r for r in summary.tables.values() if r.short]
    if short:
        parts.append("restore incomplete: " + ", ".join(
            f"`{r.table}` holds {r.live:,} rows, the dump has {r.expected:,}"
            + (f" ({r.rejected:,} rejected)" if r.rejected else "") + f": {r.short:,} missing" for r in short))
    if summary.rejected:
        counts = ", ".join(f"{t}: {n}" for t, n in summary.rejected.items())
        parts.append(f"{sum(summary.rejected.values())} row(s) rejected ({counts}); see {summary.rejects_dir}")
    failed = getattr(summary, "failed_objects", None)
    if failed:
        parts.append(f"{len(failed)} object(s) not created: " + "; ".join(failed))
    mismatches = getattr(summary, "mismatches", None)
    if mismatches:
        parts.append("the restored content differs from the dump: " + "; ".join(str(m) for m in mismatches[:5])
                     + (" ..." if len(mismatches) > 5 else ""))
    report = getattr(summary, "verify_report", None)
    if report is not None and not report.ok:
        parts.append(f"`{summary.database}` differs from the dump after the restore: "
                     + "; ".join(str(d) for d in report.differences[:5])
                     + (" ..." if len(report.differences) > 5 else ""))
    gaps = getattr(summary, "prisma_incomplete", "")
    if gaps:
        parts.append(f"the Prisma coverage check finds `{summary.database}` INCOMPLETE after the restore: {gaps} "
                     "(restore --into-current-schema loads into the tables and columns the Prisma schema maps)")
    return RestoreError("; ".join(parts)) if parts else None
