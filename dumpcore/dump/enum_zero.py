"""ENUM columns holding the error value (index 0, shown as ''), restored exactly under a strict sql_mode.

Under a non-strict sql_mode the server stores a value that is not a member of an ENUM
(``''`` in ``ENUM('a','b')``) as index 0, the error value. Every load runs strict
(scripts.LOAD_SQL_MODE), and no literal in a VALUES list stores index 0 there: ``''`` and
``0`` are both refused with error 1265. A non-strict load would take them, and with them
a bad value of any other column without a word. What the server does not check is an
ENUM field copied from a field of the same type, so a row holding index 0 is written as

    DROP TEMPORARY TABLE IF EXISTS `dumpcore_enum_zero`;            -- once per chunk, before
    CREATE TEMPORARY TABLE `dumpcore_enum_zero` SELECT `e1` AS `e0`, `e2` AS `e1` FROM `t` LIMIT 0;
    SET STATEMENT sql_mode='NO_ENGINE_SUBSTITUTION' FOR INSERT INTO `dumpcore_enum_zero` VALUES (0,0);
    INSERT INTO `t` (`id`,`e1`,`e2`,`c`) SELECT
    1,`dumpcore_enum_zero`.`e0`,'b','text' FROM `dumpcore_enum_zero`
    ON DUPLICATE KEY UPDATE ...;                                    -- each such row

The only values stored non-strictly are those zeros, into the session's own temporary
table; every other value of the row is an ordinary literal, checked as strictly as in any
other statement. The rows stay in their chunk, in key order, and the chunk's fingerprint
counts them as the server shows them (''). Index 0 is told apart from a '' member by the
server (``col = 0``), so ``ENUM('','a')`` keeps both.

Where no ENUM column of a table has a '' member, the text the server sends tells index 0
apart by itself: it is the only value shown as ''. On MariaDB such a table with a primary
key is read as any other, the compiled encoder watching its ENUM columns (``watch_positions``):
a row showing '' there stops the rows before it is taken, and the rest of the read, from
that row's key on, is read again with the flags (``dump._dump_table``). The rows before it
are written as they came; no extra read is made for them. At xl, the extra read this saves
was a second scan of `orders`: 0.8 s of the server's 12 s.

Otherwise (an ENUM with a '' member, no primary key, a masked or annotated table) finding
these rows costs one extra read (``LIMIT 1``: it stops at the first). On MariaDB each read
of a table with ENUM columns, a whole table or one key range of it on a worker, makes it
just before it reads: of its own rows, on its own connection, in the dump's snapshot. No
table is scanned before the first row is read, the workers share the looks, and the read
that follows finds the pages in the buffer pool. System-versioned tables dumped with their
history, and every table on MySQL, are looked in up front as before. Only a read whose
rows hold one is then made with a flag per ENUM column, as row tuples, through
``EnumZeroWriter``; each chunk says whether it holds such rows.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .chunks import UPSERT_VALUES, BatchSource, ChunkWriter, key_literals, statement_parts
from ..connect.connection import Connection, quote_ident
from ..codec import encode_rows, encode_value
from ..codec.reference import MASK64
from ..schema.keyrange import SPLITTABLE_TYPES
from ..schema.schema import Table
from ..schema.sqltext import validate
from ..schema.typecheck import enum_members

TEMP_TABLE = "dumpcore_enum_zero"
# Only zeros are inserted under it, into TEMP_TABLE: nothing else is ever loaded non-strictly.
ZERO_SQL_MODE = "NO_ENGINE_SUBSTITUTION"
# how its statements begin (not the SET STATEMENT of a history INSERT: chunks.HISTORY_PREFIX)
SETUP_HEADS = tuple(f"{word} {quote_ident(TEMP_TABLE)}".encode() for word in (
    "DROP TEMPORARY TABLE IF EXISTS", "CREATE TEMPORARY TABLE", f"SET STATEMENT sql_mode='{ZERO_SQL_MODE}' FOR INSERT INTO"))


def enum_columns(table: Table) -> list[str]:
    """The table's stored ENUM columns, in column order."""
    return [c.name for c in table.stored_columns if c.data_type.lower() == "enum"]


def watch_positions(table: Table, columns: Sequence[str], key_positions: Sequence[int]) -> tuple[int, ...]:
    """Where the read's rows (``columns``, the key at ``key_positions``) can show an error
    value by itself: the positions of the table's ENUM columns when none has a '' member
    and the primary key is read whole, each of its columns of a type whose literal bounds
    the rest of the read exactly (keyrange.SPLITTABLE_TYPES); else () (look first)."""
    cols = enum_columns(table)
    key = table.primary_key
    if not cols or not key or len(key_positions) != len(key) \
            or any(table.column(k).data_type.lower() not in SPLITTABLE_TYPES for k in key):
        return ()
    members = [enum_members(table.column(c).column_type) for c in cols]
    if not all(members) or any("" in m for m in members):  # () : the type's text unknown
        return ()
    return tuple(list(columns).index(c) for c in cols)


def find_enum_zero(conn: Connection, database: str, tables: list[Table], where: str | None) -> dict[str, list[str]]:
    """Tables (in the snapshot of ``conn``, rows matching ``where``) with a row holding an
    ENUM error value: table -> its ENUM columns."""
    found: dict[str, list[str]] = {}
    for table in tables:
        cols = enum_columns(table)
        if not cols:
            continue
        zero = " OR ".join(f"{quote_ident(c)} = 0" for c in cols)
        cond = f"({where}) AND ({zero})" if where else zero
        if conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(table.name)} WHERE {cond} LIMIT 1",
                      context=f"looking for ENUM error values in `{table.name}`"):
            found[table.name] = cols
    return found


def find_for_dump(conn: Connection, database: str, tables: list[Table], where: str | None,
                  warnings: list[str]) -> dict[str, list[str]]:
    """find_enum_zero, for a dump: on MySQL (whose load has no SET STATEMENT for the exact
    form) the tables are said in ``warnings`` and written with '' instead."""
    found = find_enum_zero(conn, database, tables, where)
    if found and conn.flavour != "mariadb":
        warnings.append("ENUM error values (index 0) written as '', which a strict load refuses: " + ", ".join(found))
        return {}
    return found


def flag_exprs(enum_cols: list[str]) -> list[str]:
    """What the table's query selects after its columns: 1 where that ENUM holds index 0."""
    return [f"({quote_ident(c)} = 0)" for c in enum_cols]


def setup_statements(table: str, enum_cols: list[str]) -> list[str]:
    """The statements that make TEMP_TABLE hold one row of the error values of ``table``'s
    ENUM columns (named ``e0``, ``e1``, ...: its own names, whatever the table's are)."""
    t = quote_ident(TEMP_TABLE)
    picks = ", ".join(f"{quote_ident(c)} AS `e{i}`" for i, c in enumerate(enum_cols))
    zeros = ",".join("0" for _ in enum_cols)
    return [f"DROP TEMPORARY TABLE IF EXISTS {t}",
            f"CREATE TEMPORARY TABLE {t} SELECT {picks} FROM {quote_ident(table)} LIMIT 0",
            f"SET STATEMENT sql_mode='{ZERO_SQL_MODE}' FOR INSERT INTO {t} VALUES ({zeros})"]


def setup_text(table: str, enum_cols: list[str]) -> bytes:
    """``setup_statements`` as a chunk holds them (chunks.split_chunk_statements splits them)."""
    return "".join(f"{stmt};\n" for stmt in setup_statements(table, enum_cols)).encode()


def select_parts(table: str, columns: Sequence[str], key: Sequence[str], prefix: str = "") -> tuple[bytes, bytes]:
    """(head, end) of the INSERT ... SELECT of one such row: the row's values go between;
    ``prefix`` as for the table's other statements (chunks.statement_prefix)."""
    cols = ",".join(quote_ident(c) for c in columns)
    tail = statement_parts(table, columns, key, UPSERT_VALUES)[1]  # VALUES(): no row alias after a SELECT
    return (f"{prefix}INSERT INTO {quote_ident(table)} ({cols}) SELECT\n".encode(),
            f" FROM {quote_ident(TEMP_TABLE)}".encode() + tail)


class EnumZeroWriter(ChunkWriter):
    """A ChunkWriter for a table holding ENUM error values: rows come as tuples with one
    flag per ENUM column after the values; a row with a flag set is written as an INSERT
    ... SELECT from the temporary table (the table's other rows as usual)."""

    def __init__(self, *args, enum_cols: list[str], columns: Sequence[str], key: Sequence[str], prefix: str = "",
                 **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.ncols = len(columns)
        self.enum_positions = [list(columns).index(c) for c in enum_cols]
        self.setup = setup_text(self.table, enum_cols)
        self._setup_check = setup_statements(self.table, enum_cols)[1]  # sqlglot reads no SET STATEMENT
        self.select_head, self.select_end = select_parts(self.table, columns, key, prefix)
        self._setup_in: int | None = None  # seq of the chunk whose session has the temporary table

    def write_rows(self, batches: Iterable[Sequence[tuple]]) -> None:
        for batch in batches:
            run: list[tuple] = []  # rows without an error value, written as usual
            for row in batch:
                zeros = [p for p, flag in zip(self.enum_positions, row[self.ncols:]) if flag == b"1"]
                if not zeros:
                    run.append(tuple(row[:self.ncols]))
                    continue
                if run:
                    self.write_from(BatchSource([run], self.kinds, self.key_positions))
                    run = []
                self._write_zero_row(tuple(row[:self.ncols]), zeros)
            if run:
                self.write_from(BatchSource([run], self.kinds, self.key_positions))

    def _write_zero_row(self, row: tuple, zeros: list[int]) -> None:
        if self._stmt_open:
            self._close_statement()
        key = key_literals(row, self.kinds, self.key_positions)
        if self._chunk is None:
            self._open_chunk(key)
        first_in_chunk = self._setup_in != self._chunk.seq
        if first_in_chunk:  # each chunk sets it up itself: chunks load on any session, in any order
            self._write(self.setup)
            self._setup_in = self._chunk.seq
            self._chunk.enum_zero = True  # LOAD DATA cannot load it: restore sends it as it is
        temp = quote_ident(TEMP_TABLE)
        values = [f"{temp}.`e{self.enum_positions.index(p)}`".encode() if p in zeros
                  else encode_value(v, self.kinds[p]) for p, v in enumerate(row)]
        statement = self.select_head + b",".join(values) + self.select_end
        if first_in_chunk or self.validate_mode == "all":
            validate(self._setup_check, f"statement in {self._chunk.file}")
            validate(statement[len(self.prefix):].decode("utf-8", "surrogateescape").rstrip().rstrip(";"),
                     f"statement in {self._chunk.file}")
        self._write(statement)
        # counted as the server shows the row: '' where it holds index 0
        _, _, fp = encode_rows([row], 0, self.kinds, 1 << 62)
        self._chunk.max_statement_bytes = max(self._chunk.max_statement_bytes, len(statement))
        self._chunk.rows += 1
        self._chunk.fingerprint = (self._chunk.fingerprint + fp) & MASK64
        self.result.rows += 1
        self._last_key = key
        if self.on_progress:
            self.on_progress(1, len(statement))
        if self._chunk.bytes >= self.chunk_size:
            self._close_chunk()
