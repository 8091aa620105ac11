"""``dumpcore plan``: schema -> ordering -> scripts, from a server or a DDL file."""
from __future__ import annotations

from pathlib import Path

from ..connect.connection import ConnectionOptions
from ..errors import OutputError
from .ordering import LoadPlan, plan_load
from .prisma import Coverage, coverage, empty_tables, load_prisma, merge_relations, to_schema
from ..records import field, record
from .schema import Schema, load_schema, load_schema_from_ddl
from .scripts import build_scripts


@record
class PlanResult:
    """A plan: the load plan of a database (live, DDL or Prisma) and, with Prisma, its coverage."""
    schema: Schema
    plan: LoadPlan
    warnings: list[str] = field(default_factory=list)  # where Prisma relations and database FKs disagree
    coverage: Coverage | None = None  # Prisma models against the database's tables

    def to_dict(self) -> dict:
        d = self.plan.to_dict()
        d["source"] = self.schema.source
        d["views"] = self.schema.view_order()
        d["notes"] = list(self.schema.notes)
        d["warnings"] = list(self.warnings)
        if self.coverage is not None:
            d["coverage"] = self.coverage.to_dict()
        return d


def plan_database(options: ConnectionOptions, database: str, prisma: str | Path | None = None) -> PlanResult:
    """Plan from a live server; with ``prisma``, its relations join the FK graph and
    the models are checked against the tables (coverage)."""
    pschema = load_prisma(prisma) if prisma else None  # a bad schema fails before connecting
    with options.connect() as conn:
        schema = load_schema(conn, database)
        if pschema is None:
            return PlanResult(schema, plan_load(schema))
        modelled = [m.table for m in pschema.models.values() if m.table in schema.tables]
        empty = empty_tables(conn, database, modelled)
    merged, warnings = merge_relations(schema, pschema)
    merged.notes += pschema.notes
    return PlanResult(merged, plan_load(merged), warnings, coverage(schema, pschema, empty))


def plan_ddl(path: str | Path, database: str | None = None, prisma: str | Path | None = None) -> PlanResult:
    """Plan offline from a DDL file (with ``prisma``: its relations too, and coverage)."""
    schema = load_schema_from_ddl(path, database)
    if not schema.tables and not schema.views:
        schema.notes.append(f"{path}: no CREATE TABLE or CREATE VIEW statement could be read; the plan is empty")
    if not prisma:
        return PlanResult(schema, plan_load(schema))
    pschema = load_prisma(prisma)
    merged, warnings = merge_relations(schema, pschema)
    merged.notes += pschema.notes
    return PlanResult(merged, plan_load(merged), warnings, coverage(schema, pschema))


def plan_prisma(path: str | Path, database: str | None = None) -> PlanResult:
    """Plan offline from a Prisma schema alone: its models and join tables, ordered by its relations."""
    schema = to_schema(load_prisma(path), database or "")
    return PlanResult(schema, plan_load(schema))


def write_plan_scripts(result: PlanResult, directory: str | Path, force: bool = False) -> list[Path]:
    """Write the plan's scripts into ``directory``; scripts already there are an OutputError
    unless ``force`` (they may be someone's edited copies)."""
    scripts = build_scripts(result.plan)
    existing = [name for name in scripts.files if (Path(directory) / name).exists()]
    if existing and not force:
        raise OutputError(f"{Path(directory) / existing[0]} exists"
                          + (f" (and {len(existing) - 1} more script(s))" if len(existing) > 1 else ""),
                          hint="use --force to overwrite, or another -o directory")
    return scripts.write(directory)
