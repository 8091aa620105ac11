"""The schema diff of ``restore --into-current-schema``: the dump's tables against the target's.

All tables at once: tables only in the dump, only in the target, renamed (``--rename
old=new``, or a Prisma schema's ``@@map``/``@map`` with ``--prisma``: a dumped table named
as a model that now maps to another table follows it, and likewise a dumped column named
as a field: ``_prisma_renames``), kept as the target has them (``--keep-target``, and ``_prisma_migrations``
with ``--prisma``); per table the columns added, dropped, renamed, widened, narrowed
(schema/typecheck.py) and re-ordered, and keys and foreign keys changed. Each difference
says what the restore does with it, or that it refuses (``refused``): a dropped column not
named by ``--drop``/``--drop-missing``, a new NOT NULL column without a default or
``--set``. ``TableMap`` is what the loader needs to load a table by column name
(dumpcore.restore.migrate).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..connect.connection import Connection, quote_string
from ..errors import RestoreError, UsageError
from ..records import field, record
from .schema import Table
from .typecheck import ColumnType, column_type_of, describe, fits

if TYPE_CHECKING:
    from ..store.manifest import Manifest

PRISMA_MIGRATIONS = "_prisma_migrations"


@record
class MigrateOptions:
    """How to map a dump onto the target's current schema (the restore's options of these names)."""
    renames: dict[str, str] = field(default_factory=dict)  # "old"="new" (tables), "table.old"="new" (columns)
    sets: dict[str, str] = field(default_factory=dict)  # "table.column" -> SQL expression over the dumped row
    drops: list[str] = field(default_factory=list)  # "table.column" left out, or "table" not restored
    drop_missing: bool = False  # every dumped column the target lacks is left out
    keep_target: list[str] = field(default_factory=list)  # tables left as the target has them
    prisma: str | None = None


@record
class Difference:
    """One difference between the dump and the target, and what the restore does with it."""
    table: str  # the dumped table's name (the target's for a table only there)
    kind: str  # table: only in dump / only in target / renamed / kept; column: added / dropped / ...
    what: str
    action: str
    refused: bool = False

    def to_dict(self) -> dict:
        return {"table": self.table, "kind": self.kind, "what": self.what, "action": self.action,
                "refused": self.refused}


@record
class TableMap:
    """How one dumped table's rows load into the target: by column name, into ``target``."""
    dumped: str
    target: str
    columns: dict[str, str]  # dumped column -> target column (the shared ones)
    dropped: list[str] = field(default_factory=list)  # dumped columns left out
    sets: dict[str, str] = field(default_factory=dict)  # target column -> SQL expression
    narrowed: dict[str, tuple[str, str]] = field(default_factory=dict)  # target column -> (dumped, target type)
    not_compared: dict[str, str] = field(default_factory=dict)  # column -> why the proof does not compare it

    @property
    def staged(self) -> bool:
        """Whether rows need the staging path (anything the dump's own INSERTs cannot do)."""
        return (self.dumped != self.target or bool(self.dropped) or bool(self.sets) or bool(self.narrowed)
                or any(d != t for d, t in self.columns.items()))


@record
class SchemaDiff:
    """Every difference, the tables' maps, and the tables left out of the restore."""
    database: str
    differences: list[Difference]
    maps: dict[str, TableMap]  # dumped name -> map (tables that load)
    kept: list[str] = field(default_factory=list)  # target tables left as they are
    skipped: list[str] = field(default_factory=list)  # dumped tables not restored (--drop TABLE)

    @property
    def refusals(self) -> list[Difference]:
        return [d for d in self.differences if d.refused]

    def to_dict(self) -> dict:
        return {"database": self.database, "differences": [d.to_dict() for d in self.differences],
                "tables": {m.dumped: {"target": m.target, "columns": m.columns, "dropped": m.dropped,
                                      "set": m.sets, "narrowed": {c: list(t) for c, t in m.narrowed.items()},
                                      "not_compared": m.not_compared} for m in self.maps.values()},
                "kept": self.kept, "skipped": self.skipped,
                "refused": [d.to_dict() for d in self.refusals]}

    def error(self) -> RestoreError | None:
        """The refusal of everything that cannot load as asked, in one message; None when all can."""
        if not self.refusals:
            return None
        return RestoreError("restore refused before writing anything: " + " | ".join(
            f"table `{d.table}`: {d.what}: {d.action.removeprefix('refused: ')}" for d in self.refusals))


def _split_column(key: str, option: str) -> tuple[str, str]:
    table, dot, column = key.partition(".")
    if not dot or not table or not column:
        raise UsageError(f"{option} takes TABLE.COLUMN, not {key!r}")
    return table, column


def _target_columns(conn: Connection, database: str) -> dict[str, dict[str, tuple]]:
    """Per target table, per column: (COLUMN_DEFAULT, nullable, EXTRA)."""
    out: dict[str, dict[str, tuple]] = {}
    for table, column, default, nullable, extra in conn.query_text(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, EXTRA FROM information_schema.COLUMNS "
            f"WHERE TABLE_SCHEMA = {quote_string(database)} ORDER BY TABLE_NAME, ORDINAL_POSITION"):
        out.setdefault(table, {})[column] = (default, nullable == "YES", extra or "")
    return out


def _loose(name: str) -> str:
    """A name without case and separators: Prisma's ``AuditLog`` and the table ``audit_log``."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _prisma_renames(path: str, dumped: dict[str, list[str]], live: dict[str, Table]
                    ) -> tuple[dict[str, str], dict[str, str]]:
    """(table renames, "table.column" renames) a Prisma schema implies. A dumped table the
    target lacks follows the model whose name it is (``audit_log`` for ``model AuditLog``,
    case and underscores aside) when that model now maps (``@@map``) to a target table
    the dump lacks; a dumped column its target table lacks follows the field whose name
    it is, when that field now maps (``@map``) to a column the dump lacks. Only a single
    match counts: anything else is said as only in the dump / only in the target."""
    from .prisma import load_prisma, scalar_fields  # only with --prisma: a large module

    schema = load_prisma(path)
    tables: dict[str, str] = {}
    columns: dict[str, str] = {}
    gone = [t for t in dumped if t not in live]
    for model in schema.models.values():
        if model.table not in live or model.table in dumped:
            continue
        matches = [t for t in gone if _loose(t) == _loose(model.name)]
        if len(matches) == 1:
            tables[matches[0]] = model.table
    by_target = {v: k for k, v in tables.items()}
    for model in schema.models.values():
        table = live.get(model.table)
        dumped_name = by_target.get(model.table, model.table)
        if table is None or dumped_name not in dumped:
            continue
        have = {c.name for c in table.columns}
        old = [c for c in dumped[dumped_name] if c not in have]
        for f in scalar_fields(schema, model):
            if f.column not in have or f.column in dumped[dumped_name]:
                continue
            matches = [c for c in old if _loose(c) == _loose(f.name)]
            if len(matches) == 1:
                columns[f"{dumped_name}.{matches[0]}"] = f.column
    return tables, columns


def _keys_changed(entry: dict, table: Table, columns: dict[str, str]) -> list[str]:
    out = []
    pk = [columns.get(k, f"{k} (not loaded)") for k in entry.get("primary_key") or []]
    if list(table.primary_key) != pk:
        out.append(f"primary key ({', '.join(pk) or 'none'}) -> ({', '.join(table.primary_key) or 'none'})")
    return out


def _fk_changes(m: Manifest, entry: dict, table: Table, renamed: dict[str, str]) -> list[str]:
    """Foreign keys of the target table whose parent the dump did not have as one (and back)."""
    parents = {renamed.get(p, p) for p in entry.get("parents", [])}
    live = {fk.ref_table for fk in table.foreign_keys if fk.ref_table != table.name}
    out = [f"new foreign key to `{p}`" for p in sorted(live - parents)]
    out += [f"foreign key to `{p}` gone" for p in sorted(parents - live)]
    return out


def schema_diff(m: Manifest, target_tables: dict[str, Table], conn: Connection, database: str,
                opts: MigrateOptions, chosen: list[str] | None = None) -> SchemaDiff:
    """The differences between the dump ``m`` and the target's ``target_tables``
    (preflight.inspect_target), each with what the restore does; ``chosen``: the dumped
    tables asked for (default all). Raises UsageError for options naming what is not there."""
    dumped = [e["name"] for e in m.tables if chosen is None or e["name"] in chosen]
    live = target_tables
    renames = {k: v for k, v in opts.renames.items() if "." not in k}
    col_renames = {k: v for k, v in opts.renames.items() if "." in k}
    ptables: dict[str, str] = {}
    pcols: dict[str, str] = {}
    if opts.prisma:
        ptables, pcols = _prisma_renames(opts.prisma, {e["name"]: [c["name"] for c in e["columns"]]
                                                       for e in m.tables if e["name"] in dumped}, live)
        renames = {**ptables, **renames}
        col_renames = {**pcols, **col_renames}
    for old, new in renames.items():
        if old not in dumped:
            raise UsageError(f"--rename {old}={new}: the dump has no table `{old}`")
        if new not in live:
            raise UsageError(f"--rename {old}={new}: the target `{database}` has no table `{new}`")
    keep = set(opts.keep_target)
    if opts.prisma and PRISMA_MIGRATIONS in live:
        keep.add(PRISMA_MIGRATIONS)
    drop_tables = {d for d in opts.drops if "." not in d}
    for t in drop_tables:
        if t not in dumped:
            raise UsageError(f"--drop {t}: the dump has no table `{t}`",
                             hint="--drop TABLE.COLUMN leaves out a column, --drop TABLE a dumped table")
    drop_cols = {d for d in opts.drops if "." in d}
    sets = dict(opts.sets)
    for key in [*col_renames, *drop_cols]:
        table, _ = _split_column(key, "--rename" if key in col_renames else "--drop")
        if table not in dumped:
            raise UsageError(f"{key}: the dump has no table `{table}`")
    for key in sets:
        _split_column(key, "--set")
    defaults = _target_columns(conn, database) if live else {}
    diffs: list[Difference] = []
    maps: dict[str, TableMap] = {}
    skipped: list[str] = []
    used_sets: set[str] = set()
    used_targets = set()
    for e in m.tables:
        name = e["name"]
        if name not in dumped:
            continue
        if name in keep:
            diffs.append(Difference(name, "kept", "table", "left as the target has it (not emptied, not loaded)"))
            continue
        if name in drop_tables:
            diffs.append(Difference(name, "skipped", "table", "not restored (--drop)"))
            skipped.append(name)
            continue
        target_name = renames.get(name, name)
        table = live.get(target_name)
        if table is None:
            diffs.append(Difference(name, "only in dump", "table", "created from the dump and loaded"))
            continue
        used_targets.add(target_name)
        if target_name != name:
            diffs.append(Difference(name, "renamed", f"table -> `{target_name}`", f"rows load into `{target_name}`"
                                    + (" (Prisma @@map)" if name not in opts.renames else " (--rename)")))
        tmap = TableMap(name, target_name, {})
        live_cols = {c.name: c for c in table.columns}
        keyed = set(table.primary_key).union(*table.unique_keys)
        dumped_cols = [c["name"] for c in e["columns"]]
        for c in e["columns"]:
            col = c["name"]
            tcol = col_renames.get(f"{name}.{col}", col)
            if tcol not in live_cols or live_cols[tcol].generated:
                gone = "generated in the target" if tcol in live_cols else "not in the target"
                if f"{name}.{col}" in drop_cols or opts.drop_missing:
                    tmap.dropped.append(col)
                    tmap.not_compared[col] = "dropped"
                    diffs.append(Difference(name, "dropped", f"column `{col}` ({gone})",
                                            "left out (--drop" + ("-missing)" if f"{name}.{col}" not in drop_cols
                                                                   else ")")))
                else:
                    diffs.append(Difference(name, "dropped", f"column `{col}` ({gone})",
                                            f"refused: name it with --drop {name}.{col} (or --drop-missing) to "
                                            "leave its values out", refused=True))
                continue
            tmap.columns[col] = tcol
            if tcol != col:
                diffs.append(Difference(name, "renamed", f"column `{col}` -> `{tcol}`", f"loads into `{tcol}`"
                                        + (" (Prisma @map)" if f"{name}.{col}" not in opts.renames else "")))
            lc = live_cols[tcol]
            dtype = column_type_of(c)
            ttype = ColumnType(lc.column_type or lc.data_type, lc.charset if "charset" in c else None,
                               lc.collation if "collation" in c else None, lc.nullable)
            reason = fits(dtype, ttype, unique=tcol in keyed)
            if reason:
                tmap.narrowed[tcol] = (c["type"], lc.column_type or lc.data_type)
                diffs.append(Difference(name, "narrowed", f"column `{tcol}` {describe(dtype)} -> {describe(ttype)}",
                                        "rows whose values fit exactly load; the others go to the rejects file"))
            elif " ".join(c["type"].lower().split()) != " ".join((lc.column_type or "").lower().split()):
                diffs.append(Difference(name, "widened", f"column `{tcol}` {describe(dtype)} -> {describe(ttype)}",
                                        "loads as it is"))
        shared_live = [c.name for c in table.columns if c.name in tmap.columns.values()]
        shared_dumped = [tmap.columns[c] for c in dumped_cols if c in tmap.columns]
        if shared_live != shared_dumped:
            diffs.append(Difference(name, "re-ordered", "columns " + ", ".join(f"`{c}`" for c in shared_live),
                                    "loads by column name"))
        for c in table.columns:
            if c.name in tmap.columns.values() or c.generated:
                continue
            key = f"{target_name}.{c.name}"
            expr = sets.get(key) or sets.get(f"{name}.{c.name}")
            default, nullable, extra = defaults.get(target_name, {}).get(c.name, (None, True, ""))
            tmap.not_compared[c.name] = "not in the dump"
            if expr is not None:
                used_sets.add(key if key in sets else f"{name}.{c.name}")
                tmap.sets[c.name] = expr
                diffs.append(Difference(name, "added", f"column `{c.name}`", f"set per row to {expr} (--set)"))
            elif default is not None or nullable or "auto_increment" in extra:
                what = ("its AUTO_INCREMENT" if "auto_increment" in extra else
                        f"its default {default}" if default is not None else "NULL")
                diffs.append(Difference(name, "added", f"column `{c.name}`", f"takes {what}"))
            else:
                diffs.append(Difference(name, "added", f"column `{c.name}` NOT NULL without a default",
                                        f"refused: give --set {target_name}.{c.name}=SQL-EXPRESSION", refused=True))
        for change in _keys_changed(e, table, tmap.columns) + _fk_changes(m, e, table, renames):
            action = ("loaded with foreign key checks off: rows are not checked against it"
                      if "foreign key" in change else "rows load by column; the target's key decides duplicates")
            diffs.append(Difference(name, "keys", change, action))
        maps[name] = tmap
    for key in sets:
        if key not in used_sets:
            raise UsageError(f"--set {key}: no column the target adds to a dumped table has that name",
                             hint="--set is for columns the target has and the dump has not")
    for t in sorted(set(live) - used_targets - keep - set(dumped)):
        diffs.append(Difference(t, "only in target", "table", "left as it is"))
    kept = sorted(keep & set(live))
    return SchemaDiff(database, diffs, maps, kept, skipped)


def diff_lines(diff: SchemaDiff) -> list[list[str]]:
    """Rows (table, difference, what the restore does) for a table printer."""
    return [[d.table, f"{d.kind}: {d.what}", d.action] for d in diff.differences]
