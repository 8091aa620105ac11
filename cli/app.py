"""The typer app. Every command parses options and calls one library function;
DumpcoreError becomes ``Error: ...`` on stderr and a non-zero exit."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dumpcore.schema import plan as plan_api
from dumpcore.dump import server_dump
from dumpcore.dump import subset as subset_api
from dumpcore.errors import DumpcoreError, UsageError
from dumpcore.sandbox.sandbox import Sandbox, default_root

from . import commands
from .columns import plural, wrapped
from .commands import cpu_cores
from .exits import err, exit_interrupted, exit_on_error, warn
from .usage import NoArgsIsHelp, UsageErrors, usage_error_line
from .connect import connection_options, normalize_password_args
from .options import (DefaultsExtraFile, DefaultsFile, Host, Password, PasswordPrompt, Port, Socket, SslCa, SslCert,
                      SslKey, SslMode, User)

app = typer.Typer(
    name="dumpcore",
    help="Logical dump and restore for MySQL and MariaDB: FK-ordered, chunked, hashed, verifiable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: `[client]` stays literal, flags show no <bool>
)
DEFAULT_SANDBOX_DIR = default_root()  # ~/.cache/dumpcore/sandbox (or $XDG_CACHE_HOME)
SANDBOX_DIR_SHOWN = "$XDG_CACHE_HOME/dumpcore/sandbox, else ~/.cache/dumpcore/sandbox"
sandbox_app = typer.Typer(help="A throwaway local MariaDB server (own data dir, socket and port).",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(sandbox_app, name="sandbox")


def _print_version(value: bool) -> None:
    if value:
        from dumpcore import __version__

        typer.echo(f"dumpcore {__version__}")
        raise typer.Exit()


@app.callback()
def _top(version: Annotated[bool, typer.Option("--version", "-V", callback=_print_version, is_eager=True,
                                               help="Print the version and exit.")] = False) -> None:
    """Logical dump and restore for MySQL and MariaDB: FK-ordered, chunked, hashed, verifiable."""


@app.command()
def plan(
    database: Annotated[Optional[str], typer.Argument(help="Database to plan (from the live server).")] = None,
    ddl: Annotated[Optional[Path], typer.Option("--ddl", help="Plan offline from a .sql DDL file instead.")] = None,
    prisma: Annotated[Optional[Path], typer.Option("--prisma", help="Prisma schema (file or folder): its relations "
                                                   "order the tables too; alone, plans offline from it.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the plan's scripts here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite scripts already in the -o directory.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    subset: Annotated[Optional[list[str]], typer.Option("--subset", metavar="TABLE:CONDITION", help="Print the "
                      "rows a dump --subset would take, per table (repeatable).")] = None,
    subset_follow: Annotated[str, typer.Option("--subset-follow", metavar="none|children|all",
                             help="As for dump --subset.")] = "children",
    subset_skip: Annotated[Optional[list[str]], typer.Option("--subset-skip", metavar="TABLE.COLUMN",
                           help="As for dump --subset (repeatable).")] = None,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Discover every table, order them by foreign keys, and emit disable/cleanup/load/enable scripts."""
    if ddl is None and database is None and prisma is None:
        raise UsageError("give a DATABASE, --ddl FILE.sql or --prisma schema.prisma")
    if ddl is not None:
        result = plan_api.plan_ddl(ddl, database, prisma)
    elif database is None:
        result = plan_api.plan_prisma(prisma)  # type: ignore[arg-type]
    else:
        opts = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                                  defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
        result = plan_api.plan_database(opts, database, prisma)
    spec = subset_api.parse_spec(list(subset or []), subset_follow, subset_skip)
    if spec is not None:
        if database is None or ddl is not None:
            raise UsageError("plan --subset counts rows on the live server: give a DATABASE, not --ddl")
        commands.print_subset_plan(subset_api.plan_subset(opts, database, spec, str(prisma) if prisma else None,
                                                          None if as_json else commands.err_wrapped), as_json)
        return
    for note in [*result.schema.notes, *result.warnings]:
        warn(note)
    written = plan_api.write_plan_scripts(result, output, force) if output else []
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    p = result.plan
    subject = f"Database `{p.database}`" if p.database else str(ddl or prisma)  # a DDL file names no database
    typer.echo(f"{subject} ({result.schema.source}): {plural(len(p.load_order), 'table')}, "
               f"{plural(len(result.schema.views), 'view')}, {plural(len(p.cycles), 'cycle')}")
    typer.echo("Load order (parents first):")
    for i, t in enumerate(p.load_order, 1):
        cyc = " (in cycle)" if p.cycle_of(t) else ""
        typer.echo(f"  {i:3d}. {t}{cyc}")
    if p.cycles:
        typer.echo("Cycles:")
        for c in p.cycles:
            typer.echo(f"  - {c.describe()}")
    typer.echo("Cleanup order (children first): " + ", ".join(p.cleanup_order))
    if result.coverage is not None:
        for line in coverage_lines(result.coverage):
            typer.echo(line)
    for path in written:
        typer.echo(f"wrote {path}")


def coverage_lines(cov) -> list[str]:
    """The Prisma coverage as a table: every model, its table, what does not match."""
    width = max([len(m.model) for m in cov.models] + [5])
    twidth = max([len(m.table) for m in cov.models] + [5])
    lines = ["Prisma coverage:", f"  {'model':<{width}}  {'table':<{twidth}}  status"]
    for m in cov.models:
        status = []
        if not m.exists:
            status.append("NO TABLE")
        if m.empty:
            status.append("empty")
        if m.columns_without_table_column:
            status.append("fields without column: " + ", ".join(m.columns_without_table_column))
        if m.table_columns_without_field:
            status.append("columns without field: " + ", ".join(m.table_columns_without_field))
        lines.append(f"  {m.model:<{width}}  {m.table:<{twidth}}  {'; '.join(status) or 'ok'}")
    if cov.join_tables:
        lines.append("  implicit many-to-many tables: " + ", ".join(cov.join_tables))
    lines.append("  tables without a model: " + (", ".join(cov.tables_without_model) or "none"))
    lines.append("  models without a table: " + (", ".join(cov.models_without_table) or "none"))
    lines.append(f"  {len(cov.models)} models, {sum(m.exists for m in cov.models)} with a table, "
                 f"{len(cov.empty_models)} empty: " + ("complete" if cov.complete else "INCOMPLETE"))
    return lines


@app.command()
def dump(
    database: Annotated[Optional[str], typer.Argument(help="Database to dump.")] = None,
    tables: Annotated[Optional[list[str]], typer.Argument(help="Only these tables (default: all); with -B: "
                                                          "more databases.")] = None,
    databases_flag: Annotated[bool, typer.Option("-B", "--databases", help="Every argument is a database; all in "
                                                 "one snapshot, with CREATE DATABASE + USE in --stdout.")] = False,
    all_databases: Annotated[bool, typer.Option("-A", "--all-databases", help="Every database but mysql, "
                                                "information_schema, performance_schema and sys; users and grants "
                                                "are not dumped.")] = False,
    output: Annotated[Optional[str], typer.Option("-o", "--output", help="New directory for the dump, or an "
                                                  "object-storage prefix (s3://BUCKET/PREFIX).")] = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Write one SQL stream to stdout (pipe into mariadb).")] = False,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", help="Leave out this table (repeatable).")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="Only rows matching this condition, every table.")] = None,
    no_data: Annotated[bool, typer.Option("--no-data", help="Schema only.")] = False,
    no_schema: Annotated[bool, typer.Option("--no-schema", help="Data only.")] = False,
    routines: Annotated[Optional[bool], typer.Option("--routines/--skip-routines", help="Routines and packages (default: "
                        "with the whole database, not with a table list).", show_default=False)] = None,
    events: Annotated[Optional[bool], typer.Option("--events/--skip-events", help="Events (default: as for routines).",
                      show_default=False)] = None,
    dump_history: Annotated[bool, typer.Option("--dump-history", help="Every row version of system-versioned tables "
                            "(FOR SYSTEM_TIME ALL, with row start and end); default: current rows, and a warning "
                            "naming each table whose history is left out.")] = False,
    chunk_size: Annotated[str, typer.Option("--chunk-size", help="Bytes per chunk file (e.g. 8MiB, 10MB); a table of N chunks "
                                              "restores on up to N connections.")] = "8MiB",
    statement_size: Annotated[str, typer.Option("--statement-size",
                                                help="Bytes per INSERT (capped by max_allowed_packet).")] = "1MiB",
    validate: Annotated[str, typer.Option("--validate", help="shape (each table's statement parsed by "
                                          "sqlglot once, every statement's rows scanned against it), first (also "
                                          "sqlglot on each chunk's first 4 KiB), all (also sqlglot on every "
                                          "statement), none.")] = "shape",
    workers: Annotated[int, typer.Option("--workers", "-w", help="Connections reading at once (-o only); big "
                                         "tables are split by key range. More than 1 needs RELOAD for a brief "
                                         "commit lock. Default 0: one per core, up to 4, on MariaDB 10.4+, but one "
                                         "for many small tables (docs/dump.md); one where the lock is not granted "
                                         "(said).")] = 0,
    compress: Annotated[str, typer.Option("--compress", metavar="none|zstd[:LEVEL]",
                                          help="Chunk files: none, or zstd[:LEVEL] (1-22, default 3) "
                                          "as data/*.sql.zst (-o only).")] = "none",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON (on stdout; stderr with --stdout).")] = False,
    prisma: Annotated[Optional[Path], typer.Option("--prisma", help="Prisma schema (file or folder) whose relations "
                                                   "order the tables too (relationMode = \"prisma\": no FKs).")] = None,
    annotate: Annotated[bool, typer.Option("--annotate", help="End each row line with a -- comment naming the row "
                                           "through its foreign keys / relations.")] = False,
    label: Annotated[Optional[list[str]], typer.Option("--label", help="TABLE=COLUMN[,COLUMN]: what names a row of "
                                                       "TABLE in --annotate and --stats (repeatable).")] = None,
    stats: Annotated[Optional[list[str]], typer.Option("--stats", help="TABLE.COLUMN: count rows per value, labels "
                                                       "through the relation; summary and manifest (repeatable).")] = None,
    append: Annotated[bool, typer.Option("--append", help="The SQL (--stdout, scripts/load.sql) may add rows to "
                                         "keyless tables that already hold rows (default: the client stops there).")] = False,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="With an s3:// URL: the "
                                                        "S3-compatible server to use (default: AWS).")] = None,
    subset: Annotated[Optional[list[str]], typer.Option("--subset", metavar="TABLE:CONDITION", help="Only these "
                      "rows and what they need: the rows they reference (always) and the rows that reference "
                      "them (--subset-follow); repeatable.")] = None,
    subset_follow: Annotated[str, typer.Option("--subset-follow", metavar="none|children|all", help="Rows that "
                             "reference the subset: none, children (of the roots, transitively) or all (of any row "
                             "taken).")] = "children",
    subset_skip: Annotated[Optional[list[str]], typer.Option("--subset-skip", metavar="TABLE.COLUMN", help="Do not "
                           "follow this foreign key down to TABLE's rows (repeatable).")] = None,
    mask: Annotated[Optional[list[str]], typer.Option("--mask", metavar="TABLE.COLUMN=RULE", help="Mask this column "
                    "(and the foreign keys that reference it): hash, email, keep-domain, name, phone, null, "
                    "constant:VALUE, redact, shift-date:N, uuid (repeatable).")] = None,
    mask_file: Annotated[Optional[list[Path]], typer.Option("--mask-file", help="A file of TABLE.COLUMN=RULE lines, "
                         "as --mask (repeatable).")] = None,
    mask_key_file: Annotated[Optional[Path], typer.Option("--mask-key-file", help="The masking secret (else "
                             "$DUMPCORE_MASK_KEY); the same secret masks the same values the same way.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="A previous dump directory of this database "
                                                 "(with --store: latest, or a dump's NAME): read and write only the "
                                                 "key ranges that changed since (the server compares their "
                                                 "fingerprints), link the rest; a complete dump.")] = None,
    changes: Annotated[str, typer.Option("--changes", metavar="fingerprints|binlog", help="With --since, how "
                                         "changed key ranges are found: fingerprints (the server reads every row) "
                                         "or binlog (the binary log since PREV, ROW format: fast, but blind to "
                                         "sql_log_bin=0 writes).")] = "fingerprints",
    store: Annotated[Optional[Path], typer.Option("--store", help="Write the dump into this chunk store, as "
                                                  "STORE/dumps/NAME: a chunk already in the store is not stored "
                                                  "again (in place of -o).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="The dump's NAME in --store (default: the UTC "
                                                "time, e.g. 2026-12-07T043500Z).")] = None,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Dump a database: FK-ordered, chunked idempotent INSERTs, XXH3-128 per chunk, a manifest."""
    commands.dump(**locals())  # the parameters, as typer parsed them


@app.command()
def restore(
    directory: Annotated[str, typer.Argument(help="A dump directory (made by `dumpcore dump -o`), or its "
                                            "s3://BUCKET/PREFIX.")],
    database: Annotated[Optional[str], typer.Option("--database", "-D", help="Target database (default: the dumped one).")] = None,
    databases: Annotated[Optional[list[str]], typer.Option("--databases", help="Of a dump made with -B/-A: restore "
                                                           "only this database (repeatable).")] = None,
    # a callable default: click calls it at each run (the fast path's table names it, cli/fastspec.py)
    parallel: Annotated[int, typer.Option("--parallel", "-j", help="Connections loading chunks at once; 0: one per CPU core.",
                                          show_default="the number of CPU cores")] = cpu_cores,  # type: ignore[assignment]
    tables: Annotated[Optional[list[str]], typer.Option("--tables", help="Restore only this table (repeatable).")] = None,
    cleanup: Annotated[bool, typer.Option("--cleanup", help="Empty the dumped tables first, children first.")] = False,
    append: Annotated[bool, typer.Option("--append", help="Allow loading keyless tables that already hold rows.")] = False,
    defer_triggers: Annotated[bool, typer.Option("--defer-triggers", help="Save, drop and re-create the target's "
                                                 "triggers around the load, so they do not fire.")] = False,
    fire_triggers: Annotated[bool, typer.Option("--fire-triggers", help="Let the target's triggers fire while "
                                                "loading (default: a restore they would change is refused).")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Load only what an interrupted restore did not commit.")] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Make the live database equal to the dump by loading "
                                         "only the key ranges that differ (each emptied first, in the chunk's "
                                         "transaction); keyless tables that differ need --cleanup.")] = False,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Skip checking every chunk hash first and proving the restored content (the summary says NOT proven).")] = False,
    print_replication: Annotated[bool, typer.Option("--print-replication", help="Only print the CHANGE MASTER TO / "
                                                    "GTID statements that start a replica at the dump's snapshot.")] = False,
    verify_after: Annotated[bool, typer.Option("--verify", help="At the end, compare the restored tables with the "
                                               "dump (verify --against); any difference is exit 1.")] = False,
    state_dir: Annotated[Optional[Path], typer.Option("--state-dir", help="Where the journal, rejects and saved "
                                                      "triggers go (default: the dump directory when writable, else "
                                                      "~/.local/state/dumpcore/).")] = None,
    load_method: Annotated[str, typer.Option("--load-method", help="auto: LOAD DATA LOCAL INFILE into tables "
                                             "empty at the start, upserts elsewhere; upsert; load-data.")] = "auto",
    skip_binlog: Annotated[bool, typer.Option("--skip-binlog", help="Keep the restore out of the server's binary "
                                              "log (SET SESSION sql_log_bin = 0; needs SUPER or BINLOG ADMIN): "
                                              "replicas do not get it.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    prisma: Annotated[Optional[Path], typer.Option("--prisma", help="Prisma schema (file or folder) whose relations "
                                                   "order the tables too (relationMode = \"prisma\": no FKs).")] = None,
    missing_ok: Annotated[bool, typer.Option("--missing-ok", help="No backup at DIRECTORY (absent or empty): say so "
                                             "and exit 0, for seed hooks.")] = False,
    into_current_schema: Annotated[bool, typer.Option("--into-current-schema", help="Load rows by column name into "
                                                      "the target's tables as they are now (a changed schema).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --into-current-schema: print the schema diff and "
                                          "what the restore would do; write nothing.")] = False,
    rename: Annotated[Optional[list[str]], typer.Option("--rename", help="OLD=NEW: a dumped table (or TABLE.COLUMN) "
                                                        "loads into NEW (repeatable).")] = None,
    set_column: Annotated[Optional[list[str]], typer.Option("--set", help="TABLE.COLUMN=SQL: a column the target adds, "
                                                            "computed per row from the dumped row (repeatable).")] = None,
    drop: Annotated[Optional[list[str]], typer.Option("--drop", help="TABLE.COLUMN the target dropped: leave its "
                                                      "values out; TABLE: do not restore it (repeatable).")] = None,
    drop_missing: Annotated[bool, typer.Option("--drop-missing", help="Leave out every dumped column the target "
                                               "no longer has.")] = False,
    keep_target: Annotated[Optional[list[str]], typer.Option("--keep-target", help="Leave this target table as it is: "
                                                             "not emptied, not loaded (repeatable).")] = None,
    follow: Annotated[bool, typer.Option("--follow", help="Restore while the dump is written: load each chunk as "
                                         "it is stored, finish and prove every table once the manifest appears. "
                                         "Each chunk is checked as it arrives, not all before the first "
                                         "write.")] = False,
    follow_timeout: Annotated[int, typer.Option("--follow-timeout", help="With --follow: a dump that stores "
                                                  "nothing new for this many seconds has stopped (an error).")] = 600,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="With an s3:// URL: the "
                                                        "S3-compatible server to use (default: AWS).")] = None,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Restore a dump in parallel: checked first, resumable, failing rows set aside in rejects/."""
    commands.restore(**locals())  # the parameters, as typer parsed them


@app.command()
def verify(
    path: Annotated[str, typer.Argument(help="A dump directory (or its s3://BUCKET/PREFIX), or a stream file "
                                       "from `dump --stdout` / `cat`.")],
    against: Annotated[Optional[str], typer.Option("--against", help="Compare this live database with the dump "
                                                  "(a -B/-A dump: '*' for each database, or NAME[,NAME]).")] = None,
    decompress: Annotated[bool, typer.Option("--decompress", help="Also decompress every .zst chunk and check its "
                                             "uncompressed size and hash.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="With an s3:// URL: the "
                                                        "S3-compatible server to use (default: AWS).")] = None,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Check every chunk hash (exit 0 only when all match), or compare a live database with the dump."""
    commands.verify(**locals())  # the parameters, as typer parsed them


@app.command()
def cat(
    directory: Annotated[str, typer.Argument(help="A dump directory, or its s3://BUCKET/PREFIX.")],
    append: Annotated[bool, typer.Option("--append", help="The stream may add rows to keyless tables that already "
                                         "hold rows (default: the client stops there).")] = False,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="With an s3:// URL: the "
                                                        "S3-compatible server to use (default: AWS).")] = None,
) -> None:
    """Write a dump as one SQL stream in load order, every chunk checked first: `dumpcore cat DIR | mariadb DB`."""
    from dumpcore.store.objectstore import local_dump

    summary = server_dump.cat_any(local_dump(directory, endpoint_url), None, append)
    for w in summary.warnings:
        warn(w)


@app.command()
def diff(
    a: Annotated[Path, typer.Argument(help="A dump directory (side A).")],
    b: Annotated[Optional[Path], typer.Argument(help="Another dump directory (side B); without it, B is the "
                                                "live database (-D, default: the dumped one).")] = None,
    database: Annotated[Optional[str], typer.Option("--database", "-D", help="The live database to compare "
                                                    "with A (default: the dumped database's name).")] = None,
    tables: Annotated[Optional[list[str]], typer.Option("--tables", help="Only this table (repeatable).")] = None,
    rows: Annotated[bool, typer.Option("--rows", help="List the keys that differ in each changed range.")] = False,
    row_limit: Annotated[int, typer.Option("--row-limit", help="Keys listed per range with --rows; the rest "
                                           "are counted.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Compare a dump with another dump or a live database, per table and key range (exit 1: they differ)."""
    from .diffing import diff as run_diff

    equal = run_diff(a=a, b=b, database=database, tables=tables, rows=rows, row_limit=row_limit, as_json=as_json,
                     conn=lambda: connection_options(host, port, user, socket, password, password_prompt,
                                                     defaults_file, defaults_extra_file, ssl_mode, ssl_ca, ssl_cert,
                                                     ssl_key))
    if not equal:
        raise typer.Exit(1)


@app.command()
def gc(
    store: Annotated[Path, typer.Argument(help="A chunk store (made by `dump --store`).")],
    delete: Annotated[Optional[list[str]], typer.Option("--delete", help="Delete this dump of the store first "
                                                        "(repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Delete dumps of a chunk store, then every chunk no remaining dump names."""
    from dumpcore.store.chunk_store import collect, dump_names

    report = collect(store, list(delete or []))
    if as_json:
        typer.echo(json.dumps({**report.to_dict(), "dumps": dump_names(store)}, indent=2))
        return
    for name in report.deleted_dumps:
        typer.echo(f"deleted dump {name}")
    for line in wrapped(f"{plural(report.deleted_chunks, 'chunk')} no dump names deleted "
                        f"({report.freed_bytes:,} bytes), {plural(report.kept_chunks, 'chunk')} kept; "
                        f"{plural(len(dump_names(store)), 'dump')} in {store}"):
        typer.echo(line)


@sandbox_app.command("start")
def sandbox_start(
    directory: Annotated[Path, typer.Option("--dir", help="Where the sandbox keeps its data.",
                                          show_default=SANDBOX_DIR_SHOWN)] = DEFAULT_SANDBOX_DIR,
    profile: Annotated[str, typer.Option("--profile", help="sandbox: durability traded for speed; production: "
                                         "binary log on, sync_binlog=1, innodb_flush_log_at_trx_commit=1, "
                                         "doublewrite on.")] = "sandbox",
) -> None:
    """Start a throwaway MariaDB (or show the one already running under --dir)."""
    box = Sandbox(directory, profile=profile)
    st = box.start()
    typer.echo(f"MariaDB {st.version} running (pid {st.pid}), data in {st.datadir}")
    typer.echo(f"  connect: mariadb -h127.0.0.1 -P{st.port} -uroot   or   mariadb -S {st.socket} -uroot")
    typer.echo(f"  dumpcore: dumpcore plan DB -h 127.0.0.1 -P {st.port} -u root")
    typer.echo(f"  tests:   export DUMPCORE_TEST_DSN='mysql://root@127.0.0.1:{st.port}/'")


@sandbox_app.command("stop")
def sandbox_stop(
    directory: Annotated[Path, typer.Option("--dir", help="The sandbox's directory.",
                                          show_default=SANDBOX_DIR_SHOWN)] = DEFAULT_SANDBOX_DIR,
    remove: Annotated[bool, typer.Option("--remove", help="Also delete its data directory.")] = False,
) -> None:
    """Stop the sandbox started under --dir (only that process)."""
    was = Sandbox(directory).stop(remove=remove)
    typer.echo("stopped" if was else f"no sandbox running under {directory}")


@sandbox_app.command("status")
def sandbox_status(
    directory: Annotated[Path, typer.Option("--dir", help="The sandbox's directory.",
                                          show_default=SANDBOX_DIR_SHOWN)] = DEFAULT_SANDBOX_DIR,
) -> None:
    """Say whether the sandbox under --dir runs, and how to connect (exit 1 if not)."""
    box = Sandbox(directory)
    if not box.is_running():
        typer.echo(f"no sandbox running under {directory}")
        raise typer.Exit(1)
    st = box.state
    typer.echo(f"running: pid {st.pid}, port {st.port}, socket {st.socket}, MariaDB {st.version}")  # type: ignore[union-attr]


@app.command()
def sample(
    database: Annotated[str, typer.Argument(help="Name of the new database to create.")],
    scale: Annotated[float, typer.Option("--scale", help="Size, linear (1.0: about 100k rows; 5: five times "
                                         "as many).")] = 1.0,
    write_prisma: Annotated[Optional[Path], typer.Option("--write-prisma", help="Also write the school's Prisma "
                                                         "schema to this new file (for dump --prisma).")] = None,
    host: Host = None, port: Port = None, user: User = None, socket: Socket = None,
    password: Password = None, password_prompt: PasswordPrompt = False, defaults_file: DefaultsFile = None,
    defaults_extra_file: DefaultsExtraFile = None, ssl_mode: SslMode = None, ssl_ca: SslCa = None,
    ssl_cert: SslCert = None, ssl_key: SslKey = None,
) -> None:
    """Create the demo's sample school as a new database on your own server, to try dumpcore on."""
    from dumpcore.sandbox.sample import create_sample

    conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                              defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
    counts = create_sample(conn, database, scale, write_prisma)
    for line in wrapped(f"created `{database}` on {conn.describe()}: {len(counts)} tables, "
                        f"{sum(counts.values()):,} rows", indent="  "):
        typer.echo(line)
    if write_prisma is not None:
        typer.echo(f"wrote {write_prisma} (the school's Prisma schema)")
    typer.echo(f"  try: dumpcore dump {database} -o {database}-dump")
    typer.echo(f"       dumpcore restore {database}-dump -D {database}_copy")


@app.command()
def demo(
    scale: Annotated[float, typer.Option(help="Size of the sample school, linear (1.0: about 100k rows).")] = 1.0,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the demo's files.")] = Path("demo-out"),
) -> None:
    """The main job on an embedded default: a throwaway MariaDB with a sample school database."""
    from dumpcore.sandbox.demo import run_demo

    run_demo(scale=scale, output=output, echo=typer.echo)


def _whole_descriptions(*typers: typer.Typer) -> None:
    """Command lists in --help show each command's description whole (click cuts it at 45
    characters with "..." unless the command has a short help of its own)."""
    import inspect

    for each in typers:
        for info in each.registered_commands:
            if info.short_help is None and info.callback is not None:
                info.short_help = (inspect.getdoc(info.callback) or "").split("\n\n")[0]


_whole_descriptions(app, sandbox_app)


def main() -> None:
    argv = normalize_password_args(sys.argv[1:])
    try:
        # standalone_mode=False: usage errors come here to be one line, not click's box.
        code = app(args=argv, prog_name="dumpcore", standalone_mode=False)
    except NoArgsIsHelp as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        sys.exit(exc.exit_code)
    except UsageErrors as exc:
        err(f"Error: {usage_error_line(exc, argv)}")
        sys.exit(2)
    except DumpcoreError as exc:
        exit_on_error(exc)
    except KeyboardInterrupt:  # outside a command (typer turns one inside into exit code 130)
        code = 130
    if code == 130:
        exit_interrupted(argv)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
