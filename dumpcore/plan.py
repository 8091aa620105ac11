"""``dumpcore plan``: schema -> ordering -> scripts, from a server or a DDL file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .connection import ConnectionOptions
from .ordering import LoadPlan, plan_load
from .schema import Schema, load_schema, load_schema_from_ddl
from .scripts import build_scripts


@dataclass
class PlanResult:
    schema: Schema
    plan: LoadPlan

    def to_dict(self) -> dict:
        d = self.plan.to_dict()
        d["source"] = self.schema.source
        d["views"] = self.schema.view_order()
        d["notes"] = list(self.schema.notes)
        return d


def plan_database(options: ConnectionOptions, database: str) -> PlanResult:
    """Plan from a live server."""
    with options.connect() as conn:
        schema = load_schema(conn, database)
    return PlanResult(schema, plan_load(schema))


def plan_ddl(path: str | Path, database: str | None = None) -> PlanResult:
    """Plan offline from a DDL file."""
    schema = load_schema_from_ddl(path, database)
    return PlanResult(schema, plan_load(schema))


def write_plan_scripts(result: PlanResult, directory: str | Path) -> list[Path]:
    return build_scripts(result.plan).write(directory)
