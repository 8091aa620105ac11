"""``restore --load-method``: chunks through LOAD DATA LOCAL INFILE instead of upserts.

The server parses an INSERT into one Item per value; LOAD DATA reads fields without
that cost. Each chunk's statements are read (and hashed) as the upsert path reads them,
their row tuples converted by the compiled encoder to LOAD DATA's text, and streamed to
the server from memory through libmariadb's local-infile callbacks: no file is staged.

Used only where it is exactly what the upserts would do: a table that was empty when
the restore began (``auto``, the default), in one transaction per chunk, under the same
session settings. LOAD DATA LOCAL turns data errors into warnings (the server cannot
stop the client's stream), so a chunk counts as loaded only with zero warnings,
exactly the chunk's row count and, with the proof on, the chunk's content in its key
range (fingerprint.py: MariaDB 10.11's LOAD DATA with a SET clause renumbers an
AUTO_INCREMENT value 0 without a warning); the hash is compared before COMMIT. Anything
else rolls the chunk back, and the upsert path loads it (and bisects and rejects, if it
must).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

from ..dump.chunks import (UPSERT_ROW_ALIAS, UPSERT_VALUES, chunk_statement_spans, statement_parts, statement_start,
                           strip_annotations)
from ..connect.connection import Connection, quote_ident, quote_string
from ..codec import COMPILED, KIND_HEX, load_text
from ..errors import DumpcoreError, UsageError
from ..verify.fingerprint import Mismatch
from ..store.hashing import chunk_hasher

AUTO, UPSERT, LOAD_DATA = "auto", "upsert", "load-data"
LOAD_METHODS = (AUTO, UPSERT, LOAD_DATA)


class LoadDataRefused(DumpcoreError):
    """A chunk LOAD DATA did not load exactly (warnings, row count, a row it cannot
    convert): rolled back, to be loaded by the upsert path."""


def load_statement(table: str, columns: list[dict]) -> str:
    """LOAD DATA LOCAL INFILE for ``columns`` (the manifest's), with its default field
    and line options spelled out; hex columns go through a variable and UNHEX."""
    targets, sets = [], []
    for i, c in enumerate(columns):
        if c["kind"] == KIND_HEX:
            targets.append(f"@dumpcore_{i}")
            sets.append(f"{quote_ident(c['name'])} = UNHEX(@dumpcore_{i})")
        else:
            targets.append(quote_ident(c["name"]))
    return (f"LOAD DATA LOCAL INFILE 'dumpcore-chunk' INTO TABLE {quote_ident(table)} CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES STARTING BY '' TERMINATED BY '\\n' "
            f"({', '.join(targets)})" + (f" SET {', '.join(sets)}" if sets else ""))


def available(conn: Connection) -> str | None:
    """Why LOAD DATA cannot be used on this server (None when it can)."""
    if not COMPILED:
        return "the compiled encoder is not built"
    if str(conn.scalar("SELECT @@GLOBAL.local_infile")) not in ("1", "ON"):
        return "the server has local_infile off"
    return None


def choose_methods(conn: Connection, database: str, tables: list[str], existing: set[str] | dict,
                   method: str) -> dict[str, str]:
    """The load method of each table: LOAD_DATA where ``method`` allows it, UPSERT else.
    ``auto`` takes LOAD_DATA only for tables empty now (before any chunk loads); a
    table this restore creates is empty. Call after the cleanup."""
    if method not in LOAD_METHODS:
        raise UsageError(f"--load-method must be one of {', '.join(LOAD_METHODS)}, got {method!r}")
    if method == UPSERT:
        return {t: UPSERT for t in tables}
    why = available(conn)
    if why:
        if method == LOAD_DATA:
            raise UsageError(f"--load-method load-data: {why}", hint="use --load-method upsert (or auto)")
        return {t: UPSERT for t in tables}
    if method == LOAD_DATA:
        return {t: LOAD_DATA for t in tables}
    out = {}
    for t in tables:
        empty = t not in existing or not conn.query(
            f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(t)} LIMIT 1")
        out[t] = LOAD_DATA if empty else UPSERT
    return out


def auto_increment_columns(conn: Connection, database: str, tables: list[str]) -> dict[str, str]:
    """The AUTO_INCREMENT column of each of ``tables`` that has one (the target's)."""
    if not tables:
        return {}
    rows = conn.query_text(
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
        f"{quote_string(database)} AND EXTRA LIKE '%auto_increment%'")
    wanted = set(tables)
    return {t: c for t, c in rows if t in wanted}


def takes(entry: dict, chunk: dict, auto_increment: str | None = None) -> bool:
    """Whether LOAD DATA can load this chunk exactly (else the upserts load it):
    - not rows with an ENUM error value (dumpcore.dump.enum_zero: INSERT ... SELECT forms),
    - not row versions (each statement sets system_versioning_insert_history for itself),
    - not a row whose AUTO_INCREMENT column holds 0 where a column goes through the SET
      clause (hex kinds): MariaDB 10.11's LOAD DATA then gives that row a new number, without
      a warning, whatever NO_AUTO_VALUE_ON_ZERO says. The chunk's key range tells where the
      column leads the primary key; else every chunk of such a table goes to the upserts."""
    if chunk.get("enum_zero") or entry.get("history"):
        return False
    if auto_increment is None or not any(c["kind"] == KIND_HEX for c in entry["columns"]):
        return True
    pk = entry.get("primary_key") or []
    first, last = chunk.get("key_first") or [], chunk.get("key_last") or []
    if not pk or pk[0] != auto_increment or not first or not last:
        return False
    try:
        return not int(first[0]) <= 0 <= int(last[0])
    except ValueError:
        return False


def _load_blocks(path: Path, head: bytes, ends: tuple[bytes, ...], kinds: bytes, hasher,
                 counted: list[int], start_at: bytes) -> Iterator[bytes]:
    # each statement where it was read (one reused buffer per chunk): no copy of it, nor of its rows
    for data, start, stop in chunk_statement_spans(path, hasher, start_at):
        if not data.startswith(head, start, stop):
            raise ValueError("statement does not insert the manifest's columns in order")
        # The upsert clause the dump writes, known in advance: no search through the rows
        end = next((stop - len(e) for e in ends if data.endswith(e, start, stop)), -1)
        if end < 0:
            end = data.find(b"\nON DUPLICATE KEY UPDATE ", start + len(head), stop)
        if end < 0:
            end = data.find(b"\nAS ", start + len(head), stop)
        with memoryview(data)[start + len(head): end if end >= 0 else stop] as body:
            try:
                text, rows = load_text(body, kinds)
            except ValueError:  # rows with --annotate comments (load_text takes nothing after a row's ')')
                text, rows = load_text(strip_annotations(bytes(body)), kinds)
        counted[0] += rows
        yield text


def load_rows(conn: Connection, path: str | os.PathLike, entry: dict, chunk: dict, hasher,
              table: str | None = None) -> None:
    """LOAD DATA of one chunk's rows into ``table`` (default: the entry's), inside the
    caller's transaction; ``hasher`` is fed every byte read. Raises LoadDataRefused when
    the server warned, the row count differs or a row cannot be converted."""
    columns = entry["columns"]
    names = [c["name"] for c in columns]
    head, _ = statement_parts(entry["name"], names, (), UPSERT_VALUES)
    key = entry.get("key") or []
    ends = tuple(statement_parts(entry["name"], names, key, form)[1][:-2] for form in (UPSERT_VALUES, UPSERT_ROW_ALIAS)
                 ) if key else ()
    kinds = bytes(c["kind"] for c in columns)
    counted = [0]
    try:
        affected, warnings = conn.load_local(load_statement(table or entry["name"], columns),
                                             _load_blocks(Path(path), head, ends, kinds, hasher, counted,
                                                          statement_start("", entry["name"])),
                                             context=f"LOAD DATA of {chunk['file']}")
    except ValueError as exc:
        raise LoadDataRefused(f"{chunk['file']}: cannot convert: {exc}") from None
    if warnings:
        first = conn.query_text("SHOW WARNINGS LIMIT 1")
        raise LoadDataRefused(f"{chunk['file']}: {warnings} warning(s)"
                              + (f", first: {first[0][1]} {first[0][2]}" if first else ""))
    if affected != chunk["rows"] or counted[0] != chunk["rows"]:
        raise LoadDataRefused(f"{chunk['file']}: loaded {affected} of {chunk['rows']} rows")


def load_chunk(conn: Connection, path: str | os.PathLike, entry: dict, chunk: dict,
               check_hash: Callable[[object, dict], None],
               prove: Callable[[Connection, dict, dict], Mismatch | None] | None = None) -> None:
    """Load one chunk in one transaction through LOAD DATA, committed only when exact.

    Raises LoadDataRefused (rolled back by the caller) when the server warned, the
    row count differs, a row cannot be converted or ``prove(conn, entry, chunk)`` finds
    the loaded content differs; ServerError as the server said it;
    ``check_hash(hasher, chunk)`` raises when the bytes read differ from the manifest."""
    hasher = chunk_hasher()
    conn.execute("START TRANSACTION")
    load_rows(conn, path, entry, chunk, hasher)
    check_hash(hasher, chunk)
    mismatch = prove(conn, entry, chunk) if prove is not None else None
    if mismatch is not None:
        raise LoadDataRefused(f"{chunk['file']}: the loaded content differs from the dump ({mismatch.detail})")
    conn.commit(f"COMMIT of {chunk['file']}")
