"""Loading a dumped table into a target table of another shape (``--into-current-schema``).

A table whose rows the dump's own INSERTs cannot load (renamed, a column renamed or
left out, a column set by ``--set``, a narrowed type: schema/diff.py: TableMap.staged) loads
each chunk in one transaction through a temporary staging table of the dumped shape:

1. the chunk's statements, their head pointed at the staging table, fill it, or LOAD DATA
   does (``--load-method``: load_data.load_rows, with its checks); its ``dumpcore_row``
   numbers the rows in chunk order;
2. narrowed columns: every row is copied into a probe table of the target's types (INSERT
   IGNORE: a value that does not fit is clipped or rounded there, never in the target),
   and a row whose value read back is not the dumped one goes to the rejects file with
   the reason, and out of the staging table;
3. one INSERT ... SELECT by column name, under the load's strict sql_mode, moves the rows
   into the target (an upsert where the target has a key), ``--set`` expressions computed
   per row over the dumped row's columns; if the server refuses it, the chunk is rolled
   back and loaded again row by row (UNIQUE_CHECKS on), rows it refuses going to the rejects;
4. the proof (dumpcore.verify.shared_columns): the chunk's key range in the target over the
   shared columns, against the chunk's rows over those columns (without the rejected ones).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..connect.connection import Connection, quote_ident
from ..dump.chunks import UPSERT_VALUES, iter_chunk_statements, statement_parts, statement_prefix, statement_start
from ..codec import KIND_HEX, KIND_NUMBER
from ..errors import RestoreError, ServerError, UsageError
from ..records import record
from ..schema.schema import Table
from ..schema.typecheck import as_dumped
from ..store.hashing import chunk_hasher
from ..verify.fingerprint import Mismatch
from ..verify.shared_columns import chunk_rows, restricted_fingerprint, without_rows
from ..schema.diff import SchemaDiff, TableMap
from .load_data import LoadDataRefused, load_rows

ROW = "dumpcore_row"
_TEMPORAL = {"date", "datetime", "timestamp", "time", "year"}


@record
class StagedTable:
    """The SQL that loads one dumped table's chunks into its target table (module docstring)."""
    tmap: TableMap
    dumped: dict  # the dumped table's manifest entry
    stage: str
    create_stage: str
    head_from: bytes  # the chunk statements' INSERT head, and what it becomes
    head_to: bytes
    transfer: str  # {where} is filled with a row condition ("" for all)
    positions: list[int]  # the shared columns' positions in the dumped rows
    probe: str = ""
    create_probe: str = ""
    fill_probe: str = ""
    check_probe: str = ""
    narrowed_names: tuple[str, ...] = ()


def _column_sql(c: dict) -> str:
    text = f"{quote_ident(c['name'])} {c['type']}"
    if c.get("charset") and c["charset"] != "binary" and not c["type"].lower().startswith("json"):
        text += f" CHARACTER SET {c['charset']}" + (f" COLLATE {c['collation']}" if c.get("collation") else "")
    return text + " NULL"


def _same_value(d: dict, dumped_type: str, live_type: str, stage: str, probe: str, tcol: str) -> str:
    """A condition true when the probe's copy of a value equals the dumped one."""
    s = f"{quote_ident(stage)}.{quote_ident(d['name'])}"
    p = f"{quote_ident(probe)}.{quote_ident(tcol)}"
    base = dumped_type.split("(")[0].split()[0].lower()
    if d["kind"] == KIND_HEX:
        return f"(CAST({p} AS BINARY) <=> CAST({s} AS BINARY))"
    if d["kind"] == KIND_NUMBER or base in _TEMPORAL:
        return f"({as_dumped(p, dumped_type, live_type)} <=> {s})"
    return (f"(CONVERT({p} USING utf8mb4) COLLATE utf8mb4_nopad_bin <=> "
            f"CONVERT({s} USING utf8mb4) COLLATE utf8mb4_nopad_bin)")


def staged_table(entry: dict, tmap: TableMap, live: Table, index: int) -> StagedTable:
    """The staging SQL of one table (``index`` makes its temporary tables' names unique)."""
    stage, probe = f"dumpcore_stage_{index}", f"dumpcore_probe_{index}"
    cols = entry["columns"]
    create = (f"CREATE TEMPORARY TABLE {quote_ident(stage)} ({quote_ident(ROW)} BIGINT NOT NULL AUTO_INCREMENT "
              f"PRIMARY KEY, " + ", ".join(_column_sql(c) for c in cols) + ") ENGINE=InnoDB")
    names = [c["name"] for c in cols]
    head_from = statement_parts(entry["name"], names, (), UPSERT_VALUES, statement_prefix(entry))[0]
    head_to = statement_parts(stage, names, (), UPSERT_VALUES)[0]
    shared = [c for c in names if c in tmap.columns]
    targets = [tmap.columns[c] for c in shared] + list(tmap.sets)
    exprs = [quote_ident(c) for c in shared] + [f"({e})" for e in tmap.sets.values()]
    key = set(live.upsert_key)
    update = [t for t in targets if t not in key]
    transfer = (f"INSERT INTO {quote_ident(tmap.target)} ({', '.join(quote_ident(t) for t in targets)}) "
                f"SELECT {', '.join(exprs)} FROM {quote_ident(stage)}{{where}} ORDER BY {quote_ident(ROW)}")
    if key and update:
        transfer += " ON DUPLICATE KEY UPDATE " + ", ".join(f"{quote_ident(t)} = VALUES({quote_ident(t)})"
                                                            for t in update)
    st = StagedTable(tmap, entry, stage, create, head_from, head_to, transfer,
                     [names.index(c) for c in shared])
    if tmap.narrowed:
        by_target = {t: d for d, t in tmap.columns.items()}
        live_cols = {c.name: c for c in live.columns}
        narrowed = list(tmap.narrowed)
        pcols = []
        for t in narrowed:
            lc = live_cols[t]
            text = f"{quote_ident(t)} {lc.column_type or lc.data_type}"
            if lc.charset and lc.charset != "binary" and lc.data_type not in ("json",):
                text += f" CHARACTER SET {lc.charset}" + (f" COLLATE {lc.collation}" if lc.collation else "")
            pcols.append(text + ("" if lc.nullable else " NOT NULL"))
        st.probe = probe
        st.create_probe = (f"CREATE TEMPORARY TABLE {quote_ident(probe)} ({quote_ident(ROW)} BIGINT NOT NULL "
                           f"PRIMARY KEY, {', '.join(pcols)}) ENGINE=InnoDB")
        st.fill_probe = (f"INSERT IGNORE INTO {quote_ident(probe)} ({quote_ident(ROW)}, "
                         f"{', '.join(quote_ident(t) for t in narrowed)}) SELECT {quote_ident(ROW)}, "
                         f"{', '.join(quote_ident(by_target[t]) for t in narrowed)} FROM {quote_ident(stage)}")
        dumped_cols = {c["name"]: c for c in cols}
        same = [_same_value(dumped_cols[by_target[t]], *tmap.narrowed[t], stage, probe, t) for t in narrowed]
        st.check_probe = (f"SELECT {quote_ident(stage)}.{quote_ident(ROW)}, {', '.join(f'NOT {s}' for s in same)} "
                          f"FROM {quote_ident(stage)} JOIN {quote_ident(probe)} USING ({quote_ident(ROW)}) WHERE "
                          + " OR ".join(f"NOT {s}" for s in same))
        st.narrowed_names = tuple(narrowed)
    return st


def mapped_entries(entries: list[dict], diff: SchemaDiff, live: dict[str, Table],
                   directory: Path) -> list[dict]:
    """The manifest entries as the restore loads them into the target: a table that loads
    by the staging path gets its target's name, its shared columns under the target's
    names (the dumped types: what the proof reads them as), its key as the target sees it,
    each chunk's fingerprint over the shared columns (read from the chunk, unless every
    dumped column is shared, in its place: then the dump's own), and
    ``staged``, its StagedTable. Other tables keep their entries."""
    out = []
    for i, e in enumerate(entries):
        tmap = diff.maps.get(e["name"])
        if tmap is None or not tmap.staged:
            out.append(e)
            continue
        st = staged_table(e, tmap, live[tmap.target], i)
        columns = [{**c, "name": tmap.columns[c["name"]]} for c in e["columns"] if c["name"] in tmap.columns]
        pk = e.get("primary_key") or []
        chunks = []
        every = st.positions == list(range(len(e["columns"])))  # the same row tuples: the dump's fingerprints hold
        for c in ([] if every else e["chunks"]):
            rows, fp = restricted_fingerprint(directory / c["file"], e, st.positions)
            if rows != c["rows"]:
                raise RestoreError(f"{c['file']}: holds {rows} rows, the manifest says {c['rows']}")
            chunks.append({**c, "fingerprint": f"{fp:016x}"})
        target = live[tmap.target]
        out.append({**e, "name": tmap.target, "columns": columns, "chunks": e["chunks"] if every else chunks,
                    "primary_key": [tmap.columns[k] for k in pk] if all(k in tmap.columns for k in pk) else [],
                    "key": list(target.upsert_key), "idempotent": bool(target.upsert_key),
                    "parents": [], "staged": st, "dumped_name": e["name"],
                    # what stored generated columns held on the source is not compared: the
                    # target computes its own, under its own names and expressions
                    "stored_generated": []})
        for c in e.get("stored_generated") or []:
            tmap.not_compared.setdefault(c, "stored generated: the target computes it")
    return out


def check_staged(conn: Connection, entries: list[dict]) -> None:
    """Before any write: each staged table's staging table can be made and its ``--set``
    expressions read from it (a misspelt column is a UsageError naming the option, not a
    failure after the cleanup). ``conn`` is on the target database."""
    for e in entries:
        st: StagedTable | None = e.get("staged")
        if st is None:
            continue
        conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {quote_ident(st.stage)}")
        try:
            conn.execute(st.create_stage, context=f"the staging table of `{st.tmap.dumped}`")
            for column, expr in st.tmap.sets.items():
                try:
                    conn.query(f"SELECT ({expr}) FROM {quote_ident(st.stage)} LIMIT 0")
                except ServerError as exc:
                    raise UsageError(f"--set {st.tmap.target}.{column}={expr}: {exc.server_message}",
                                     hint=f"the expression reads the dumped row of `{st.tmap.dumped}` by its "
                                          "columns' dumped names") from None
        finally:
            conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {quote_ident(st.stage)}")


def _rejected_rows(path: Path, entry: dict, numbers: list[int]) -> dict[int, bytes]:
    wanted = set(numbers)
    return {n: row for n, row in enumerate(chunk_rows(path, entry), 1) if n in wanted}


def load_staged_chunk(conn: Connection, path: Path, entry: dict, chunk: dict, careful: bool,
                      check_hash: Callable[[object, dict], None],
                      prove: Callable[[Connection, dict, dict], Mismatch | None],
                      load_data: bool = False) -> list[tuple[int, str, bytes]]:
    """Load one chunk of a staged table in one transaction (the module docstring's steps)
    and COMMIT it; the rejected rows as (errno, reason, statement). ``load_data``: the
    staging table is filled by LOAD DATA (load_data.load_rows; LoadDataRefused when it is
    not exact: the caller rolls back and loads by the statements). Raises ServerError (the
    caller rolls back; ``careful`` loads row by row), RestoreError on a proof failure."""
    st: StagedTable = entry["staged"]
    dumped = st.dumped
    for table, create in ((st.stage, st.create_stage), (st.probe, st.create_probe)):
        if table:
            conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {quote_ident(table)}")
            conn.execute(create)  # AUTO_INCREMENT starts at 1: dumpcore_row is the row's place in the chunk
    if careful:
        conn.execute("SET SESSION UNIQUE_CHECKS = 1")
    rejected: list[tuple[int, str, bytes]] = []
    reasons: dict[int, tuple[int, str]] = {}
    try:
        conn.execute("START TRANSACTION")
        hasher = chunk_hasher()
        if load_data:
            load_rows(conn, path, dumped, chunk, hasher, table=st.stage)
        else:
            for stmt in iter_chunk_statements(path, hasher, statement_start(statement_prefix(dumped), dumped["name"])):
                if not stmt.startswith(st.head_from):
                    raise RestoreError(f"{chunk['file']}: a statement does not insert the manifest's columns in "
                                       "order", hint="restore this table without --into-current-schema")
                conn.execute(st.head_to + stmt[len(st.head_from):], context="loading")
        check_hash(hasher, chunk)
        if st.probe:
            conn.execute(st.fill_probe, context="checking narrowed columns")
            for row in conn.query_text(st.check_probe):
                bad = [st.narrowed_names[i] for i, flag in enumerate(row[1:]) if str(flag) == "1"]
                n = int(row[0])
                t = st.tmap.narrowed
                reasons[n] = (0, "does not fit exactly: " + "; ".join(
                    f"column `{c}` {t[c][0]} -> {t[c][1]}" for c in bad))
            if reasons:
                conn.execute(f"DELETE FROM {quote_ident(st.stage)} WHERE {quote_ident(ROW)} IN "
                             f"({', '.join(str(n) for n in reasons)})")
        if not careful:
            conn.execute(st.transfer.format(where=""), context=f"loading `{entry['name']}` by column name")
        else:
            for (n,) in conn.query_text(f"SELECT {quote_ident(ROW)} FROM {quote_ident(st.stage)} "
                                        f"ORDER BY {quote_ident(ROW)}"):
                try:
                    conn.execute(st.transfer.format(where=f" WHERE {quote_ident(ROW)} = {int(n)}"),
                                 context="loading")
                except ServerError as exc:
                    if exc.errno in (1205, 1213, 2006, 2013):
                        raise
                    reasons[int(n)] = (exc.errno, exc.server_message)
        if reasons:
            rows = _rejected_rows(path, dumped, sorted(reasons))
            names = [c["name"] for c in dumped["columns"]]
            head = statement_parts(dumped["name"], names, (), UPSERT_VALUES)[0]
            rejected = [(reasons[n][0], reasons[n][1], head + rows[n]) for n in sorted(reasons)]
            chunk = without_rows(chunk, [rows[n] for n in sorted(reasons)], st.positions, dumped)
        mismatch = prove(conn, entry, chunk)
        if mismatch is not None and load_data:  # as for LOAD DATA into the table: the statements load it again
            raise LoadDataRefused(f"{chunk['file']}: the loaded content differs from the dump ({mismatch.detail})")
        if mismatch is not None:
            raise RestoreError(f"the restored content differs from the dump over the shared columns: {mismatch}; "
                               "that chunk was rolled back",
                               hint="restore into an empty database, or with --no-verify to load without the proof")
        conn.execute(f"DELETE FROM {quote_ident(st.stage)}")
        conn.commit(f"COMMIT of {chunk['file']}")
    finally:
        if careful:
            try:
                conn.execute("SET SESSION UNIQUE_CHECKS = 0")
            except ServerError:
                pass
    return rejected
