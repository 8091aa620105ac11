"""``dumpcore verify``: a dump against its hashes, or a live database against a dump.

- A dump directory: every chunk (and every other file the manifest lists) is hashed
  again and compared; missing, extra, truncated and corrupt files are named. The hash
  of a compressed chunk covers its bytes as stored; ``decompress`` also decompresses
  each one and checks its uncompressed size and hash.
- A ``--stdout`` stream file: each chunk's bytes are hashed up to the comment line that
  follows it; a stream without its end marker is truncated.
- ``--against``: the live tables are streamed through the same encoder and their row
  counts and content fingerprints compared with the manifest; where the table has a
  primary key, chunk by chunk over the chunk's key range.
"""
from __future__ import annotations

import mmap
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote

from ..dump.chunks import STREAM_CHUNK_PREFIX, STREAM_END, STREAM_TABLE_PREFIX, parse_stream_table_marker
from ..store.compression import decompressed_digest, is_zstd_stream, manifest_compression
from ..connect.connection import Connection, ConnectionOptions, quote_ident
from .fingerprint import chunk_condition, dumped_fingerprint, live_fingerprint
from ..dump.subset import KeySets
from ..errors import DumpIntegrityError, RestoreError, SchemaError
from ..schema.schema import load_schema
from ..store.hashing import chunk_hasher, hash_file
from ..store.manifest import MANIFEST_NAME, Manifest, read_manifest
from ..records import field, record

# chunks a pre-flight (and `verify`) checks at once: one per processor, up to 4
CHECK_THREADS = min(4, os.cpu_count() or 1)
STREAM_HEAD = b"-- dumpcore "  # the first bytes of every stream from `dump --stdout` and `cat`
TRAILER_RE = re.compile(rb"^" + re.escape(STREAM_CHUNK_PREFIX) + rb"table=(\S+) seq=(\d+) rows=(\d+) bytes=(\d+) "
                        rb"xxh3_128=([0-9a-f]+) fingerprint=([0-9a-f]+)\r?$", re.M)
MARKER_RE = re.compile(rb"^(?:" + re.escape(STREAM_TABLE_PREFIX) + rb"[^\n]*|" + re.escape(STREAM_CHUNK_PREFIX)
                       + rb"[^\n]*|" + re.escape(STREAM_END.rstrip(b"\n")) + rb")\n", re.M)


@record
class Problem:
    kind: str  # missing | extra | truncated | corrupt | manifest | stream
    file: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.file}: {self.detail}"


def manifest_problem(exc: DumpIntegrityError) -> Problem:
    """The manifest could not be read: a Problem naming it once (the error's text starts with
    its path, which the Problem already names)."""
    text = exc.one_line()
    head, sep, rest = text.partition(": ")
    if sep and (head == MANIFEST_NAME or head.endswith("/" + MANIFEST_NAME)):
        text = rest
    return Problem("manifest", MANIFEST_NAME, text)


@record
class VerifyReport:
    """A dump's files checked against its manifest: `ok`, or each missing, extra, truncated or corrupt file."""
    path: str
    chunks: int = 0  # chunks checked: a missing one is a problem, not counted here
    bytes: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    manifest: Manifest | None = None  # the manifest a directory was checked against

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"path": self.path, "ok": self.ok, "chunks": self.chunks, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "mb_per_second": round(self.bytes / self.seconds / 1e6, 1)
                if self.seconds > 0 else None, "problems": [p.__dict__ for p in self.problems]}


def check_file(root: Path, rel: str, size: int, digest: str,
               read: Callable[[Path], str | None] | None = None) -> Problem | None:
    """``read(path)``: the file's XXH3-128 from a reader that also checks something else in
    the same pass (None: it did not read it, so it is hashed here)."""
    path = root / rel
    if not path.is_file():
        return Problem("missing", rel, "listed in the manifest but not on disk")
    actual_size = path.stat().st_size
    if actual_size < size:
        return Problem("truncated", rel, f"{actual_size} bytes, the manifest says {size}")
    actual = read(path) if read is not None else None
    if actual is None:
        actual, _ = hash_file(path)
    if actual_size != size or actual != digest:
        return Problem("corrupt", rel, f"xxh3_128 {actual} ({actual_size} bytes), the manifest says {digest} ({size} bytes)")
    return None


def check_decompressed(root: Path, chunk: dict) -> Problem | None:
    """A compressed chunk whose stored bytes matched: does it decompress to the SQL the
    manifest describes?"""
    try:
        size, digest = decompressed_digest(root / chunk["file"])
    except DumpIntegrityError as exc:
        return Problem("corrupt", chunk["file"], exc.one_line())
    if size != chunk["uncompressed_bytes"] or digest != chunk["uncompressed_xxh3_128"]:
        return Problem("corrupt", chunk["file"], f"decompresses to {size} bytes with xxh3_128 {digest}, the manifest "
                       f"says {chunk['uncompressed_bytes']} with {chunk['uncompressed_xxh3_128']}")
    return None


ChunkReader = Callable[[Manifest, dict, dict, Path], "str | None"]


def verify_directory(directory: str | Path, decompress: bool = False,
                     read_chunk: ChunkReader | None = None, tables: list[str] | None = None) -> VerifyReport:
    """Every file against the manifest. ``read_chunk(manifest, table entry, chunk, path)``
    hashes a chunk while checking more in the same read (chunk_check.StatementCheck).
    ``tables``: check the chunks of these tables only (a restore of some tables)."""
    t0 = time.monotonic()
    directory = Path(directory)
    report = VerifyReport(str(directory))
    try:
        m = read_manifest(directory)
    except DumpIntegrityError as exc:
        report.problems.append(manifest_problem(exc))
        report.seconds = time.monotonic() - t0
        return report
    report.manifest = m
    try:
        manifest_compression(m.data)
    except DumpIntegrityError as exc:
        report.problems.append(manifest_problem(exc))
    listed = {chunk["file"] for _, chunk in m.chunks()}
    todo = [(entry, chunk) for entry, chunk in m.chunks() if not tables or entry["name"] in tables]

    def check(item: tuple[dict, dict]) -> tuple[Problem | None, Problem | None]:
        """(the chunk file's problem, its decompressed content's)"""
        entry, chunk = item
        read = None if read_chunk is None else (lambda path: read_chunk(m, entry, chunk, path))
        problem = check_file(directory, chunk["file"], chunk["bytes"], chunk["xxh3_128"], read)
        if problem is None and decompress and "uncompressed_bytes" in chunk:
            return None, check_decompressed(directory, chunk)
        return problem, None

    # the reads, hashes and pattern counts release the GIL: chunks are checked side by side,
    # their problems reported in the manifest's order
    with ThreadPoolExecutor(max(1, min(CHECK_THREADS, len(todo)))) as pool:
        checked = list(pool.map(check, todo))
    for (_, chunk), (problem, content) in zip(todo, checked):
        if problem is None or problem.kind != "missing":  # counted: the chunks found, and their bytes as found
            report.chunks += 1
            report.bytes += chunk["bytes"] if problem is None else (directory / chunk["file"]).stat().st_size
        problem = problem or content
        if problem:
            report.problems.append(problem)
    for other in m.data.get("other_files", []):
        problem = check_file(directory, other["file"], other["bytes"], other["xxh3_128"])
        if problem:
            report.problems.append(problem)
    data_dir = directory / "data"
    if data_dir.is_dir():
        for f in sorted(data_dir.iterdir()):
            rel = f"data/{f.name}"
            if rel not in listed:
                report.problems.append(Problem("extra", rel, "on disk but not in the manifest"))
    report.seconds = time.monotonic() - t0
    return report


def verify_stream_file(path: str | Path) -> VerifyReport:
    """Check a stream written by ``dump --stdout`` or ``cat``: every chunk against the
    comment line after it, and the end marker."""
    t0 = time.monotonic()
    path = Path(path)
    report = VerifyReport(str(path))
    size = path.stat().st_size
    if size == 0:
        report.problems.append(Problem("truncated", path.name, "empty stream"))
        return report
    if is_zstd_stream(path):
        report.problems.append(Problem("stream", path.name, "zstd-compressed: verify the SQL in it, "
                                       f"e.g. zstdcat {path.name} > {path.stem} && dumpcore verify {path.stem}"))
        return report
    if not is_dumpcore_stream(path):
        raise DumpIntegrityError(f"{path}: not a dumpcore dump (it does not start with the '-- dumpcore' header)",
                                 hint="verify checks a dump directory, or a stream from `dumpcore dump --stdout` "
                                 "or `dumpcore cat`")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = None
        table_marker = None  # the last table marker line
        ended = False
        for marker in MARKER_RE.finditer(mm):
            line = marker.group(0)
            if line.startswith(STREAM_TABLE_PREFIX) or not line.startswith(STREAM_CHUNK_PREFIX):
                _unchecked_rows(report, path.name, mm, start, marker.start(), table_marker)
            if line.startswith(STREAM_TABLE_PREFIX):
                start = marker.end()
                table_marker = line
            elif line.startswith(STREAM_CHUNK_PREFIX):
                m = TRAILER_RE.match(line.rstrip(b"\n"))
                if m is None or start is None:
                    report.problems.append(Problem("stream", path.name, f"malformed chunk comment at byte {marker.start()}"))
                    start = marker.end()
                    continue
                table, seq = unquote(m.group(1).decode()), int(m.group(2))
                name = f"{table} chunk {seq}"
                data = mm[start:marker.start()]
                report.chunks += 1
                report.bytes += len(data)
                h = chunk_hasher()
                h.update(data)
                want_bytes, want_hash = int(m.group(4)), m.group(5).decode()
                if len(data) != want_bytes or h.hexdigest() != want_hash:
                    report.problems.append(Problem("corrupt", name, f"{len(data)} bytes with xxh3_128 {h.hexdigest()}, "
                                                   f"its comment says {want_bytes} bytes with {want_hash}"))
                start = marker.end()
            else:
                ended = marker.end() == size
        if not ended:
            report.problems.append(Problem("truncated", path.name, "the stream ends before its '-- dumpcore-end' line"))
    report.seconds = time.monotonic() - t0
    return report


def _unchecked_rows(report: VerifyReport, name: str, mm, start: int | None, end: int,
                    table_marker: bytes | None) -> None:
    """After a table's last chunk comment, up to the next table or the end, no comment
    covers the bytes (the database's triggers and views, the next database's schema may be
    there): the table's rows must not be, or they would load unchecked (a chunk comment
    cut out)."""
    if start is None or table_marker is None:
        return
    rest = mm[start:end]
    table = parse_stream_table_marker(table_marker) or "?"
    head = b"INSERT INTO " + quote_ident(table).encode()
    if head in rest:
        report.problems.append(Problem("stream", name, f"table `{table}`: {len(rest):,} bytes of SQL after its "
                                       "last chunk comment, which no comment covers (a chunk comment was cut out?)"))


def require_intact(directory: str | Path, read_chunk: ChunkReader | None = None,
                   tables: list[str] | None = None) -> Manifest:
    """The dump's manifest, once every chunk (of ``tables`` when given) and file matched it;
    otherwise DumpIntegrityError naming the problems (callers check before writing anything)."""
    report = verify_directory(directory, read_chunk=read_chunk, tables=tables)
    if not report.ok:
        shown = "; ".join(str(p) for p in report.problems[:10])
        more = f" (+{len(report.problems) - 10} more)" if len(report.problems) > 10 else ""
        raise DumpIntegrityError(f"{directory} failed verification, nothing was written: {shown}{more}")
    return report.manifest  # type: ignore[return-value]


def is_dumpcore_stream(path: str | Path) -> bool:
    """Whether a file starts as every stream of `dump --stdout` and `cat` starts."""
    with open(path, "rb") as f:
        return f.read(len(STREAM_HEAD)) == STREAM_HEAD


def refuse_stream_file(path: Path) -> None:
    """A restore needs a dump directory: a file given instead is named for what it is."""
    if not path.is_file():
        return
    if is_dumpcore_stream(path) or is_zstd_stream(path):
        raise RestoreError(f"{path}: this is a stream (from `dumpcore dump --stdout`), not a dump directory",
                           hint=f"pipe it to mariadb (`mariadb DB < {path.name}`) or use cat "
                           f"(`cat {path.name} | mariadb DB`)")
    raise RestoreError(f"{path}: not a dump directory (a file, and not a dumpcore stream)",
                       hint="give the directory written by `dumpcore dump -o DIR`")


def verify_path(path: str | Path, decompress: bool = False) -> VerifyReport:
    """Check a dump directory, or a stream file written by ``dump --stdout`` or ``cat``,
    against its hashes (``decompress``: also every compressed chunk's SQL)."""
    path = Path(path)
    if path.is_dir():
        return verify_directory(path, decompress)
    if path.is_file():
        return verify_stream_file(path)
    raise DumpIntegrityError(f"{path}: no such dump directory or stream file")


# ---------------------------------------------------------------------------
# Live tables against the manifest


@record
class TableDifference:
    table: str
    detail: str

    def __str__(self) -> str:
        return f"table `{self.table}`: {self.detail}"


@record
class AgainstReport:
    """A live database compared with a dump (`verify --against`): `ok`, or the tables and key ranges that differ."""
    database: str
    tables: int = 0
    rows: int = 0
    seconds: float = 0.0
    differences: list[TableDifference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the comparison was made (a subset's rows, ...)

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict:
        return {"database": self.database, "ok": self.ok, "tables": self.tables, "rows": self.rows,
                "seconds": round(self.seconds, 3), "differences": [d.__dict__ for d in self.differences],
                "notes": list(self.notes)}


def verify_against(directory: str | Path, options: ConnectionOptions, database: str | None = None,
                   tables: Iterable[str] | None = None) -> AgainstReport:
    """Compare the live ``database`` (default: the dumped one) with the dump's manifest."""
    m = read_manifest(directory)
    database = database or m.database
    where = m.data.get("options", {}).get("where")
    chosen = set(tables) if tables else None
    report = AgainstReport(database)
    t0 = time.monotonic()
    with options.connect() as conn:
        if not conn.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '%s'"
                          % database.replace("\\", "\\\\").replace("'", "''")):
            raise SchemaError(f"database `{database}` does not exist on {options.describe()}",
                              hint="restore the dump first, or name the database to compare with --against")
        conn.execute("SET SESSION time_zone = '+00:00', net_write_timeout = 3600")
        conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        live_tables = {r[0] for r in conn.query_text(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
            f"'{database.replace(chr(39), chr(39) * 2)}'")}
        keysets = None
        if m.data.get("subset"):  # the same closure, taken again on the live rows, in this snapshot
            keysets = KeySets.from_manifest(load_schema(conn, database, with_ddl=False), m.data["subset"])
            keysets.build(conn)
            report.notes.append(f"a subset dump: compared with the rows its roots and follow rule "
                                f"({keysets.spec.follow}) take from `{database}` now")
        if m.data.get("masked"):
            columns = sum(len(e["masked"]["columns"]) for e in m.tables if e.get("masked"))
            report.notes.append(f"a masked dump: its {columns} masked column(s) are not compared, the other "
                                "columns are")
        for entry in m.tables:
            name = entry["name"]
            if chosen is not None and name not in chosen:
                continue
            report.tables += 1
            if name not in live_tables:
                report.differences.append(TableDifference(name, f"missing from `{database}`"))
                continue
            if entry.get("rows_not_dumped"):  # MERGE, FEDERATED, ...: its rows are another table's
                continue
            _compare_table(conn, database, entry, keysets.condition(name) if keysets and name in keysets.counts
                           else where, report)
        conn.execute("COMMIT")
    report.seconds = time.monotonic() - t0
    return report


def _compare_unmasked(conn: Connection, database: str, entry: dict, where: str | None,
                      report: AgainstReport) -> None:
    """A table of a masked dump: its unmasked columns, against the fingerprint the dump took of them."""
    masked = entry["masked"]
    plain = dict(entry, columns=[c for c in entry["columns"] if c["name"] not in masked["columns"]])
    want = (masked["unmasked_rows"], int(masked["unmasked_fingerprint"], 16))
    if plain["columns"]:
        live = live_fingerprint(conn, database, plain, where)
    else:  # every column masked: the rows are counted
        live = (int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(database)}.{quote_ident(entry['name'])}"
                                + (f" WHERE ({where})" if where else ""))), 0)
        want = (want[0], 0)
    report.rows += live[0]
    if live != want:
        detail = (f"{live[0]} rows live, {want[0]} in the dump" if live[0] != want[0] else
                  f"{live[0]} rows on both sides but the contents of their unmasked columns differ")
        report.differences.append(TableDifference(entry["name"], detail))


def _compare_table(conn: Connection, database: str, entry: dict, where: str | None, report: AgainstReport) -> None:
    name = entry["name"]
    if entry.get("masked"):
        _compare_unmasked(conn, database, entry, where, report)
        return
    want_rows, want_fp = dumped_fingerprint(entry["chunks"])
    rows, fp = live_fingerprint(conn, database, entry, where)
    report.rows += rows
    if rows == want_rows and fp == want_fp:
        return
    detail = f"{rows} rows live, {want_rows} in the dump" if rows != want_rows else \
        f"{rows} rows on both sides but their contents differ"
    ranges = []
    in_ranges = 0
    conditions = [chunk_condition(entry, c) for c in entry["chunks"]]
    if conditions and None not in conditions:
        for c, cond in zip(entry["chunks"], conditions):
            n, f = live_fingerprint(conn, database, entry, where, cond)
            in_ranges += n
            if n != c["rows"] or f != int(c["fingerprint"], 16):
                ranges.append(f"{c['file']} (keys {','.join(c['key_first'])}..{','.join(c['key_last'])}: "
                              f"{n} rows live, {c['rows']} dumped)")
        outside = rows - in_ranges
        if outside:
            ranges.append(f"{outside} live row(s) outside every dumped key range")
    if ranges:
        detail += "; differs in " + "; ".join(ranges)
    report.differences.append(TableDifference(name, detail))
