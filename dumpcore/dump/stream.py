"""Row streaming: one consistent snapshot, then each table's rows as raw batches.

Rows come through an unbuffered result (mysql_use_result), so memory is bounded by
the batch, never by the table. Columns are listed by name (invisible ones included,
generated ones left out); FLOAT is read as its exact double.
"""
from __future__ import annotations

from typing import Sequence

from .chunks import BatchSource, key_literals
from ..connect.connection import Connection, quote_ident
from ..errors import ServerError
from ..records import record
from ..schema.schema import Column, Table

try:
    from ..codec._encoder import FetchError, ResultEncoder
except ImportError:  # pragma: no cover - the compiled encoder is missing; tuples it is
    ResultEncoder = None

    class FetchError(Exception):  # type: ignore[no-redef]
        pass

SESSION_SETTINGS = (
    "SET SESSION time_zone = '+00:00', net_write_timeout = 3600, net_read_timeout = 3600, "
    "wait_timeout = 86400, sql_mode = ''"
)
BATCH_ROWS = 5000


@record(frozen=True)
class TableQuery:
    table: Table
    columns: list[Column]
    sql: str
    key_positions: tuple[int, ...]  # where the primary key's columns are in each row (rows come in its order)


def start_snapshot(conn: Connection) -> str:
    """Begin one REPEATABLE READ snapshot for every InnoDB table; returns its UTC time."""
    conn.execute(SESSION_SETTINGS)
    try:
        conn.execute("SET SESSION max_statement_time = 0")  # MariaDB: no per-statement limit
    except ServerError:
        pass  # MySQL has no such variable; nothing to undo
    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
    return conn.scalar("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')")


def table_query(table: Table, database: str, where: str | None = None, extra: Sequence[str] = (),
                history: bool = False) -> TableQuery:
    """The SELECT of a table's stored columns in key order; ``extra``: expressions selected
    after them (not columns of the dump: dumpcore.dump.enum_zero's flags). ``history``: a
    system-versioned table's every row version (FOR SYSTEM_TIME ALL) with its row start and
    row end; its key is the primary key and row end, as the server's own unique keys are."""
    cols = table.stored_columns + (table.period_columns() if history else [])
    names = [c.name for c in cols]
    key = table_key(table, history)
    order = f" ORDER BY {', '.join(quote_ident(k) for k in key)}" if key else ""
    exprs = [c.select_expr() for c in cols] + list(extra)
    sql = (f"SELECT {', '.join(exprs)} FROM {quote_ident(database)}.{quote_ident(table.name)}"
           + (" FOR SYSTEM_TIME ALL" if history else "") + (f" WHERE ({where})" if where else "") + order)
    return TableQuery(table, cols, sql, tuple(names.index(k) for k in key if k in names))


def table_key(table: Table, history: bool = False) -> tuple[str, ...]:
    """The columns whose values order a table's rows and bound its chunks: the primary key
    (with the row end when every row version is dumped)."""
    if history and table.primary_key and table.period is not None and table.period[1] not in table.primary_key:
        return (*table.primary_key, table.period[1])  # an explicit row end column is in the key already
    return table.primary_key


class DirectSource:
    """RowSource reading straight from the unbuffered result (compiled encoder): no
    Python object per value. A failure while reading becomes a ServerError here."""

    def __init__(self, encoder, table: str, masker=None, masked=None, kinds: bytes = b"", key_positions=()):
        self._enc = encoder
        self._table = table
        self._kinds, self._keys = kinds, tuple(key_positions)
        self._masker = masker  # the encoder's row masker (dump --mask) and the TableMasker summing it
        self._masked = masked

    @property
    def exhausted(self) -> bool:
        return self._enc.exhausted

    @property
    def first_key(self):
        return self._enc.first_key

    @property
    def last_key(self):
        return self._enc.last_key

    @property
    def stop_key(self) -> list[str] | None:
        """The key (SQL literals) of the row a watched column stopped the rows at, else None."""
        row = self._enc.stop_row
        return None if row is None else key_literals(row, self._kinds, self._keys)

    def encode(self, max_bytes: int) -> tuple[bytes, int, int]:
        try:
            out = self._enc.encode(max_bytes, True)  # a view: the writer uses it before the next call
        except FetchError as exc:
            raise ServerError(exc.args[0], exc.args[1], f"reading table `{self._table}`") from None
        if self._masker is not None:
            self._masked.add(self._masker.take())
        return out

    def close(self) -> None:
        self._enc.close()


def row_source(conn: Connection, query: TableQuery, kinds: bytes, batch_rows: int = BATCH_ROWS,
               direct: bool = True, masked=None, key_positions: Sequence[int] | None = None,
               watch: Sequence[int] = ()):
    """The fastest RowSource available for ``query``: read straight from the result with
    the compiled encoder, else batches of row tuples. ``masked``: the table's
    masking.TableMasker (dump --mask), applied as the rows are read; ``watch``: columns
    whose empty value stops the rows (BatchSource)."""
    return sql_row_source(conn, query.sql, query.table.name, kinds,
                          query.key_positions if key_positions is None else key_positions, batch_rows, direct, masked,
                          watch)


def sql_row_source(conn: Connection, sql: str, table: str, kinds: bytes, key_positions: Sequence[int] = (),
                   batch_rows: int = BATCH_ROWS, direct: bool = True, masked=None, watch: Sequence[int] = ()):
    """The fastest RowSource for the rows of ``sql`` (of table ``table``, named in errors):
    the compiled encoder reading the result directly (masking each row in its loop when
    ``masked``), else batches of row tuples (masked a batch at a time)."""
    context = f"reading table `{table}`"
    if direct and ResultEncoder is not None:
        result = conn.unbuffered_result(sql, context=context)
        try:
            masker = masked.row_masker() if masked is not None else None
            return DirectSource(ResultEncoder(result, kinds, tuple(key_positions), masker, tuple(watch)), table,
                                masker, masked, kinds, key_positions)
        except TypeError:
            # Not the mysqlclient layout the encoder knows: read this result as tuples.
            batches = conn.batches(result, batch_rows, context)
            return BatchSource(masked.batches(batches) if masked is not None else batches, kinds, key_positions,
                               watch=watch)
    batches = conn.stream(sql, batch_rows, context=context)
    return BatchSource(masked.batches(batches) if masked is not None else batches, kinds, key_positions,
                       watch=watch)


def check_where(conn: Connection, tables: list[Table], database: str, where: str) -> None:
    """Ask the server to accept --where on every table before anything is written."""
    for t in tables:
        conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(t.name)} WHERE ({where}) LIMIT 0",
                   context=f"--where rejected on table `{t.name}`")
