"""Incremental dumps on the bench data set: after changing 1% of the rows, what a dump
``--since`` the previous one writes and how long it takes, against a full dump; its
restore compared with the source raw; a week of daily dumps on disk.

    python -m bench.incremental_bench [--socket S] [--scale medium] [--pattern clustered|uniform]
        [--days 7] [--chunk-size 8MiB] [--keep-data] [--work DIR]

Without --socket (``make bench-incremental``), on a sandbox MariaDB of its own under
bench/work/incremental/, generated at --scale.

The changes (``change_one_percent``), per keyed table, 1% of its rows:
- ``clustered``: ten runs of consecutive keys spread over the table (the rows a day of use
  touches: recent orders, a batch job's customers), updated; 50 rows of the first run
  deleted, 50 inserted past the last key (order_items, orders);
- ``uniform``: every 100th row updated (the worst case for ranges: every chunk changes).
The keyless ``events`` is left as it is (a keyless table that changes is dumped whole).

Prints one JSON object; times here are single runs (the README's ratio is from alternated
pairs, bench/README.md).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from itertools import zip_longest
from pathlib import Path

from dumpcore.connect.connection import ConnectionOptions, quote_ident, quote_string

from .dataset import SCALES, create_dataset, row_counts

UPDATES = {"customers": "balance = balance + 1", "orders": "total = total + 1",
           "order_items": "qty = qty + 1", "attachments": "mime = 'text/csv'"}


def change_one_percent(conn, database: str, n: int, pattern: str, day: int = 0) -> int:
    """Change 1% of the rows of each keyed table (module docstring); the rows touched."""
    counts = row_counts(n)
    q = quote_ident(database)
    touched = 0
    for table, assignment in UPDATES.items():
        rows = counts[table]
        if pattern == "uniform":
            touched += conn.execute(f"UPDATE {q}.{table} SET {assignment} WHERE id % 100 = {7 + day}")
            continue
        run = max(1, rows // 1000)
        for k in range(10):
            start = 1 + (k * rows) // 10 + (day * 7919 * run) % max(1, rows // 10 - run)
            touched += conn.execute(f"UPDATE {q}.{table} SET {assignment} WHERE id BETWEEN {start} AND "
                                    f"{start + run - 1}")
    if pattern == "clustered":
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
        first = 1 + (day * 7919 * (n // 1000)) % max(1, n // 10 - n // 1000)
        touched += conn.execute(f"DELETE FROM {q}.order_items WHERE id BETWEEN {first} AND {first + 49}")
        top = int(conn.scalar(f"SELECT MAX(id) FROM {q}.order_items"))
        touched += conn.execute(f"INSERT INTO {q}.order_items SELECT {top} + seq, 1 + seq, 'SKUNEW', 1, 1.00, "
                                f"CONCAT('new item ', seq) FROM {q}.seq_1_to_50")
        top = int(conn.scalar(f"SELECT MAX(id) FROM {q}.orders"))
        touched += conn.execute(f"INSERT INTO {q}.orders SELECT {top} + seq, 1, NOW(6), 1.00, 'new', NULL, NULL "
                                f"FROM {q}.seq_1_to_50")
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
    return touched


def new_bytes(directory: Path, seen: set[int]) -> int:
    """Bytes of the files under ``directory`` whose inode is not in ``seen`` (added to it)."""
    total = 0
    for f in directory.rglob("*"):
        if f.is_file():
            st = f.stat()
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total


def dumpcore_dump(args: list[str]) -> float:
    exe = Path(sys.executable).with_name("dumpcore")
    t0 = time.monotonic()
    subprocess.run([str(exe), "dump", *args, "-q"], check=True)
    return time.monotonic() - t0


def raw_equal(options: ConnectionOptions, a: str, b: str, tables: list[str]) -> bool:
    """Whether every table holds the same rows in both databases, value by value as the
    server sends them (in key order; a keyless table in the order of all its columns)."""
    with options.connect() as ca, options.connect() as cb:
        for t in tables:
            key = [r[0] for r in ca.query_text(
                "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                f"{quote_string(a)} AND TABLE_NAME = {quote_string(t)} AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")]
            ncols = int(ca.scalar(f"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                                  f"{quote_string(a)} AND TABLE_NAME = {quote_string(t)}"))
            order = ", ".join(quote_ident(k) for k in key) or ", ".join(str(i + 1) for i in range(ncols))
            rows_a = ca.stream(f"SELECT * FROM {quote_ident(a)}.{quote_ident(t)} ORDER BY {order}", 5000)
            rows_b = cb.stream(f"SELECT * FROM {quote_ident(b)}.{quote_ident(t)} ORDER BY {order}", 5000)
            for x, y in zip_longest((r for batch in rows_a for r in batch), (r for batch in rows_b for r in batch)):
                if tuple(x or ()) != tuple(y or ()):
                    return False
    return True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", help="a running server (default: a sandbox of its own)")
    ap.add_argument("--user", default="root")
    ap.add_argument("--database", default="bench")
    ap.add_argument("--scale", default="medium")
    ap.add_argument("--pattern", default="clustered", choices=["clustered", "uniform"])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--chunk-size", default="8MiB", help="of every dump (and --statement-size, at most 1MiB)")
    ap.add_argument("--keep-data", action="store_true", help="the database exists at this scale, unchanged")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dumpcore-incremental-bench"))
    ap.add_argument("--changes", default="both", choices=["both", "binlog", "fingerprints"],
                    help="how the daily dumps find what changed (both: the chain by binlog, and each day "
                         "also by fingerprints, timed beside it)")
    a = ap.parse_args(argv)
    if a.socket is None:
        from dumpcore.sandbox.sandbox import Sandbox

        root = Path(__file__).resolve().parent / "work" / "incremental"
        shutil.rmtree(root, ignore_errors=True)
        # the binary log on, ROW (what --changes binlog reads)
        with Sandbox(root / "server", extra_args=("--log-bin=binlog", "--server-id=1", "--binlog-format=ROW")) as box:
            main([*(argv if argv is not None else sys.argv[1:]), "--socket", str(box.state.socket)])
        return
    n = SCALES.get(a.scale) or int(a.scale)
    options = ConnectionOptions(user=a.user, socket=a.socket)
    shutil.rmtree(a.work, ignore_errors=True)
    a.work.mkdir(parents=True)
    from dumpcore.dump.dump import parse_size

    statement = min(parse_size(a.chunk_size), 1 << 20)
    conn_args = ["-S", a.socket, "-u", a.user, "--chunk-size", a.chunk_size, "--statement-size", str(statement)]
    out: dict = {"scale": a.scale, "rows_per_table": row_counts(n), "pattern": a.pattern,
                 "chunk_size": a.chunk_size}
    with options.connect() as conn:
        if not a.keep_data:
            create_dataset(conn, a.database, n)
        seen: set[int] = set()
        # a full dump as a user runs it (default workers), three times: its median is the base
        walls = [dumpcore_dump([a.database, "-o", str(a.work / f"full{k}"), *conn_args]) for k in range(3)]
        full_wall = statistics.median(walls)
        (a.work / "full0").rename(a.work / "day0")
        for k in (1, 2):
            shutil.rmtree(a.work / f"full{k}")
        full_bytes = new_bytes(a.work / "day0", seen)
        out["full"] = {"wall": round(full_wall, 2), "walls": [round(w, 2) for w in walls], "bytes": full_bytes}
        out["changes"] = a.changes
        out["days"] = []
        chain = "fingerprints" if a.changes == "fingerprints" else "binlog"
        for day in range(1, a.days):
            touched = change_one_percent(conn, a.database, n, a.pattern, day)
            since = ["--since", str(a.work / f"day{day - 1}")]
            row: dict = {"day": day, "rows_changed": touched}
            if a.changes == "both":  # the same day by fingerprints, beside it (its files not kept)
                fp = dumpcore_dump([a.database, "-o", str(a.work / "fp"), *since, *conn_args])
                row["fingerprints_wall"] = round(fp, 2)
                row["fingerprints_wall_ratio"] = round(fp / full_wall, 3)
                shutil.rmtree(a.work / "fp")
            wall = dumpcore_dump([a.database, "-o", str(a.work / f"day{day}"), *since, "--changes", chain, *conn_args])
            written = new_bytes(a.work / f"day{day}", seen)
            manifest = json.loads((a.work / f"day{day}" / "manifest.json").read_text())
            row.update({"changes": manifest["since"]["changes"], "wall": round(wall, 2), "bytes_written": written,
                        "wall_ratio": round(wall / full_wall, 3), "bytes_ratio": round(written / full_bytes, 4)})
            out["days"].append(row)
            print(json.dumps(out["days"][-1]), file=sys.stderr)
        out["median_wall_ratio"] = statistics.median(d["wall_ratio"] for d in out["days"])
        if a.changes == "both":
            out["median_fingerprints_wall_ratio"] = statistics.median(d["fingerprints_wall_ratio"] for d in out["days"])
        out["week_bytes"] = sum(d["bytes_written"] for d in out["days"]) + full_bytes
        out["week_ratio"] = round(out["week_bytes"] / full_bytes, 3)
        # the last incremental dump restores alone, equal to the source
        last = a.work / f"day{a.days - 1}"
        check = f"{a.database}_incremental_check"
        exe = Path(sys.executable).with_name("dumpcore")
        subprocess.run([str(exe), "restore", str(last), "-D", check, "-q", *conn_args[:4]], check=True)
        same = raw_equal(options, a.database, check, list(row_counts(n)))
        conn.execute(f"DROP DATABASE {quote_ident(check)}")
        out["restore_equal_to_source"] = same  # compared raw, row by row
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
