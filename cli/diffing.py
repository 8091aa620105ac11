"""The ``diff`` command's body and its lines: what differs, table by table, range by range,
each line within the terminal's width."""
from __future__ import annotations

import json
from pathlib import Path

from .columns import plural, wrapped
from .exits import echo


def diff_lines(report, rows: bool) -> list[str]:
    """A line per table that is not the same, a line per range that is not, the keys
    (with ``rows``), then the count of tables per state."""
    from dumpcore.verify.diff import SAME

    lines = [f"A: {report.a}", f"B: {report.b}"]
    counts: dict[str, int] = {}
    for t in report.tables:
        counts[t.state] = counts.get(t.state, 0) + 1
        if t.state == SAME:
            continue
        lines += wrapped(f"{t.state.upper()} table `{t.table}`: {t.rows_a:,} row(s) in A, {t.rows_b:,} in B"
                         + (f"; {t.note}" if t.note else ""), indent="  ")
        for r in t.ranges:
            if r.state == SAME:
                continue
            files = f", {r.files[0]}" + (f" +{len(r.files) - 1}" if len(r.files) > 1 else "") if r.files else ""
            lines += wrapped(f"  {r.state} {r.describe()}: {r.rows_a:,} / {r.rows_b:,} row(s){files}",
                             indent="      ")
            if rows:
                for k in r.keys:
                    lines += wrapped(f"    {k.state}: {','.join(k.key)}", indent="      ")
                if r.more_keys:
                    lines.append(f"    ... and {plural(r.more_keys, 'more key')}")
    same = counts.get(SAME, 0)
    text = f"{plural(len(report.tables), 'table')}: " + ", ".join(
        f"{n:,} {state}" for state, n in sorted(counts.items(), key=lambda kv: kv[0] != SAME))
    lines += wrapped(text + ("; equal" if same == len(report.tables) else "; different")
                     + f" ({report.seconds:.2f}s)")
    return lines


def diff(*, a: Path, b: Path | None, database: str | None, tables: list[str] | None, rows: bool, row_limit: int,
         as_json: bool, conn) -> bool:
    """Compare; print; True when equal."""
    from dumpcore.errors import UsageError
    from dumpcore.verify import diff as diff_api

    if row_limit < 0:
        raise UsageError(f"--row-limit takes 0 or more, not {row_limit}")
    if b is not None and database is not None:
        raise UsageError("give a second dump B or -D DATABASE (a live database), not both")
    if b is not None:
        report = diff_api.diff_dumps(a, b, tables, rows, row_limit)
    else:
        report = diff_api.diff_live(a, conn(), database, tables, rows, row_limit)
    if as_json:
        echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in diff_lines(report, rows):
            echo(line)
    return report.equal
