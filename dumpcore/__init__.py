"""dumpcore: logical dump and restore for MySQL and MariaDB.

The public API; the CLI (``dumpcore.cli``) only calls these. Names are imported on
first use (PEP 562), so ``import dumpcore`` (and ``dumpcore --version``) does not pay
for mysqlclient and every module at start-up.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "connect.connection": ("Connection", "ConnectionOptions"),
    "errors": ("ConnectError", "DumpcoreError", "DumpIntegrityError", "GeneratedSQLError", "OutputError",
               "RestoreError", "SandboxError", "SchemaError", "ServerError", "UnknownTableError", "UsageError"),
    "schema.ordering": ("LoadPlan", "plan_load"),
    "schema.plan": ("PlanResult", "plan_database", "plan_ddl", "write_plan_scripts"),
    "sandbox.sandbox": ("Sandbox",),
    "schema.schema": ("Column", "ForeignKey", "Schema", "Table", "load_schema", "load_schema_from_ddl"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dumpcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
