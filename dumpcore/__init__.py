"""dumpcore: logical dump and restore for MySQL and MariaDB.

The public API; the CLI (``dumpcore.cli``) only calls these.
"""
from .connection import Connection, ConnectionOptions
from .errors import (ConnectError, DumpcoreError, DumpIntegrityError, GeneratedSQLError, OutputError,
                     RestoreError, SandboxError, SchemaError, ServerError, UnknownTableError, UsageError)
from .ordering import LoadPlan, plan_load
from .plan import PlanResult, plan_database, plan_ddl, write_plan_scripts
from .sandbox import Sandbox
from .schema import Column, ForeignKey, Schema, Table, load_schema, load_schema_from_ddl

__version__ = "0.1.0"

__all__ = [
    "Column", "ConnectError", "Connection", "ConnectionOptions", "DumpIntegrityError", "DumpcoreError",
    "ForeignKey", "GeneratedSQLError", "LoadPlan", "OutputError", "PlanResult", "RestoreError", "Sandbox",
    "SandboxError", "Schema", "SchemaError", "ServerError", "Table", "UnknownTableError", "UsageError",
    "load_schema", "load_schema_from_ddl", "plan_database", "plan_ddl", "plan_load", "write_plan_scripts",
]
