"""Every statement a dump writes is checked: its table's shape by sqlglot once, its rows by a scan.

sqlglot parses a few MB/s: a dump cannot parse all it writes. It need not: every statement
of a table is its head (``INSERT INTO t (cols) VALUES``), rows, and its tail (the upsert
clause), and every value is one of a few literal forms per column kind (NULL, a number,
a quoted escaped string, a hex literal). So sqlglot parses, once per table, the table's
*template*: the statement with rows holding every literal form its columns take (NULL,
negative, exponent, escaped string, binary, empty), written by the encoder from known raw
values, and must read them back as those values, with the table's columns and upsert
clause (``sqltext.validate_insert_template``; in the dump's validator process). The
compiled scanner (``codec.scan_rows``, one pass without the GIL) then holds the rows of
every statement the dump writes to those forms, column by column: a statement of the
wrong shape anywhere, not only in a chunk's first bytes, fails the dump, named by its
chunk file and statement number. ``--validate all`` still has sqlglot parse every
statement in full (audits); ``first`` also parses each chunk's first 4 KiB.
"""
from __future__ import annotations

from typing import Sequence

from ..codec import KIND_HEX, KIND_NUMBER, KIND_STRING, encode_rows, scan_rows
from ..errors import GeneratedSQLError
from ..schema.sqltext import validate_insert_template

# Raw values (as the server sends them) whose literals make up a template's rows: row i
# takes form i of its column's kind (the last form once they run out), the last row NULLs.
TEMPLATE_VALUES: dict[int, tuple[bytes, ...]] = {
    KIND_NUMBER: (b"-12", b"1.5e-7", b"-0.25E+30", b"18446744073709551615", b"0.000", b"5"),
    KIND_STRING: ("a'b\\c\nd\re\x00f\x1ag\"h`".encode(), b"", "é €𝄞 -- ;".encode(), b"NULL", b"0x1"),
    KIND_HEX: (b"\x00\xff\x10", b"", b"\xab"),
}
_TAGS = {KIND_NUMBER: "number", KIND_STRING: "string", KIND_HEX: "hex"}
MODES = ("shape", "first", "all", "none")


def template_rows(kinds: bytes) -> list[tuple]:
    """The template's raw rows for columns of ``kinds``."""
    count = max(len(TEMPLATE_VALUES[k]) for k in set(kinds)) if kinds else 0
    rows = [tuple(TEMPLATE_VALUES[k][min(i, len(TEMPLATE_VALUES[k]) - 1)] for k in kinds) for i in range(count)]
    return rows + [tuple(None for _ in kinds)]


def _reading(value: bytes | None, kind: int) -> tuple[str, str]:
    if value is None:
        return "null", ""
    if kind == KIND_HEX:
        return "hex", value.hex().upper()
    return _TAGS[kind], value.decode("utf-8")


class StatementShape:
    """The shape of one table's statements: its template checked once (``check_template``),
    then the rows of each statement (``check_rows``)."""

    def __init__(self, table: str, columns: Sequence[str], kinds: bytes, key: Sequence[str],
                 head: bytes, tail: bytes, prefix: bytes = b""):
        self.table = table
        self.columns = list(columns)
        self.kinds = kinds
        self.update_columns = ([c for c in columns if c not in key] or [key[0]]) if key else []
        self.head, self.tail, self.prefix = head, tail, prefix

    def template(self) -> tuple[bytes, list[tuple]]:
        """(the template statement as the dump would write it, its raw rows)."""
        rows = template_rows(self.kinds)
        text, _, _ = encode_rows(rows, 0, self.kinds, 0)
        return self.head + text + self.tail, rows

    def check_template(self, what: str) -> None:
        """sqlglot parses the template (off this thread inside the dump's validator) and
        must read the rows back as their raw values; the scanner must take its rows."""
        statement, rows = self.template()
        body = statement[len(self.head):len(statement) - len(self.tail)]
        self.check_rows(body, what, 1)  # the scanner takes every form sqlglot is shown
        sql = statement[len(self.prefix):].decode("utf-8").rstrip().rstrip(";")
        validate_insert_template(sql, what, self.table, self.columns,
                                 [[list(_reading(v, k)) for v, k in zip(row, self.kinds)] for row in rows],
                                 self.update_columns)

    def check_rows(self, text: bytes | memoryview, where: str, statement: int | None, first_row: int = 1,
                   rows: int | None = None) -> None:
        """``text``: rows ``(v,...),\\n(v,...)`` of statement ``statement`` of ``where``
        (its rows from ``first_row`` on; None: rows not yet cut into statements, the
        annotated dump's); ``rows``: how many it must hold."""
        try:
            found = scan_rows(text, self.kinds)
        except ValueError as exc:
            what = f"statement {statement} in {where}" if statement is not None else f"rows in {where}"
            raise GeneratedSQLError(f"generated {what} is not its table's INSERT: "
                                    f"{_renumber(str(exc), first_row)}") from None
        if rows is not None and found != rows:
            raise GeneratedSQLError(f"generated statement {statement} in {where} holds {found} rows from its "
                                    f"row {first_row} on where {rows} were encoded")


def _renumber(message: str, first_row: int) -> str:
    """The scanner's "row N ..." (N from 1 in the text scanned) as the statement's row."""
    if first_row != 1 and message.startswith("row "):
        number, _, rest = message[4:].partition(" ")
        if number.isdigit():
            return f"row {int(number) + first_row - 1} {rest}"
    return message
