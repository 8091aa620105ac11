"""dumpcore: logical dump and restore for MySQL and MariaDB.

The public API; the CLI (``dumpcore.cli``) only calls these. Names are imported on
first use (PEP 562), so ``import dumpcore`` (and ``dumpcore --version``) does not pay
for mysqlclient and every module at start-up.

    import dumpcore
    server = dumpcore.ConnectionOptions(host="127.0.0.1", port=3306, user="root")
    dumpcore.dump_to_directory(server, "shop", "backup/")           # a DumpSummary
    assert dumpcore.verify_path("backup/").ok                        # every chunk's hash
    summary = dumpcore.restore_directory("backup/", server, dumpcore.RestoreOptions(database="shop_copy"))
    assert summary.failure() is None and summary.proof_state() == "proven"
    assert dumpcore.verify_against("backup/", server, "shop_copy").ok
"""
from __future__ import annotations

import importlib

__version__ = "0.2.0"

_EXPORTS = {
    "connect.connection": ("Connection", "ConnectionOptions"),
    "dump.dump": ("DumpOptions", "DumpSummary", "dump_to_directory", "dump_to_stream"),
    "store.upload": ("dump_to_store",),
    "store.objectstore": ("local_dump",),
    "restore.restore": ("RestoreOptions", "RestoreSummary"),
    "verify.verify": ("AgainstReport", "VerifyReport", "verify_against", "verify_path"),
    "errors": ("ConnectError", "DumpcoreError", "DumpIntegrityError", "GeneratedSQLError", "OutputError",
               "RestoreError", "SandboxError", "SchemaError", "ServerError", "StorageError", "UnknownTableError",
               "UsageError"),
    "schema.ordering": ("LoadPlan", "plan_load"),
    "schema.plan": ("PlanResult", "plan_database", "plan_ddl", "write_plan_scripts"),
    "sandbox.sandbox": ("Sandbox",),
    "schema.schema": ("Column", "ForeignKey", "Schema", "Table", "load_schema", "load_schema_from_ddl"),
}
# public name -> (module, name there): `dumpcore.restore` is the restore stage's package
_RENAMED = {"restore_directory": ("restore.restore", "restore")}
_WHERE = {name: (module, name) for module, names in _EXPORTS.items() for name in names} | _RENAMED

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'dumpcore' has no attribute {name!r}")
    module, attr = where
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
