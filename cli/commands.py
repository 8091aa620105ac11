"""The bodies of the hot commands (dump, restore, verify) as plain functions: the typer
commands in cli/app.py and the fast path (cli/fastpath.py) both call these, with the same
keyword parameters, so there is one implementation of each. Nothing here imports typer,
click, rich (only with a progress bar on a terminal) or pydantic."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dumpcore.errors import DumpIntegrityError, UsageError

from .connect import connection_options
from .exits import echo, err

# Each command imports the library modules it uses when it runs: a dump does not load
# restore's, and only -B/-A loads server_dump (every module is start-up on the critical path).


def cpu_cores() -> int:
    """restore --parallel's default: the number of CPU cores."""
    return os.cpu_count() or 1


def _progress(quiet: bool):
    """A progress bar on stderr when it is a terminal (rich is imported only then)."""
    if quiet or not sys.stderr.isatty():
        return None
    from .progress import RichDumpProgress

    return RichDumpProgress()


def _human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def print_dump_summary(summary) -> None:
    """The per-table summary, on stderr (stdout may be the SQL stream)."""
    from dumpcore.dump.stats import stats_lines

    d = summary.to_dict()
    width = max([len(t["name"]) for t in d["tables"]] + [5])
    err(f"{'table':<{width}}  {'rows':>12}  {'bytes':>11}  {'chunks':>6}  {'seconds':>8}")
    for t in d["tables"]:
        err(f"{t['name']:<{width}}  {t['rows']:>12,}  {_human_bytes(t['bytes']):>11}  {t['chunks']:>6}  "
            f"{t['seconds']:>8.2f}")
    rate = f"{d['rows_per_second']:,} rows/s" if d["rows_per_second"] else "-"
    err(f"{'total':<{width}}  {d['total_rows']:>12,}  {_human_bytes(d['total_bytes']):>11}  {d['total_chunks']:>6}  "
        f"{d['seconds']:>8.2f}  ({rate})")
    biggest = max(d["tables"], key=lambda t: t["max_statement_bytes"], default=None)
    if biggest and biggest["max_statement_bytes"]:
        # short for an 80-column terminal: the statement sizes per table are in --json and the manifest
        err(f"max_allowed_packet for a restore: >= {biggest['max_allowed_packet']} (`{biggest['name']}`)")
    for line in stats_lines(d.get("stats", [])):
        err(line)


def dump(
    *,
    database: str | None, tables: list[str] | None, databases_flag: bool, all_databases: bool, output: Path | None,
    stdout: bool, exclude: list[str] | None, where: str | None, no_data: bool, no_schema: bool,
    routines: bool | None, events: bool | None, dump_history: bool, chunk_size: str, statement_size: str, validate: str, workers: int,
    compress: str, quiet: bool, as_json: bool, prisma: Path | None, annotate: bool, label: list[str] | None,
    stats: list[str] | None, append: bool, host: str | None, port: int | None, user: str | None, socket: str | None,
    password: str | None, password_prompt: bool, defaults_file: Path | None, defaults_extra_file: Path | None,
    ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None, ssl_key: Path | None,
) -> None:
    """Dump a database: FK-ordered, chunked idempotent INSERTs, XXH3-128 per chunk, a manifest."""
    from dumpcore.dump import dump as dump_api
    from dumpcore.store.compression import parse_compression

    if stdout == (output is not None):
        raise UsageError("give exactly one of -o DIR or --stdout")
    if no_data and no_schema:
        raise UsageError("--no-data and --no-schema together leave nothing to dump")
    many = databases_flag or all_databases
    if all_databases and (databases_flag or database):
        raise UsageError("-A dumps every database and takes no names", hint="use -B DB... to name databases")
    if database is None and not all_databases:
        raise UsageError("give a DATABASE, -B DATABASE..., or -A")
    opts = dump_api.DumpOptions(tables=[] if many else list(tables or []), exclude=list(exclude or []), where=where, no_data=no_data,
                                no_schema=no_schema, routines=routines, events=events, dump_history=dump_history,
                                chunk_size=dump_api.parse_size(chunk_size),
                                statement_size=dump_api.parse_size(statement_size), validate=validate,
                                workers=workers, prisma=str(prisma) if prisma else None,
                                compression=parse_compression(compress), annotate=annotate,
                                labels=list(label or []), stats=list(stats or []), append=append)
    conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                              defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
    progress = _progress(quiet)
    if many:
        from dumpcore.dump import server_dump

        names = None if all_databases else [database, *(tables or [])]
        run = server_dump.dump_databases_to_stream if stdout else server_dump.dump_databases_to_directory
        summary = run(conn, names, None if stdout else output, opts, lambda: _progress(quiet)).merged()  # type: ignore[operator]
    else:
        from dumpcore.dump import validation

        validation.end_when_finished()  # one dump in this process: the validator's exit overlaps its end
        if stdout:
            summary = dump_api.dump_to_stream(conn, database, None, opts, progress)  # type: ignore[arg-type]
        else:
            summary = dump_api.dump_to_directory(conn, database, output, opts, progress)  # type: ignore[arg-type]
    for w in summary.warnings:
        err(f"Warning: {w}")
    if as_json:
        text = json.dumps(summary.to_dict(), indent=2)
        err(text) if stdout else echo(text)
    elif not quiet:
        print_dump_summary(summary)
        if not stdout:
            err(f"dump written to {summary.output}")
        if summary.compression.enabled and summary.bytes:
            ratio = f"{summary.sql_bytes / summary.bytes:.1f}x smaller" if summary.bytes else "no data"
            err(f"compressed with {summary.compression.describe()}: {_human_bytes(summary.bytes)} stored for "
                f"{_human_bytes(summary.sql_bytes)} of SQL ({ratio}); scripts/load.sql cannot load .zst chunks: "
                f"use dumpcore restore, dumpcore cat {summary.output} | mariadb DB, or scripts/load-zstd.sh")

def restore(
    *,
    directory: Path, database: str | None, databases: list[str] | None, parallel: int, tables: list[str] | None,
    cleanup: bool, append: bool, defer_triggers: bool, fire_triggers: bool, resume: bool, no_verify: bool,
    print_replication: bool, verify_after: bool, state_dir: Path | None, load_method: str, quiet: bool,
    as_json: bool, prisma: Path | None, missing_ok: bool, host: str | None, port: int | None, user: str | None,
    socket: str | None, password: str | None, password_prompt: bool, defaults_file: Path | None,
    defaults_extra_file: Path | None, ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None,
    ssl_key: Path | None,
) -> None:
    """Restore a dump in parallel: checked first, resumable, failing rows set aside in rejects/."""
    from dumpcore.restore import restore as restore_api
    from dumpcore.dump import server_dump
    from dumpcore.codec import keep_freed_memory
    from dumpcore.dump.replication import replication_report
    from dumpcore.restore.seed import missing_backup

    keep_freed_memory()  # chunk blocks and statements reuse freed heap, not fresh zeroed pages

    if print_replication:
        for line in replication_report(directory):
            echo(line)
        return
    if missing_ok and (note := missing_backup(directory)):
        err(note)
        return
    opts = restore_api.RestoreOptions(database=database, parallel=parallel, tables=list(tables or []), cleanup=cleanup,
                                      append=append, defer_triggers=defer_triggers, fire_triggers=fire_triggers,
                                      resume=resume, verify=not no_verify, verify_against=verify_after,
                                      state_dir=state_dir, prisma=str(prisma) if prisma else None,
                                      load_method=load_method)
    conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                              defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
    progress = _progress(quiet)
    if server_dump.is_server_dump(directory):
        summary = server_dump.restore_databases(directory, conn, opts, list(databases or []) or None,
                                                lambda: _progress(quiet))
    elif databases:
        raise UsageError(f"--databases picks databases of a dump made with -B/-A; {directory} holds one database",
                         hint="use -D NAME for its target")
    else:
        summary = restore_api.restore(directory, conn, opts, progress)
    for w in summary.warnings:
        err(f"Warning: {w}")
    d = summary.to_dict()
    if as_json:
        echo(json.dumps(d, indent=2))
    elif not quiet:
        width = max([len(t["name"]) for t in d["tables"]] + [5])
        err(f"{'table':<{width}}  {'expected':>12}  {'restored':>12}  {'rejected':>8}  {'live':>12}  {'seconds':>8}")
        for t in d["tables"]:
            note = f"  SHORT by {t['short']:,}" if t["short"] else (f"  +{t['extra']:,} beyond the dump"
                                                                   if t["extra"] else "")
            err(f"{t['name']:<{width}}  {t['expected']:>12,}  {t['rows']:>12,}  {t['rejected']:>8,}  {t['live']:>12,}  "
                f"{t['seconds']:>8.2f}{note}")
        rate = f"{d['rows_per_second']:,} rows/s" if d["rows_per_second"] else "-"
        expected = sum(t["expected"] for t in d["tables"])
        live = sum(t["live"] for t in d["tables"])
        err(f"{'total':<{width}}  {expected:>12,}  {d['total_rows']:>12,}  {d['total_rejected']:>8,}  {live:>12,}  "
            f"{d['seconds']:>8.2f}  ({rate}; {d['loaded_chunks']:,} chunks loaded, {d['skipped_chunks']:,} already "
            "committed)")
        if summary.verify_report is not None and summary.verify_report.ok:
            err(f"verified: `{summary.database}` matches the dump")
        err(f"{'complete' if d['complete'] else 'NOT complete'}; restore state in {summary.state_dir}")
    failure = summary.failure()
    if failure is not None:
        raise failure

def verify(
    *,
    path: Path, against: str | None, decompress: bool, as_json: bool, host: str | None, port: int | None,
    user: str | None, socket: str | None, password: str | None, password_prompt: bool, defaults_file: Path | None,
    defaults_extra_file: Path | None, ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None,
    ssl_key: Path | None,
) -> None:
    """Check every chunk hash (exit 0 only when all match), or compare a live database with the dump."""
    from dumpcore.dump import server_dump
    from dumpcore.verify import verify as verify_api
    from dumpcore.codec import keep_freed_memory

    keep_freed_memory()  # chunk blocks reuse freed heap, not fresh zeroed pages
    if against is not None:
        if not path.is_dir():
            raise UsageError("--against needs a dump directory")
        conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                                  defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
        if server_dump.is_server_dump(path):  # '*': each database under its own name
            report = server_dump.verify_databases_against(path, conn, None if against == "*" else against.split(","))
        else:
            report = verify_api.verify_against(path, conn, against)
        if as_json:
            echo(json.dumps(report.to_dict(), indent=2))
        else:
            for d in report.differences:
                echo(f"DIFFERS {d}")
            echo(f"{report.tables} tables, {report.rows:,} live rows compared in {report.seconds:.2f}s")
        if not report.ok:
            names = ", ".join(f"`{d.table}`" for d in report.differences)
            raise DumpIntegrityError(f"`{report.database}` differs from the dump in {names}")
        echo(f"OK: `{report.database}` holds what the dump holds")
        return
    report = server_dump.verify_any(path, decompress)
    if as_json:
        echo(json.dumps(report.to_dict(), indent=2))
    else:
        for p in report.problems:
            echo(f"BAD {p}")
        rate = f"{report.bytes / report.seconds / 1e6:.0f} MB/s" if report.seconds > 0 else "-"
        echo(f"{report.chunks:,} chunks, {report.bytes:,} bytes checked in {report.seconds:.2f}s ({rate})")
    if not report.ok:
        files = ", ".join(p.file for p in report.problems)
        raise DumpIntegrityError(f"{len(report.problems)} problem(s) in {path}: {files}")
    if not as_json:
        echo("OK: every chunk matches its hash")
