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

from .columns import after_last, fit_name, human_bytes, plural, table_lines, terminal_width, wrapped
from .connect import connection_options
from .exits import echo, err, warn

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


TABLES_SHOWN = 20  # tables in a summary; the rest are one line (the manifest and --json have them all)


def shown_items(items: list[dict], weight: str, shown: int, must=lambda t: False) -> tuple[list[dict], list[dict]]:
    """The items a summary lists (tables, a column's values), in their own order, and the
    rest: all of them up to ``shown``, else every item ``must`` names (a problem is never
    left out) and then the heaviest by ``weight``."""
    if len(items) <= shown:
        return items, []
    keep = {i for i, t in enumerate(items) if must(t)}
    for i in sorted(range(len(items)), key=lambda i: -items[i][weight]):
        if len(keep) >= shown:
            break
        keep.add(i)
    return ([t for i, t in enumerate(items) if i in keep],
            [t for i, t in enumerate(items) if i not in keep])


def more_tables(rest: list[dict]) -> str:
    return f"({plural(len(rest), 'more table')})"  # each in the manifest and in --json


def dump_summary_lines(summary) -> list[str]:
    """The per-table summary of a dump, each line within the terminal's width: the
    TABLES_SHOWN largest tables when there are more, and a line for the rest."""
    d = summary.to_dict()
    listed, rest = shown_items(d["tables"], "bytes", TABLES_SHOWN)
    rows = [[t["name"], f"{t['rows']:,}", human_bytes(t["bytes"]), f"{t['chunks']:,}", f"{t['seconds']:.2f}"]
            for t in listed]
    if rest:
        rows.append([more_tables(rest), f"{sum(t['rows'] for t in rest):,}", human_bytes(sum(t["bytes"] for t in rest)),
                     f"{sum(t['chunks'] for t in rest):,}", ""])
    rows.append(["total", f"{d['total_rows']:,}", human_bytes(d["total_bytes"]), f"{d['total_chunks']:,}",
                 f"{d['seconds']:.2f}"])
    lines = table_lines(["table", "rows", "bytes", "chunks", "seconds"], rows)
    after_last(lines, f"({d['rows_per_second']:,} rows/s)" if d["rows_per_second"] else "(-)")
    biggest = max(d["tables"], key=lambda t: t["max_statement_bytes"], default=None)
    if biggest and biggest["max_statement_bytes"]:
        # the statement sizes per table are in --json and the manifest
        lines += wrapped(f"max_allowed_packet for a restore: >= {biggest['max_allowed_packet']} "
                         f"(`{fit_name(biggest['name'], 30)}`)")
    return (lines + incremental_lines(d.get("incremental")) + store_lines(d.get("store"))
            + stats_summary_lines(d.get("stats", [])))


def store_lines(stored: dict | None) -> list[str]:
    """What --store added to the store, and what it held already."""
    if stored is None:
        return []
    return wrapped(f"store: {plural(stored['added_chunks'], 'chunk')} added ({human_bytes(stored['added_bytes'])}), "
                   f"{plural(stored['shared_chunks'], 'chunk')} already there ({human_bytes(stored['shared_bytes'])})")


def incremental_lines(inc: dict | None) -> list[str]:
    """What --since reused and what it dumped anew; the tables dumped whole, with why."""
    if inc is None:
        return []
    lines = wrapped(f"since {inc['since']}: {plural(inc['reused_chunks'], 'chunk')} unchanged, linked "
                    f"({human_bytes(inc['reused_bytes'])}); {plural(inc['ranges_changed'], 'key range')} changed or "
                    f"new, {plural(inc['dumped_chunks'], 'chunk')} written")
    binlog = inc.get("binlog") or {}
    if "from" in binlog:
        lines += wrapped(f"changes read from the binary log, {binlog['from']} to {binlog['to']} "
                         f"({human_bytes(binlog['bytes'])}): {plural(binlog['tables_changed'], 'table')} changed",
                         indent="  ")
    for table, why in inc.get("fingerprinted", {}).items():
        lines += wrapped(f"fingerprinted: `{fit_name(table, 40)}` ({why})", indent="  ")
    for table, why in inc["whole"].items():
        lines += wrapped(f"dumped whole: `{fit_name(table, 40)}` ({why})", indent="  ")
    return lines


STATS_SHOWN = 20  # values of a --stats column in the summary; the manifest keeps them all (up to stats.MAX_VALUES)


def stats_summary_lines(entries: list[dict], shown: int = STATS_SHOWN) -> list[str]:
    """The --stats counts: per column, its values (the ``shown`` with the most rows, in value
    order, when there are more) and a line for the rest; every line within the width."""
    width = terminal_width()
    lines = []
    for e in entries:
        ref = f" -> {e['references']}" if e.get("references") else ""
        lines += wrapped(f"stats {e['table']}.{e['column']}{ref}: {e['rows']:,} rows, "
                         f"{plural(e['distinct'], 'distinct value')}", indent="  ")
        values = e["values"]
        rest_values = e["distinct"] - min(len(values), shown)
        rest_rows = e.get("other_values_rows", 0)
        values, rest = shown_items(values, "count", shown)
        rest_rows += sum(v["count"] for v in rest)
        counts = max([len(f"{v['count']:,}") for v in values] + [len(f"{rest_rows:,}")])
        texts = [str(v["value"]) if v["value"] is not None else "NULL" for v in values]
        value_width = min(max([len(t) for t in texts] + [4]), (width - 6 - counts) // 2)
        for v, text in zip(values, texts):
            line = f"  {fit_name(text, value_width):>{value_width}}  {v['count']:>{counts},}"
            if v.get("label") is not None:
                line += "  " + fit_name(v["label"], width - len(line) - 2)
            lines.append(line)
        if rest_values:
            lines += wrapped(f"  {'other':>{value_width}}  {rest_rows:>{counts},}  "
                             f"({plural(rest_values, 'more value')}: see the manifest)", width, indent="  ")
    return lines


def print_dump_summary(summary) -> None:
    """The per-table summary, on stderr (stdout may be the SQL stream)."""
    for line in dump_summary_lines(summary):
        err(line)


def subset_lines(entry: dict, estimates: dict[str, int] | None = None) -> list[str]:
    """A subset's rows per table (the tables it takes), each line within the width."""
    rows = [[t, f"{n:,}"] + ([f"{estimates.get(t, 0):,}"] if estimates is not None else [])
            for t, n in entry["rows"].items() if n]
    rows.append(["total", f"{sum(entry['rows'].values()):,}"] + ([""] if estimates is not None else []))
    head = ["table", "rows"] + (["of ~rows"] if estimates is not None else [])
    roots = "; ".join(f"{r['table']}: {r['where']}" for r in entry["roots"])
    lines = wrapped(f"subset of {roots} (follow {entry['follow']}"
                    + (f", skip {', '.join(entry['skip'])}" if entry["skip"] else "")
                    + f"): {entry['rounds']} rounds")
    return lines + table_lines(head, rows)


def err_wrapped(text: str) -> None:
    """A line on stderr, wrapped to the terminal's width (a subset round naming many tables)."""
    for line in wrapped(text, indent="  "):
        err(line)


def print_subset_plan(plan, as_json: bool) -> None:
    """``plan --subset``: the rows per table a dump would take, and the tables left empty."""
    for w in plan.warnings:
        warn(w)
    d = plan.to_dict()
    if as_json:
        echo(json.dumps(d, indent=2))
        return
    for line in subset_lines(d, d["table_rows_estimate"]):
        echo(line)
    empty = [t for t, n in d["rows"].items() if not n]
    if empty:
        for line in wrapped("no rows from: " + ", ".join(empty)):
            echo(line)


def dump(
    *,
    database: str | None, tables: list[str] | None, databases_flag: bool, all_databases: bool, output: str | None,
    stdout: bool, exclude: list[str] | None, where: str | None, no_data: bool, no_schema: bool,
    routines: bool | None, events: bool | None, dump_history: bool, chunk_size: str, statement_size: str, validate: str, workers: int,
    compress: str, quiet: bool, as_json: bool, prisma: Path | None, annotate: bool, label: list[str] | None,
    stats: list[str] | None, append: bool, endpoint_url: str | None, subset: list[str] | None, subset_follow: str,
    subset_skip: list[str] | None, mask: list[str] | None, mask_file: list[Path] | None,
    mask_key_file: Path | None, since: str | None, changes: str, store: Path | None, name: str | None, host: str | None,
    port: int | None, user: str | None, socket: str | None,
    password: str | None, password_prompt: bool, defaults_file: Path | None, defaults_extra_file: Path | None,
    ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None, ssl_key: Path | None,
) -> None:
    """Dump a database: FK-ordered, chunked idempotent INSERTs, XXH3-128 per chunk, a manifest."""
    from dumpcore.dump import dump as dump_api
    from dumpcore.dump import subset as subset_api
    from dumpcore.store.compression import parse_compression
    from dumpcore.store.objectstore import is_url

    if [stdout, output is not None, store is not None].count(True) != 1:
        raise UsageError("give exactly one of -o DIR, --store STORE or --stdout")
    if name is not None and store is None:
        raise UsageError("--name names a dump in --store STORE")
    if no_data and no_schema:
        raise UsageError("--no-data and --no-schema together leave nothing to dump")
    many = databases_flag or all_databases
    if all_databases and (databases_flag or database):
        raise UsageError("-A dumps every database and takes no names", hint="use -B DB... to name databases")
    if database is None and not all_databases:
        raise UsageError("give a DATABASE, -B DATABASE..., or -A")
    spec = subset_api.parse_spec(list(subset or []), subset_follow, subset_skip)
    if spec is not None and many:
        raise UsageError("--subset names tables of one database: dump one DATABASE")
    masks, mask_key = {}, None
    if mask or mask_file:
        from dumpcore.codec import masking

        if many:
            raise UsageError("--mask names columns of one database: dump one DATABASE")
        masks = masking.parse_masks(list(mask or []), list(mask_file or []))
        mask_key = masking.load_key(mask_key_file)
    elif mask_key_file is not None:
        raise UsageError("--mask-key-file without --mask or --mask-file masks nothing")
    opts = dump_api.DumpOptions(tables=[] if many else list(tables or []), exclude=list(exclude or []), where=where, no_data=no_data,
                                no_schema=no_schema, routines=routines, events=events, dump_history=dump_history,
                                chunk_size=dump_api.parse_size(chunk_size),
                                statement_size=dump_api.parse_size(statement_size), validate=validate,
                                workers=workers, prisma=str(prisma) if prisma else None,
                                compression=parse_compression(compress), annotate=annotate,
                                labels=list(label or []), stats=list(stats or []), append=append,
                                subset=spec, subset_report=None if quiet else err_wrapped, masks=masks,
                                mask_key=mask_key, since=since if store is None else None, changes=changes)
    remote = output is not None and is_url(output)
    if remote and many:
        raise UsageError("-B/-A dumps go to a directory; a dump to object storage holds one database",
                         hint="dump each database to its own prefix")
    if (since is not None or store is not None) and (stdout or many or remote):
        raise UsageError(f"--{'since' if since is not None else 'store'} makes a directory dump of one database "
                         "(-o DIR or --store STORE)")
    conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                              defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
    progress = _progress(quiet)
    if many:
        from dumpcore.dump import server_dump

        names = None if all_databases else [database, *(tables or [])]
        run = server_dump.dump_databases_to_stream if stdout else server_dump.dump_databases_to_directory
        summary = run(conn, names, None if stdout else Path(output), opts, lambda: _progress(quiet)).merged()  # type: ignore[operator]
    else:
        from dumpcore.dump import validation

        validation.end_when_finished()  # one dump in this process: the validator's exit overlaps its end
        if stdout:
            summary = dump_api.dump_to_stream(conn, database, None, opts, progress)  # type: ignore[arg-type]
        elif remote:
            from dumpcore.store.upload import dump_to_store

            summary = dump_to_store(conn, database, output, opts, progress, endpoint_url)  # type: ignore[arg-type]
        elif store is not None:
            summary = dump_api.dump_to_chunk_store(conn, database, store, name, since, opts,  # type: ignore[arg-type]
                                                   progress)
        else:
            summary = dump_api.dump_to_directory(conn, database, Path(output), opts, progress)  # type: ignore[arg-type]
    for w in summary.warnings:
        warn(w)
    if as_json:
        text = json.dumps(summary.to_dict(), indent=2)
        err(text) if stdout else echo(text)
    elif not quiet:
        print_dump_summary(summary)
        if not stdout:
            err(f"dump written to {summary.output}")
        if summary.compression.enabled and summary.bytes:
            ratio = f"{summary.sql_bytes / summary.bytes:.1f}x smaller" if summary.bytes else "no data"
            for line in wrapped(f"compressed with {summary.compression.describe()}: {human_bytes(summary.bytes)} "
                                f"stored for {human_bytes(summary.sql_bytes)} of SQL ({ratio}); scripts/load.sql "
                                f"cannot load .zst chunks: use dumpcore restore, dumpcore cat {summary.output} | "
                                "mariadb DB, or scripts/load-zstd.sh"):
                err(line)

def migrate_options(rename: list[str] | None, sets: list[str] | None, drop: list[str] | None,
                    drop_missing: bool, keep_target: list[str] | None):
    """restore's --rename OLD=NEW and --set TABLE.COLUMN=SQL (the others as given), as MigrateOptions."""
    from dumpcore.schema.diff import MigrateOptions

    def pairs(values: list[str] | None, option: str, form: str) -> dict[str, str]:
        out = {}
        for v in values or []:
            key, eq, value = v.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise UsageError(f"{option} takes {form}, not {v!r}")
            out[key.strip()] = value.strip()
        return out

    return MigrateOptions(pairs(rename, "--rename", "OLD=NEW"), pairs(sets, "--set", "TABLE.COLUMN=SQL-EXPRESSION"),
                          list(drop or []), drop_missing, list(keep_target or []))


def schema_diff_lines(diff) -> list[str]:
    """The schema diff of restore --into-current-schema --dry-run: per difference, what the
    restore does, within the terminal's width."""
    if not diff.differences:
        return [f"`{diff.database}` has the dump's schema: nothing to map"]
    lines: list[str] = []
    table = None
    for d in diff.differences:
        if d.table != table:
            table = d.table
            lines.append(f"table `{d.table}`")
        lines += wrapped(f"  {d.kind}: {d.what}", indent="    ")
        action = d.action.removeprefix("refused: ")
        lines += wrapped(f"    {'REFUSED:' if d.refused else '->'} {action}", indent="      ")
    refused = len(diff.refusals)
    lines += wrapped(f"{len(diff.differences)} difference(s), " + (f"{refused} refused: the restore would stop "
                     "before writing anything" if refused else "none refused") + "; nothing written (--dry-run)")
    return lines


def restore_summary_lines(d: dict) -> list[str]:
    """The per-table summary of a restore (its to_dict()), each line within the terminal's
    width; a table short of or beyond the dump is said under the table. Beyond TABLES_SHOWN
    tables: those with rejected, missing or extra rows, the largest, and a line for the rest."""
    rows, notes = [], []
    listed, rest = shown_items(d["tables"], "rows", TABLES_SHOWN, lambda t: t["short"] or t["extra"] or t["rejected"])
    for t in listed:
        rows.append([t["name"], f"{t['expected']:,}", f"{t['rows']:,}", f"{t['rejected']:,}", f"{t['live']:,}",
                     f"{t['seconds']:.2f}"])
        if t["short"]:
            notes.append(f"`{t['name']}`: SHORT by {t['short']:,}")
        elif t["extra"]:
            notes.append(f"`{t['name']}`: +{t['extra']:,} beyond the dump")
    if rest:
        rows.append([more_tables(rest), *(f"{sum(t[k] for t in rest):,}" for k in ("expected", "rows", "rejected", "live")),
                     ""])
    rows.append(["total", f"{sum(t['expected'] for t in d['tables']):,}", f"{d['total_rows']:,}",
                 f"{d['total_rejected']:,}", f"{sum(t['live'] for t in d['tables']):,}", f"{d['seconds']:.2f}"])
    lines = table_lines(["table", "expected", "restored", "rejected", "live", "seconds"], rows)
    rate = f"{d['rows_per_second']:,} rows/s" if d["rows_per_second"] else "-"
    repair = d.get("repair")
    if repair is None:
        after_last(lines, f"({rate}; {d['loaded_chunks']:,} chunks loaded, {d['skipped_chunks']:,} already committed)")
    else:
        after_last(lines, f"({rate})")
        notes.insert(0, f"repair: {plural(repair['ranges_loaded'], 'key range')} differed and were loaded, "
                     f"{d['skipped_chunks']:,} chunk(s) left as they were, "
                     f"{plural(repair['ranges_emptied'], 'range')} of rows past the dump emptied"
                     + (f", {plural(len(repair['tables_reloaded']), 'keyless table')} reloaded whole"
                        if repair["tables_reloaded"] else ""))
    return lines + [line for note in notes for line in wrapped(note)]


def restore(
    *,
    directory: str, database: str | None, databases: list[str] | None, parallel: int, tables: list[str] | None,
    cleanup: bool, append: bool, defer_triggers: bool, fire_triggers: bool, resume: bool, repair: bool,
    no_verify: bool, print_replication: bool, verify_after: bool, state_dir: Path | None, load_method: str,
    skip_binlog: bool, quiet: bool, as_json: bool, prisma: Path | None, missing_ok: bool, into_current_schema: bool,
    dry_run: bool, rename: list[str] | None, set_column: list[str] | None, drop: list[str] | None,
    drop_missing: bool, keep_target: list[str] | None, follow: bool, follow_timeout: int, endpoint_url: str | None,
    host: str | None, port: int | None, user: str | None, socket: str | None, password: str | None,
    password_prompt: bool, defaults_file: Path | None,
    defaults_extra_file: Path | None, ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None,
    ssl_key: Path | None,
) -> None:
    """Restore a dump in parallel: checked first, resumable, failing rows set aside in rejects/."""
    from dumpcore.restore import restore as restore_api
    from dumpcore.dump import server_dump
    from dumpcore.codec import keep_freed_memory
    from dumpcore.dump.replication import replication_report
    from dumpcore.restore.seed import missing_backup
    from dumpcore.store.objectstore import local_dump

    keep_freed_memory()  # chunk blocks and statements reuse freed heap, not fresh zeroed pages
    if follow:
        refused = [n for n, on in (("--print-replication", print_replication), ("--missing-ok", missing_ok),
                                   ("--databases", bool(databases)), ("--dry-run", dry_run)) if on]
        if refused:
            raise UsageError(f"--follow does not take {', '.join(refused)}",
                             hint="once the dump is complete, restore it without --follow")
        if follow_timeout <= 0:
            raise UsageError(f"--follow-timeout takes a number of seconds above 0, not {follow_timeout}")
        if not no_verify:
            err("--follow: each chunk is checked as it arrives, not all before the first write")
    else:
        directory = local_dump(directory, endpoint_url)  # a URL: fetched, each file checked against the manifest
    if print_replication:
        for line in replication_report(directory):
            echo(line)
        return
    if missing_ok and (note := missing_backup(directory)):
        err(note)
        return
    opts = restore_api.RestoreOptions(database=database, parallel=parallel, tables=list(tables or []), cleanup=cleanup,
                                      append=append, defer_triggers=defer_triggers, fire_triggers=fire_triggers,
                                      resume=resume, repair=repair, verify=not no_verify, prove=not no_verify,
                                      verify_against=verify_after,
                                      state_dir=state_dir, prisma=str(prisma) if prisma else None,
                                      load_method=load_method, skip_binlog=skip_binlog,
                                      into_current_schema=into_current_schema,
                                      dry_run=dry_run, migrate=migrate_options(rename, set_column, drop, drop_missing,
                                                                               keep_target),
                                      follow=follow, follow_timeout=follow_timeout, endpoint_url=endpoint_url)
    conn = connection_options(host, port, user, socket, password, password_prompt, defaults_file,
                              defaults_extra_file, ssl_mode, ssl_ca, ssl_cert, ssl_key)
    progress = _progress(quiet)
    if follow:
        summary = restore_api.restore(directory, conn, opts, progress)
    elif server_dump.is_server_dump(directory):
        summary = server_dump.restore_databases(directory, conn, opts, list(databases or []) or None,
                                                lambda: _progress(quiet))
    elif databases:
        raise UsageError(f"--databases picks databases of a dump made with -B/-A; {directory} holds one database",
                         hint="use -D NAME for its target")
    else:
        summary = restore_api.restore(directory, conn, opts, progress)
    if dry_run:
        d = summary.schema_diff.to_dict()
        if as_json:
            echo(json.dumps(d, indent=2))
        else:
            for line in schema_diff_lines(summary.schema_diff):
                echo(line)
        failure = summary.schema_diff.error()
        if failure is not None:
            raise failure
        return
    for w in summary.warnings:
        warn(w)
    d = summary.to_dict()
    for table, why in d["not_proven"].items():
        warn(f"table `{table}` not proven: {why}")
    for table, columns in d["not_compared"].items():
        for line in wrapped(f"not compared by the proof: `{table}`: " + ", ".join(
                f"`{c}` ({why})" for c, why in columns.items())):
            err(line)
    if as_json:
        echo(json.dumps(d, indent=2))
    elif not quiet:
        for line in restore_summary_lines(d):
            err(line)
        if summary.verify_report is not None and summary.verify_report.ok:
            err(f"verified: `{summary.database}` matches the dump")
        proof = {"proven": "proven", "partly proven": f"{len(d['not_proven'])} table(s) not proven",
                 "not proven": "NOT proven (--no-verify)", "differs": "content differs"}[d["proof"]]
        if summary.binlog_skipped:
            err("binary log: skipped (--skip-binlog), replicas do not get this restore")
        err(f"{'complete' if d['complete'] else 'NOT complete'}, {proof}; restore state in {summary.state_dir}")
    failure = summary.failure()
    if failure is not None:
        raise failure


def verify_summary_lines(report) -> list[str]:
    """What ``verify`` checked, truthfully: the chunks found (a missing one is named, not counted)."""
    rate = f"{human_bytes(report.bytes / report.seconds)}/s" if report.seconds > 0 else "-"
    text = f"{report.chunks:,} chunks, {report.bytes:,} bytes checked in {report.seconds:.2f}s ({rate})"
    missing = [p.file for p in report.problems if p.kind == "missing"]
    if missing:
        more = f" and {len(missing) - 1:,} more" if len(missing) > 1 else ""
        text += f"; {plural(len(missing), 'listed file')} missing: {missing[0]}{more}"
    return wrapped(text)


def verify(
    *,
    path: str, against: str | None, decompress: bool, as_json: bool, endpoint_url: str | None, host: str | None, port: int | None,
    user: str | None, socket: str | None, password: str | None, password_prompt: bool, defaults_file: Path | None,
    defaults_extra_file: Path | None, ssl_mode: str | None, ssl_ca: Path | None, ssl_cert: Path | None,
    ssl_key: Path | None,
) -> None:
    """Check every chunk hash (exit 0 only when all match), or compare a live database with the dump."""
    from dumpcore.dump import server_dump
    from dumpcore.verify import verify as verify_api
    from dumpcore.store.objectstore import local_dump
    from dumpcore.codec import keep_freed_memory

    keep_freed_memory()  # chunk blocks reuse freed heap, not fresh zeroed pages
    path = local_dump(path, endpoint_url)  # a URL: fetched, each file checked against the manifest
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
            for note in getattr(report, "notes", []):  # a -B/-A report has none
                for line in wrapped(note):
                    echo(line)
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
        for line in verify_summary_lines(report):
            echo(line)
    if not report.ok:
        files = ", ".join(p.file for p in report.problems)
        raise DumpIntegrityError(f"{plural(len(report.problems), 'problem')} in {path}: {files}")
    if not as_json:
        echo("OK: every chunk matches its hash")
