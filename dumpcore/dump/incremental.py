"""Incremental dumps (``dump -o NEW --since PREV``): only the key ranges that changed since
PREV are read and written; the result is a complete dump, which restores alone.

For each table whose key and columns are PREV's, PREV's chunk ranges are kept (the range a
chunk owns: verify/diff.py ``owned_ranges``). In the dump's snapshot, the server computes
each range's content fingerprint (verify/fingerprint.py) and it is compared with PREV's
chunk: the same, the chunk file is hard-linked (copied across file systems) under its new
name with its manifest entry; else the range is dumped anew (one chunk or more, the last
keeping PREV's boundary as its ``range_last``, so the next dump keeps the same ranges).
Keys past PREV's last boundary form new chunks. A table without a key is compared whole:
unchanged, its chunks are linked; else it is dumped whole. So is a table whose key,
columns or statement form changed, or new since PREV; the summary says which and why.

A reused chunk keeps its hash: ``verify NEW`` checks it as any other chunk.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from ..connect.connection import ConnectionOptions
from ..errors import DumpIntegrityError, ServerError
from ..records import field, record
from ..store.manifest import Manifest, read_manifest
from ..schema.keyrange import range_condition
from ..verify.diff import owned_ranges, range_key
from ..verify.fingerprint import dumped_fingerprint, live_column_types, live_fingerprint
from ..verify import binlog_changes
from .chunks import ChunkInfo, ChunkSink, TableResult, chunk_file_name
from .enum_zero import enum_columns, find_for_dump


@record
class IncrementalReport:
    """What ``--since`` reused: per table, chunks linked from PREV and chunks dumped anew;
    tables dumped whole, with why."""
    since: str
    reused_chunks: int = 0
    reused_bytes: int = 0
    dumped_chunks: int = 0
    ranges_changed: int = 0
    whole: dict[str, str] = field(default_factory=dict)  # table -> why it was dumped whole
    changes: str = "fingerprints"  # how changed ranges were found: "fingerprints" or "binlog"
    binlog: dict | None = None  # --changes binlog: what was read (BinlogChanges.to_dict), or why not
    fingerprinted: dict[str, str] = field(default_factory=dict)  # --changes binlog: tables it could not tell, why

    def to_dict(self) -> dict:
        return {"since": self.since, "reused_chunks": self.reused_chunks, "reused_bytes": self.reused_bytes,
                "dumped_chunks": self.dumped_chunks, "ranges_changed": self.ranges_changed, "whole": self.whole,
                "changes": self.changes, **({"binlog": self.binlog} if self.binlog is not None else {}),
                **({"fingerprinted": self.fingerprinted} if self.fingerprinted else {})}


def read_previous(since: str | os.PathLike) -> Manifest:
    """PREV's manifest, checked (a damaged one is refused: its chunks would be carried)."""
    return read_manifest(since)


def since_entry(prev: Manifest, report: IncrementalReport) -> dict:
    """The manifest's ``since``: which dump the ranges and reused chunks came from, and how
    the changed ranges were found."""
    return {"directory": str(Path(prev.directory).resolve()), "snapshot_at": prev.data.get("snapshot_at"),
            "manifest_xxh3_128": prev.data.get("manifest_xxh3_128"), "changes": report.changes,
            **({"binlog": report.binlog} if report.binlog is not None else {}),
            **({"fingerprinted": report.fingerprinted} if report.fingerprinted else {})}


def _column_shape(entry: dict) -> list[tuple]:
    return [(c["name"], c["type"], c["kind"], c.get("charset"), c.get("collation")) for c in entry["columns"]]


NO_KEY = "no primary key"


def why_whole(prev: Manifest, prev_entry: dict | None, entry: dict, same_form: str | None) -> str | None:
    """Why a table cannot reuse PREV's ranges (dumped whole), or None when it can.
    ``entry``: the table's manifest entry as this dump writes it (without chunks)."""
    if same_form:
        return same_form
    if prev_entry is None:
        return "not in PREV"
    if entry.get("history"):
        return "dumped with its history"
    if _column_shape(prev_entry) != _column_shape(entry):
        return "its columns changed"
    if prev_entry.get("row_hash") != entry.get("row_hash"):
        return "PREV's fingerprints are of another kind (an older format)"
    if not entry["primary_key"]:
        return NO_KEY
    if prev_entry.get("primary_key") != entry["primary_key"]:
        return "its key is not PREV's"
    if not range_key(prev_entry):
        return "PREV recorded no key ranges"
    return None


def form_differs(prev: Manifest, where: str | None, upsert_form: str, compression: dict) -> str | None:
    """Why no chunk of PREV can be reused at all, or None."""
    if (prev.data.get("options") or {}).get("where") != where:
        return "--where is not PREV's"
    if prev.data.get("upsert_form") != upsert_form:
        return "the statement form is not PREV's (another server)"
    if prev.data.get("compression") != compression:
        return "--compress is not PREV's"
    return None


def _link(src: Path, dst: Path, size: int) -> None:
    """PREV's chunk under its new name: a hard link, or a copy across file systems."""
    if not src.is_file() or src.stat().st_size != size:
        raise DumpIntegrityError(f"{src}: missing, or not the size PREV's manifest says ({size:,} bytes)",
                                 hint=f"check PREV with `dumpcore verify {src.parent.parent}`, or dump without --since")
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _reused(chunk: dict, file: str, seq: int, table: str) -> ChunkInfo:
    info = ChunkInfo(file, table, seq, chunk["rows"], chunk["bytes"], chunk["xxh3_128"], int(chunk["fingerprint"], 16),
                     chunk.get("key_first"), chunk.get("key_last"), chunk.get("max_statement_bytes", 0),
                     chunk.get("uncompressed_bytes"), chunk.get("uncompressed_xxh3_128"),
                     bool(chunk.get("enum_zero")),
                     int(chunk["generated_fingerprint"], 16) if chunk.get("generated_fingerprint") else None)
    info.range_last = chunk.get("range_last")
    return info


def fingerprint_all(conns: list, database: str, tasks: list[tuple]) -> list[tuple[int, int]]:
    """(rows, fingerprint) of each task ``(entry, where, condition, live_types)``, computed by
    the server on every connection at once (each in the dump's snapshot)."""
    out: list[tuple[int, int] | None] = [None] * len(tasks)
    todo = iter(range(len(tasks)))
    lock = threading.Lock()

    def work(conn) -> None:
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            entry, where, cond, live = tasks[i]
            out[i] = live_fingerprint(conn, database, entry, where, cond, live)

    if len(conns) == 1:
        work(conns[0])
    else:
        with ThreadPoolExecutor(max_workers=len(conns), thread_name_prefix="since") as pool:
            for f in [pool.submit(work, c) for c in conns]:
                f.result()
    return out  # type: ignore[return-value]


def plan_table(p, name: str, prev_entry: dict, where: str | None) -> tuple[list[tuple], list[tuple]]:
    """PREV's ranges of a table, as (lower, upper, chunk, condition), and the fingerprint
    tasks of those that have a chunk (fingerprint_all)."""
    pk = range_key(prev_entry)
    live = live_column_types(p.conn, p.schema.database, name)
    ranges = [(lower, upper, chunk, range_condition(pk, lower, upper))
              for lower, upper, chunk in owned_ranges(prev_entry)]
    return ranges, [(prev_entry, where, cond, live) for _, _, chunk, cond in ranges if chunk is not None]


def unchanged(ranges: list[tuple], live: list[tuple[int, int]]) -> list[bool]:
    """Whether each range with a chunk is as PREV dumped it, given their live fingerprints."""
    return [fp == (chunk["rows"], int(chunk["fingerprint"], 16))
            for (_, _, chunk, _), fp in zip([r for r in ranges if r[2] is not None], live)]


def unchanged_by_binlog(p, name: str, ranges: list[tuple], keys: list[tuple]) -> list[bool]:
    """Whether each range with a chunk holds none of the changed ``keys`` (from the binary
    log): integers compared here, a key with strings by the server (in its collations).
    Untrusted when that cannot be told."""
    uppers = [upper for _, upper, _, _ in ranges if upper is not None]
    if not keys:
        changed: set[int] = set()
    elif all(isinstance(v, int) for v in keys[0]):
        try:
            changed = binlog_changes.changed_ranges(keys, [tuple(int(v) for v in u) for u in uppers])
        except ValueError:
            raise binlog_changes.Untrusted("PREV's key bounds are not integers") from None
    else:
        try:
            changed = binlog_changes.changed_ranges_on_server(p.conn, p.schema.database, p.schema.tables[name],
                                                              keys, uppers)
        except ServerError as exc:
            raise binlog_changes.Untrusted(f"its keys could not be placed in ranges: {exc.one_line()}") from None
    return [k not in changed for k, (_, _, chunk, _) in enumerate(ranges) if chunk is not None]


def dump_table_since(p, name: str, ranges: list[tuple], same: list[bool], sink: ChunkSink, opts,
                     progress, dump_table: Callable, report: IncrementalReport) -> tuple[TableResult, list[tuple]]:
    """One table by PREV's ranges, given whether each range with a chunk is unchanged (in
    range order): (the result so far, its pieces: ("reuse", chunk) or ("new",
    TableResult)), renamed into place by ``assemble`` once the sink has written every new chunk."""
    pieces: list[tuple] = []
    enc = chunk_file_name(name, 0).rsplit(".", 2)[0]
    t0 = time.monotonic()
    if progress:
        progress.table_started(name)
    verdicts = iter(same)
    for k, (lower, upper, chunk, cond) in enumerate(ranges):
        if chunk is not None:
            if next(verdicts):
                pieces.append(("reuse", chunk))
                if progress:
                    progress.advance(name, chunk["rows"], chunk["bytes"])
                continue
            report.ranges_changed += 1
        namer = (lambda seq, k=k: f"data/{enc}.since{k:05d}.{seq:05d}.sql{sink.suffix}")
        res = dump_table(p, name, sink, opts, progress, None, cond, namer, whole_table=False)
        if res.chunks and upper is not None:
            res.chunks[-1].range_last = list(upper)  # the range PREV's chunk owned stays one range
        if res.chunks and chunk is None:
            report.ranges_changed += 1  # keys past PREV's last boundary
        pieces.append(("new", res))
    return TableResult(name, started=t0), pieces


def assemble(result: TableResult, pieces: list[tuple], prev: Manifest, root: Path, suffix: str,
             report: IncrementalReport) -> TableResult:
    """The table's chunks in key order, each under its final name (data/TABLE.NNNNN.sql)."""
    seq = 0
    for kind, piece in pieces:
        if kind == "reuse":
            seq += 1
            final = f"data/{chunk_file_name(result.table, seq, suffix)}"
            _link(Path(prev.directory) / piece["file"], root / final, piece["bytes"])
            result.chunks.append(_reused(piece, final, seq, result.table))
            report.reused_chunks += 1
            report.reused_bytes += piece["bytes"]
            continue
        for chunk in piece.chunks:
            seq += 1
            final = f"data/{chunk_file_name(result.table, seq, suffix)}"
            os.replace(root / chunk.file, root / final)
            chunk.file, chunk.seq = final, seq
            result.chunks.append(chunk)
            report.dumped_chunks += 1
    result.rows = sum(c.rows for c in result.chunks)
    result.bytes = sum(c.bytes for c in result.chunks)
    result.seconds = time.monotonic() - result.started
    return result


def from_binlog(p, options: ConnectionOptions, prev: Manifest, root: Path, report: IncrementalReport, warnings: list[str]):
    """--changes binlog: what the binary log says changed (binlog_changes.BinlogChanges), or
    None, said in a warning and the report, when it cannot say (every range is fingerprinted)."""
    tables = {name: p.schema.tables[name] for name in p.tables}
    try:
        changes = binlog_changes.read_binlog(options, p.conn, p.schema.database, tables,
                                             prev.data.get("replication"), p.replication, root / ".binlog")
    except binlog_changes.Untrusted as why:
        report.binlog = {"unused": str(why)}
        warnings.append(f"--changes binlog: the binary log is not used, every key range is fingerprinted: {why}")
        return None
    report.changes = "binlog"
    report.binlog = changes.to_dict()
    return changes


def find_enum_zero(p, prev: Manifest, verdicts: dict[str, tuple], where: str | None) -> None:
    """``p.enum_zero`` (enum_zero.py) for what is read anew only: a table dumped whole, else
    the ranges dumped anew; and a table some reused chunk of which holds an error value."""
    for name, verdict in verdicts.items():
        table = p.schema.tables[name]
        cols = enum_columns(table)
        if not cols:
            continue
        look, cond = verdict[0] == "whole", where
        if verdict[0] == "ranges":
            same = iter(verdict[2])
            anew = [c for _, _, chunk, c in verdict[1] if chunk is None or not next(same)]
            look = bool(anew)
            ranges = " OR ".join(f"({c})" for c in anew if c) or "1"
            cond = f"({where}) AND ({ranges})" if where else ranges
        if look and find_for_dump(p.conn, p.schema.database, [table], cond, p.warnings):
            p.enum_zero[name] = cols
        elif verdict[0] != "whole" and any(c.get("enum_zero") for c in prev.table(name)["chunks"]):  # type: ignore[index]
            p.enum_zero[name] = cols


def dump_since(p, root: Path, sink, opts, progress, prev: Manifest, dump_table: Callable,
               entry_of: Callable[[str], dict], compression: dict,
               options: ConnectionOptions) -> tuple[dict[str, TableResult], IncrementalReport]:
    """Every table of the dump, by PREV's ranges where it can (``why_whole``), else whole.
    What changed: from the binary log (--changes binlog, for the tables it can tell), else
    the fingerprints, on every connection of the snapshot at once; then the changed ranges
    and the tables dumped whole, on the snapshot's own connection."""
    report = IncrementalReport(str(prev.directory))
    form = form_differs(prev, opts.where, p.upsert_form, compression)
    database = p.schema.database
    binlog = from_binlog(p, options, prev, root, report, p.warnings) if opts.changes == "binlog" and form is None \
        else None
    # table -> ("whole", why) | ("keyless", task index | unchanged) | ("ranges", ranges, first task, count | unchanged)
    kinds: dict[str, tuple] = {}
    tasks: list[tuple] = []
    for name in p.tables:
        if p.objects and name in p.objects.no_data:
            continue
        prev_entry = prev.table(name)
        why = why_whole(prev, prev_entry, entry_of(name), form)
        told = binlog is not None and why in (None, NO_KEY) and name not in binlog.unread
        if why == NO_KEY and told:
            kinds[name] = ("keyless", name not in binlog.touched)  # type: ignore[union-attr]
        elif why == NO_KEY:  # compared whole: unchanged, its chunks are PREV's
            kinds[name] = ("keyless", len(tasks))
            tasks.append((prev_entry, opts.where, None, live_column_types(p.conn, database, name)))
        elif why is not None:
            kinds[name] = ("whole", why)
        else:
            ranges, own = plan_table(p, name, prev_entry, opts.where)  # type: ignore[arg-type]
            same = None
            if told:
                try:
                    same = unchanged_by_binlog(p, name, ranges, binlog.keys.get(name, []))  # type: ignore[union-attr]
                except binlog_changes.Untrusted as untold:
                    binlog.unread[name] = str(untold)  # type: ignore[union-attr]
            if same is not None:
                kinds[name] = ("ranges", ranges, same)
            else:
                kinds[name] = ("ranges", ranges, len(tasks), len(own))
                tasks += own
    if binlog is not None:
        report.fingerprinted = {t: why for t, why in binlog.unread.items() if t in kinds}
    conns = p.pool.conns if p.pool is not None else [p.conn]
    live = fingerprint_all(conns, database, tasks)
    verdicts: dict[str, tuple] = {}  # table -> ("whole", why) | ("reuse",) | ("ranges", ranges, unchanged)
    for name, kind in kinds.items():
        prev_entry = prev.table(name)
        if kind[0] == "keyless":
            same = kind[1] if isinstance(kind[1], bool) else live[kind[1]] == dumped_fingerprint(prev_entry["chunks"])  # type: ignore[index]
            verdicts[name] = ("reuse",) if same else ("whole", NO_KEY)
        elif kind[0] == "whole":
            verdicts[name] = kind
        else:
            verdicts[name] = ("ranges", kind[1], kind[2] if len(kind) == 3 else
                              unchanged(kind[1], live[kind[2]:kind[2] + kind[3]]))
    find_enum_zero(p, prev, verdicts, opts.where)
    results: dict[str, TableResult] = {}
    pending: list[tuple[TableResult, list[tuple]]] = []
    for name, verdict in verdicts.items():
        if verdict[0] == "reuse":
            pending.append((TableResult(name, started=time.monotonic()),
                            [("reuse", c) for c in prev.table(name)["chunks"]]))  # type: ignore[index]
        elif verdict[0] == "whole":
            results[name] = dump_table(p, name, sink, opts, progress)
            report.whole[name] = verdict[1]
            report.dumped_chunks += len(results[name].chunks)
        else:
            pending.append(dump_table_since(p, name, verdict[1], verdict[2], sink, opts, progress, dump_table, report))
    sink.drain()  # every new chunk on disk before it is renamed
    for result, pieces in pending:
        results[result.table] = assemble(result, pieces, prev, root, sink.suffix, report)
        if progress:
            progress.table_done(results[result.table])
    return results, report


__all__ = ["IncrementalReport", "dump_since", "read_previous", "since_entry"]
