"""Which keys changed since a previous dump, read from the source's binary log
(``dump --since PREV --changes binlog``), in place of fingerprinting every key range.

The binary log between PREV's snapshot position and this dump's (both exact, manifest
``replication``) holds every committed change in between, if every change was logged in ROW
format. It is fetched with the server's own client (``mariadb-binlog --raw``) into the
partial dump directory and read here: each rows event of a table of the database gives the
key of each row image (codec ``binlog_row_keys``). A table no rows event names did not
change; a table that did changes only in the key ranges that hold those keys.

Trusted only as far as it can be checked; otherwise the dump fingerprints, and says why:
MariaDB, the binary log on and ROW, no binlog filters, PREV's position exact and its file
still on the server, the transactions read leading from PREV's GTID position to this dump's; in the log no
statement-format change anywhere and no statement that names the database (DDL), no
incident, compressed or unknown event, each event's CRC32 right. A table falls back alone
when its events cannot be read (its columns are not the table's, its key neither integers
nor strings). Integer keys are placed in PREV's ranges here, string keys by the server
(``changed_ranges_on_server``), in their collations.

What it cannot see: a change made with ``sql_log_bin = 0`` (a restore with --skip-binlog,
myloader's default) is not in the log. docs/dump.md says so; --changes binlog is asked for.
"""
from __future__ import annotations

import bisect
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from ..codec import binlog_row_keys
from ..connect.connection import ConnectionOptions, quote_ident
from ..records import field, record
from ..schema.keyrange import key_bound
from ..schema.schema import Table

EXACT_METHODS = ("backup_stage_block_commit", "binlog_snapshot_status")

# event types (MariaDB's log_event.h)
QUERY, STOP, ROTATE, INTVAR, RAND, USER_VAR, FORMAT_DESCRIPTION, XID = 2, 3, 4, 5, 13, 14, 15, 16
TABLE_MAP, INCIDENT, HEARTBEAT = 19, 26, 27
WRITE_V1, UPDATE_V1, DELETE_V1, WRITE_V2, UPDATE_V2, DELETE_V2 = 23, 24, 25, 30, 31, 32
ANNOTATE_ROWS, BINLOG_CHECKPOINT, GTID, GTID_LIST = 160, 161, 162, 163
ROWS = {WRITE_V1: False, DELETE_V1: False, UPDATE_V1: True, WRITE_V2: False, DELETE_V2: False, UPDATE_V2: True}
# nothing to read in these: transaction bounds, positions, and a statement's context (which the
# statement itself, a QUERY event, answers for)
PASSIVE = {STOP, ROTATE, INTVAR, RAND, USER_VAR, FORMAT_DESCRIPTION, XID, HEARTBEAT, ANNOTATE_ROWS,
           BINLOG_CHECKPOINT, GTID, GTID_LIST}
HEADER = 19

# statements in a QUERY event that change no table: transaction control
_QUIET = (b"BEGIN", b"COMMIT", b"ROLLBACK", b"SAVEPOINT", b"RELEASE SAVEPOINT", b"XA ")
# statements that change rows: in the log as text, the binlog format was not ROW for them
_ROW_CHANGING = (b"INSERT", b"UPDATE", b"DELETE", b"REPLACE", b"LOAD", b"CALL", b"SELECT", b"DO ", b"WITH",
                 b"HANDLER", b"EXECUTE")

# integer key columns: their data type and size in a row image, and their binlog type code
_INTEGERS = {"tinyint": (1, 1), "smallint": (2, 2), "mediumint": (3, 9), "int": (4, 3), "bigint": (8, 8)}
_STRINGS = ("char", "varchar", "binary", "varbinary")  # string key columns, read as their bytes
_FIXED = {1: 1, 2: 2, 3: 4, 8: 8, 9: 3, 6: 0, 13: 1, 10: 3, 14: 3, 11: 3, 7: 4, 12: 8}
_DIG2BYTES = (0, 1, 1, 2, 2, 3, 3, 4, 4, 4)


class Untrusted(Exception):
    """Why the binary log cannot tell what changed (the dump fingerprints instead)."""


@record
class BinlogChanges:
    """What the binary log says changed since PREV, per table of the dump."""
    start: str  # FILE:POS, PREV's snapshot
    end: str  # FILE:POS, this dump's
    bytes: int = 0  # of binary log read
    keys: dict[str, list[tuple]] = field(default_factory=dict)  # table -> the key of every row image
    touched: set[str] = field(default_factory=set)  # tables with a rows event (keyless ones too)
    unread: dict[str, str] = field(default_factory=dict)  # table -> why its events cannot be read

    def to_dict(self) -> dict:
        return {"from": self.start, "to": self.end, "bytes": self.bytes, "tables_changed": len(self.touched),
                "fingerprinted": dict(self.unread)}


def usable(conn, prev: dict | None, now: dict | None) -> None:
    """Raise Untrusted unless the binary log between ``prev`` and ``now`` (manifest
    ``replication`` entries) can be read for changes on this server."""
    if conn.flavour != "mariadb":
        raise Untrusted("the binary log is read on MariaDB only")
    for which, rep in (("PREV", prev), ("this dump", now)):
        if not rep or not rep.get("binlog"):
            raise Untrusted(f"{which} has no binary log position ({(rep or {}).get('reason') or 'not recorded'})")
        if rep.get("method") not in EXACT_METHODS:
            raise Untrusted(f"{which}'s binary log position is not exact ({rep.get('method')})")
        if not rep.get("gtid"):
            raise Untrusted(f"{which} has no GTID position (the log read cannot be checked against it)")
    fmt = (conn.variable("binlog_format") or "").upper()
    if fmt != "ROW":
        raise Untrusted(f"binlog_format is {fmt}, not ROW: changes may be logged as statements")
    status = conn.query_text("SHOW MASTER STATUS")
    if status and any(status[0][2:4]):
        raise Untrusted("the server filters its binary log (binlog_do_db / binlog_ignore_db)")


def fetch(options: ConnectionOptions, logs: list[str], start: dict, into: Path) -> list[Path]:
    """The binary log files from ``start``'s to the last, as the server has them (raw)."""
    program = shutil.which("mariadb-binlog") or shutil.which("mysqlbinlog")
    if program is None:
        raise Untrusted("mariadb-binlog is not installed (Debian: mariadb-client)")
    into.mkdir(mode=0o700)
    # the connection's options first (a --defaults-file must lead), then the fetch's own
    cmd = options.client_command(program) + ["--read-from-remote-server", "--raw", "--to-last-log",
                                             f"--start-position={int(start['position'])}", f"--result-file={into}/",
                                             start["file"]]
    done = subprocess.run(cmd, env=options.client_env(), stdin=subprocess.DEVNULL, capture_output=True)
    if done.returncode != 0:
        why = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise Untrusted(f"the binary log could not be read: {why}")
    names = logs[logs.index(start["file"]):]
    return [into / n for n in names if (into / n).is_file()]


def column_sizes(types: bytes, meta: bytes) -> tuple[int, ...]:
    """Each column's size in a row image (codec binlog_row_keys' ``sizes``), from a
    table map's column types and metadata; Untrusted for a type not read here."""
    sizes = []
    m = 0
    for t in types:
        if t in _FIXED:
            sizes.append(_FIXED[t])
        elif t in (4, 5):  # FLOAT, DOUBLE: its size
            sizes.append(meta[m])
            m += 1
        elif t in (252, 255, 245, 249, 250, 251):  # blobs, GEOMETRY, JSON: the length's bytes
            sizes.append(-meta[m])
            m += 1
        elif t in (15, 253):  # VARCHAR: its largest length
            sizes.append(-1 if meta[m] | meta[m + 1] << 8 < 256 else -2)
            m += 2
        elif t == 16:  # BIT: bits % 8, whole bytes
            sizes.append(meta[m + 1] + (1 if meta[m] else 0))
            m += 2
        elif t == 246:  # DECIMAL: precision, scale
            p, s = meta[m], meta[m + 1]
            sizes.append(4 * ((p - s) // 9) + _DIG2BYTES[(p - s) % 9] + 4 * (s // 9) + _DIG2BYTES[s % 9])
            m += 2
        elif t in (254, 247, 248):  # CHAR, ENUM, SET: the real type, then a length
            real, length = meta[m], meta[m + 1]
            if real & 0x30 != 0x30:
                length |= ((real & 0x30) ^ 0x30) << 4
                real |= 0x30
            sizes.append(length if real in (247, 248) else (-1 if length < 256 else -2))
            m += 2
        elif t in (17, 18, 19):  # TIMESTAMP2, DATETIME2, TIME2: fractional digits
            sizes.append({17: 4, 18: 5, 19: 3}[t] + (meta[m] + 1) // 2)
            m += 1
        else:
            raise Untrusted(f"a column of binlog type {t}, not read here")
    if m != len(meta):
        raise Untrusted("a table map's metadata is not its columns'")
    return tuple(sizes)


def _packed(buf, p: int) -> tuple[int, int]:
    """A length-encoded integer at ``p``: (value, next position)."""
    first = buf[p]
    if first < 251:
        return first, p + 1
    width = {252: 2, 253: 3, 254: 8}[first]
    return int.from_bytes(buf[p + 1:p + 1 + width], "little"), p + 1 + width


@record
class _TableReader:
    """How to read one table's rows events: its columns' sizes and its key's columns."""
    name: str
    sizes: tuple[int, ...] = ()
    keys: tuple[int, ...] = ()
    signed: tuple[bool | None, ...] = ()  # per key column: an integer signed or not; None: its bytes


def key_reader(table: Table, types: bytes, meta: bytes) -> _TableReader:
    """The reader of a table's rows events given its table map; Untrusted when the map is
    not the table's, or a key column is neither an integer nor a string."""
    if len(types) != len(table.columns):
        raise Untrusted(f"its binary log rows have {len(types)} columns, the table {len(table.columns)}")
    if not table.primary_key:
        return _TableReader(table.name, column_sizes(types, meta))
    names = [c.name for c in table.columns]
    sizes = column_sizes(types, meta)
    keys: list[int] = []
    signed: list[bool | None] = []
    for k in table.primary_key:
        col = table.column(k)
        i = names.index(k)
        dtype = col.data_type.lower()
        if dtype in _INTEGERS:
            if types[i] != _INTEGERS[dtype][1]:
                raise Untrusted(f"its key column `{k}` has binlog type {types[i]}, not {col.data_type}'s")
            signed.append("unsigned" not in col.column_type.lower())
        elif dtype in _STRINGS:
            if types[i] not in (15, 253, 254) or sizes[i] >= 0:
                raise Untrusted(f"its key column `{k}` has binlog type {types[i]}, not {col.data_type}'s")
            signed.append(None)  # its bytes, compared by the server (changed_ranges_on_server)
        else:
            raise Untrusted(f"its key column `{k}` is {col.data_type}: keys are read from the binary log "
                            "when they are integers or strings")
        keys.append(i)
    return _TableReader(table.name, sizes, tuple(keys), tuple(signed))


def read_changes(files: list[Path], database: str, tables: dict[str, Table], start: dict, end: dict,
                 out: BinlogChanges, gtids: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """The keys each rows event of ``database``'s ``tables`` changed, from ``start`` up to
    ``end`` (FILE/POSITION dicts) in ``files``, into ``out``; Untrusted when the log cannot
    be trusted. Returns ``gtids`` (the GTID position at ``start``) moved on by every
    transaction read: the position at ``end`` when the log is the one PREV saw."""
    reader = _EventReader(database.encode(), tables, out, gtids)
    for path in files:
        data = path.read_bytes()
        if data[:4] != b"\xfebin":
            raise Untrusted(f"{path.name}: not a binary log file")
        last = path.name == end["file"]
        p = 4
        while p + HEADER <= len(data):
            etype, size, log_pos = data[p + 4], *struct.unpack_from("<II", data, p + 9)
            if size < HEADER or p + size > len(data):
                raise Untrusted(f"{path.name}: an event cut short at byte {p}")
            if last and log_pos > end["position"]:
                return gtids
            reader.event(data, p, p + size, etype, f"{path.name}:{log_pos - size}")
            p += size
        if last:
            return gtids
    raise Untrusted(f"the binary log ended before this dump's position {end['file']}:{end['position']}")


class _EventReader:
    """Reads events one by one, with what earlier events set: the format description's
    post-header lengths and checksum, the table maps."""

    def __init__(self, db: bytes, tables: dict[str, Table], out: BinlogChanges, gtids: dict[int, tuple[int, int]]):
        self.db, self.tables, self.out, self.gtids = db, tables, out, gtids
        # the database's name as a whole name in a statement (not `app` in `app_copy`)
        self.named = re.compile(rb"(?<![\w$])" + re.escape(db) + rb"(?![\w$])", re.I)
        self.readers: dict[int, _TableReader | None] = {}  # table id -> reader (None: not ours)
        self.post_header = b""
        self.checksum = False

    def event(self, data: bytes, p: int, body_end: int, etype: int, where: str) -> None:
        """The event at ``p`` (``where``: FILE:POS) up to ``body_end``."""
        if etype == FORMAT_DESCRIPTION:
            # after the post-header lengths: the checksum algorithm (1: CRC32) and 4 bytes
            self.post_header = data[p + HEADER + 57:body_end - 5]
            self.checksum = data[body_end - 5] == 1
            return
        if self.checksum:
            if zlib.crc32(data[p:body_end - 4]) != struct.unpack_from("<I", data, body_end - 4)[0]:
                raise Untrusted(f"the event at {where} fails its CRC32")
            body_end -= 4
        b = p + HEADER
        if etype == GTID:
            self.gtids[int.from_bytes(data[b + 8:b + 12], "little")] = (
                int.from_bytes(data[p + 5:p + 9], "little"), int.from_bytes(data[b:b + 8], "little"))
        elif etype in PASSIVE:
            pass
        elif etype == QUERY:
            self.query(data, b, body_end, where)
        elif etype == TABLE_MAP:
            self.table_map(data, b)
        elif etype in ROWS:
            self.rows(data, b, body_end, etype, where)
        elif etype == INCIDENT:
            raise Untrusted(f"an incident event at {where}: the log may miss changes")
        else:
            raise Untrusted(f"an event of type {etype} at {where}, not read here (compressed or encrypted "
                            "binary log?)")

    def query(self, data: bytes, b: int, body_end: int, where: str) -> None:
        """A statement in the log: Untrusted when it changes rows (not ROW format) or names
        the database (DDL on it) or runs in it."""
        schema_len = data[b + 8]
        status_len = int.from_bytes(data[b + 11:b + 13], "little")
        s = b + self.post_header[QUERY - 1] + status_len
        schema = data[s:s + schema_len]
        text = data[s + schema_len + 1:body_end]
        head = text.lstrip().upper()
        if head.startswith(_QUIET):
            return
        shown = text[:60].decode("utf-8", "replace").replace("\n", " ")
        if head.startswith(_ROW_CHANGING):
            raise Untrusted(f"a change logged as a statement at {where} ({shown!r}): not ROW format for it")
        if schema == self.db or self.named.search(text):
            raise Untrusted(f"a statement on the database at {where} ({shown!r})")

    def table_map(self, data: bytes, b: int) -> None:
        tid = int.from_bytes(data[b:b + 6], "little")
        q = b + self.post_header[TABLE_MAP - 1]
        schema = data[q + 1:q + 1 + data[q]]
        q += 2 + data[q]
        name = data[q + 1:q + 1 + data[q]].decode("utf-8", "surrogateescape")
        q += 2 + data[q]
        if schema != self.db or name not in self.tables:
            self.readers[tid] = None
            return
        ncols, q = _packed(data, q)
        types = data[q:q + ncols]
        mlen, q = _packed(data, q + ncols)
        try:
            self.readers[tid] = key_reader(self.tables[name], types, data[q:q + mlen])
        except Untrusted as why:
            self.out.unread.setdefault(name, str(why))
            self.readers[tid] = _TableReader(name)  # touched, keys unknown

    def rows(self, data: bytes, b: int, body_end: int, etype: int, where: str) -> None:
        tid = int.from_bytes(data[b:b + 6], "little")
        if tid not in self.readers:
            raise Untrusted(f"a rows event at {where} without its table map")
        reader = self.readers[tid]
        if reader is None:
            return
        out = self.out
        out.touched.add(reader.name)
        if reader.name in out.unread or not reader.keys:
            return
        q = b + self.post_header[etype - 1]
        if etype >= WRITE_V2:  # the v2 post header ends in extra data's length (counting itself)
            q += int.from_bytes(data[q - 2:q], "little") - 2
        ncols, q = _packed(data, q)
        width = (ncols + 7) // 8
        present = data[q:q + width]
        q += width
        after = None
        if ROWS[etype]:
            after = data[q:q + width]
            q += width
        try:
            images = binlog_row_keys(data, q, body_end, reader.sizes, present, after, reader.keys, reader.signed)
        except ValueError as exc:
            out.unread[reader.name] = f"its rows event at {where} cannot be read ({exc})"
            return
        _collect(out, reader.name, images, after is not None)


def _collect(out: BinlogChanges, name: str, images: list[tuple], update: bool) -> None:
    keys = out.keys.setdefault(name, [])
    if not update:
        for key in images:
            if None in key:
                out.unread[name] = "a row image without its key (binlog_row_image?)"
                return
        keys += images
        return
    for i in range(0, len(images), 2):
        before, after = images[i], images[i + 1]
        if None in before:
            out.unread[name] = "a row image without its key (binlog_row_image?)"
            return
        keys.append(before)
        if after != before:  # MINIMAL: an after image holds the key's columns only when they changed
            keys.append(tuple(b if a is None else a for a, b in zip(after, before)))


def changed_ranges(keys: list[tuple], uppers: list[tuple[int, ...]]) -> set[int]:
    """The indexes of the ranges (upper bounds inclusive, ascending; past the last: its
    length) that hold any of ``keys``."""
    return {bisect.bisect_left(uppers, k) for k in keys}


KEYS_TABLE = "dumpcore_binlog_keys"


def changed_ranges_on_server(conn, database: str, table: Table, keys: list[tuple], uppers: list[list[str]]) -> set[int]:
    """changed_ranges for a key with string columns: the server compares, in the key
    columns' own collations. The keys go into a temporary table of the session made like
    the key (``CREATE ... SELECT``: the same types and collations); then, for each upper
    bound (SQL literals, PREV's manifest), how many keys lie at or below it."""
    t = quote_ident(KEYS_TABLE)
    pk = list(table.primary_key)
    cols = ", ".join(quote_ident(k) for k in pk)
    charsets = [table.column(k).charset or "binary" for k in pk]
    conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {t}")
    conn.execute(f"CREATE TEMPORARY TABLE {t} (PRIMARY KEY ({cols})) "
                 + ("ENGINE=Aria TRANSACTIONAL=0 " if conn.flavour == "mariadb" else "")
                 + f"SELECT {cols} FROM {quote_ident(database)}.{quote_ident(table.name)} LIMIT 0",
                 context=f"--changes binlog: the changed keys of `{table.name}`")
    try:
        def literal(v, cs: str) -> str:
            return str(v) if isinstance(v, int) else f"_{cs} X'{v.hex()}'"
        for i in range(0, len(keys), 1000):  # equal under the collation: one row (IGNORE)
            conn.execute(f"INSERT IGNORE INTO {t} ({cols}) VALUES " + ",".join(
                "(" + ",".join(literal(v, cs) for v, cs in zip(key, charsets)) + ")" for key in keys[i:i + 1000]))
        counts: list[int] = []
        for i in range(0, len(uppers), 100):
            counts += [int(n) for n in conn.query_text("SELECT " + ", ".join(
                f"(SELECT COUNT(*) FROM {t} WHERE {key_bound(pk, upper, '<=')})" for upper in uppers[i:i + 100]))[0]]
        total = int(conn.scalar(f"SELECT COUNT(*) FROM {t}"))
    finally:
        conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {t}")
    changed = {i for i, n in enumerate(counts) if n > (counts[i - 1] if i else 0)}
    if total > (counts[-1] if counts else 0):
        changed.add(len(uppers))
    return changed


def read_binlog(options: ConnectionOptions, conn, database: str, tables: dict[str, Table], prev: dict | None,
                now: dict | None, work: Path) -> BinlogChanges:
    """What changed in ``tables`` between PREV's snapshot and this dump's; Untrusted when
    the binary log cannot say. ``work``: a directory for the fetched log (removed after)."""
    usable(conn, prev, now)
    start, end = prev["binlog"], now["binlog"]  # type: ignore[index]
    logs = [r[0] for r in conn.query_text("SHOW BINARY LOGS")]
    if start["file"] not in logs:
        raise Untrusted(f"PREV's binary log {start['file']} is no longer on the server (purged)")
    out = BinlogChanges(f"{start['file']}:{start['position']}", f"{end['file']}:{end['position']}")
    try:
        files = fetch(options, logs, start, work)
        out.bytes = sum(f.stat().st_size for f in files)
        gtids = read_changes(files, database, tables, start, end, out, gtid_state(prev["gtid"]))  # type: ignore[index]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if gtids != gtid_state(now["gtid"]):  # type: ignore[index]
        raise Untrusted(f"the binary log from PREV's position does not lead to this dump's GTID position "
                        f"({now['gtid']}): PREV was dumped from another server, or the log was reset")  # type: ignore[index]
    return out


def gtid_state(text: str) -> dict[int, tuple[int, int]]:
    """A MariaDB GTID position (``D-S-N,...``) as domain -> (server id, sequence number)."""
    state = {}
    for part in text.replace(" ", "").split(","):
        if part:
            domain, server, seq = (int(x) for x in part.split("-"))
            state[domain] = (server, seq)
    return state


__all__ = ["BinlogChanges", "Untrusted", "changed_ranges", "changed_ranges_on_server", "read_binlog", "column_sizes",
           "key_reader"]
