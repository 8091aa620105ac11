"""``dump --stats TABLE.COLUMN``: a count per value of a column, taken in the dump's
own snapshot (so it counts exactly the rows dumped, ``--where`` included), with a
label per value when the column is a foreign key (or a Prisma relation): the
referenced row's label column, as ``--annotate`` names it."""
from __future__ import annotations

from typing import Sequence

from .annotate import label_columns
from ..connect.connection import Connection, quote_ident, quote_string
from ..errors import UsageError
from ..records import record
from ..schema.schema import Schema

MAX_VALUES = 1000  # distinct values kept per column; more are summed as "other"


@record
class StatsSpec:
    table: str
    column: str


def parse_stats(specs: Sequence[str], schema: Schema, tables: Sequence[str]) -> list[StatsSpec]:
    """``TABLE.COLUMN`` strings, checked against the schema and the dumped tables."""
    out = []
    for spec in specs:
        table, dot, column = spec.rpartition(".")
        if not dot or not table or not column:
            raise UsageError(f"--stats {spec!r}: expected TABLE.COLUMN")
        t = schema.tables.get(table)
        if t is None or table not in tables:
            raise UsageError(f"--stats {spec!r}: table `{table}` is not dumped from `{schema.database}`")
        if not any(c.name == column for c in t.columns):
            raise UsageError(f"--stats {spec!r}: table `{table}` has no column `{column}`")
        out.append(StatsSpec(table, column))
    return out


def collect(conn: Connection, schema: Schema, database: str, specs: Sequence[StatsSpec],
            where: str | None = None, labels: dict[str, tuple[str, ...]] | None = None) -> list[dict]:
    """Count per value of each spec (in the caller's transaction), labels resolved
    (``labels``: the ``--label`` overrides, table -> columns)."""
    out = []
    for spec in specs:
        col = quote_ident(spec.column)
        sql = (f"SELECT {col}, COUNT(*) FROM {quote_ident(database)}.{quote_ident(spec.table)}"
               + (f" WHERE ({where})" if where else "") + f" GROUP BY {col} ORDER BY {col}")
        rows = conn.query(sql, context=f"--stats {spec.table}.{spec.column}")
        found = _labels(conn, schema, database, spec, [r[0] for r in rows if r[0] is not None], labels or {})
        values = []
        for value, count in rows:
            text = None if value is None else value.decode("utf-8", "replace")
            values.append({"value": text, "count": int(count), "label": found.get(value)})
        other = 0
        if len(values) > MAX_VALUES:
            values.sort(key=lambda v: -v["count"])
            other = sum(v["count"] for v in values[MAX_VALUES:])
            values = values[:MAX_VALUES]
        entry = {"table": spec.table, "column": spec.column, "rows": sum(int(r[1]) for r in rows),
                 "distinct": len(rows), "values": values}
        fk = _relation(schema, spec)
        if fk is not None:
            entry["references"] = f"{fk[0]}.{fk[1]}"
        if other:
            entry["other_values_rows"] = other
        out.append(entry)
    return out


def _relation(schema: Schema, spec: StatsSpec) -> tuple[str, str] | None:
    for fk in schema.tables[spec.table].foreign_keys:
        if fk.columns == (spec.column,) and fk.ref_table in schema.tables:
            return fk.ref_table, fk.ref_columns[0]
    return None


def _labels(conn: Connection, schema: Schema, database: str, spec: StatsSpec, values: list,
            overrides: dict[str, tuple[str, ...]]) -> dict:
    rel = _relation(schema, spec)
    if rel is None or not values:
        return {}
    ref_table, ref_col = rel
    label = label_columns(schema.tables[ref_table], overrides)
    if not label:
        return {}
    label_sql = "CONCAT_WS(' ', " + ", ".join(quote_ident(c) for c in label) + ")"
    found = {}
    for i in range(0, len(values), 1000):
        part = values[i:i + 1000]
        inlist = ",".join(quote_string(v.decode("utf-8", "surrogateescape")) for v in part)
        rows = conn.query(f"SELECT {quote_ident(ref_col)}, {label_sql} FROM {quote_ident(database)}."
                          f"{quote_ident(ref_table)} WHERE {quote_ident(ref_col)} IN ({inlist})",
                          context=f"labels for --stats {spec.table}.{spec.column}")
        for key, text in rows:
            found[key] = None if text is None else text.decode("utf-8", "replace")
    return found
