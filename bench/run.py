"""`make bench [SCALE=small] [RUNS=3]`: dumpcore against the peers, in one run, on one server.

Starts a sandbox MariaDB, generates the dataset, runs the encoder micro-benchmark, then
every dump tool and every restore tool: one warm-up run each (not counted), then RUNS
rounds with the order rotated each round so no tool always gets the warmer cache, and
before every run the server is let settle (no dirty pages, purge done). Every
restore is checked table by table for the expected row counts. Medians with min-max;
ratios dumpcore/peer are computed from the same run. Results: bench/results/*.json.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from dumpcore.connect.connection import quote_ident
from dumpcore.restore.state import live_row_counts
from dumpcore.sandbox.sandbox import PROFILES, Sandbox

from . import encoder_bench
from .dataset import LEDGER_SCALES, MANY_TABLES, SCALES, create_dataset, create_many_tables, drop_database
from .tools import Run, Tools, tree_bytes

HERE = Path(__file__).resolve().parent
DUMP_TOOLS = ["dumpcore-w1", "dumpcore-w2", "dumpcore-w1-zstd", "dumpcore-w1-subset", "dumpcore-w1-masked",
              "mydumper-t1", "mydumper-t2", "mariadb-dump"]
# to and from object storage: a local S3 server the bench starts (bench/s3.py); only with --tools
S3_DUMP_TOOLS = ["dumpcore-w2-s3"]
S3_RESTORE_TOOLS = ["dumpcore-p2-s3"]
S3_PAIRS = [("dump", "dumpcore-w2-s3", "dumpcore-w2"), ("restore", "dumpcore-p2-s3", "dumpcore-p2")]
S3_TARGET = 0.80  # issue #26: S3 rows/s at least 80% of the local directory's
RESTORE_TOOLS = ["dumpcore-p1", "dumpcore-p2", "dumpcore-p2-noproof", "dumpcore-p2-zstd", "myloader-t1", "myloader-t2", "mariadb-client",
                 "load-data-infile"]
# --compress zstd against the same dumpcore run uncompressed: (phase, plain, compressed)
COMPRESSION_PAIRS = [("dump", "dumpcore-w1", "dumpcore-w1-zstd"), ("restore", "dumpcore-p2", "dumpcore-p2-zstd")]
# issue #22's targets (set for large and xl; they replaced #11's 1.0 / 1.2 / 0.9, and the
# dump's 150 MB)
RATIOS = [
    ("dump", "dumpcore-w1", "mariadb-dump", 1.1),
    ("dump", "dumpcore-w1", "mydumper-t1", None),
    ("dump", "dumpcore-w2", "mydumper-t2", 1.2),
    ("restore", "dumpcore-p1", "myloader-t1", None),
    ("restore", "dumpcore-p2", "myloader-t2", 1.8),
    ("restore", "dumpcore-p1", "mariadb-client", None),
    ("restore", "dumpcore-p2", "load-data-infile", 1.0),
]
# on the production profile: the restore with --skip-binlog against myloader, which skips the
# binary log by default (#22: report both; no target of its own)
SKIPBINLOG_RATIO = ("restore", "dumpcore-p2-skipbinlog", "myloader-t2", None)
RSS_LIMITS = {"dump": 100, "restore": 200}
# the dump each restore tool loads (bench/tools.py: Tools.restore), run whenever that restore is
NEEDS_DUMP = {"dumpcore-p2-zstd": "dumpcore-w1-zstd", "myloader-t1": "mydumper-t2", "myloader-t2": "mydumper-t2",
              "mariadb-client": "mariadb-dump", "load-data-infile": None, "dumpcore-p2-s3": "dumpcore-w2-s3"}


def chosen_tools(names: str | None) -> tuple[list[str], list[str]]:
    """(dump tools, restore tools) of ``--tools`` (comma-separated; None: every one), with
    the dump each chosen restore loads."""
    if not names:
        return list(DUMP_TOOLS), list(RESTORE_TOOLS)
    asked = [n.strip() for n in names.split(",") if n.strip()]
    known = DUMP_TOOLS + S3_DUMP_TOOLS + RESTORE_TOOLS + S3_RESTORE_TOOLS
    unknown = [n for n in asked if n not in known + ["dumpcore-p2-skipbinlog"]]
    if unknown:
        raise SystemExit(f"Error: --tools: unknown tool(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    restore = [t for t in RESTORE_TOOLS + S3_RESTORE_TOOLS + ["dumpcore-p2-skipbinlog"] if t in asked]
    needed = {NEEDS_DUMP.get(t, "dumpcore-w1") for t in restore} - {None}
    return [t for t in DUMP_TOOLS + S3_DUMP_TOOLS if t in asked or t in needed], restore


def machine() -> dict:
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {"cores": os.cpu_count(), "ram_gib": round(mem / 1024 / 1024, 1), "kernel": platform.release(),
            "python": platform.python_version()}


def summarize(runs: list[Run], rows: int, errors: list[str] | None = None) -> dict:
    """Medians of a tool's measured runs; a peer's failed runs are counted and their
    errors kept (a tool with no run left has only those)."""
    errors = errors or []
    if not runs:
        return {"runs": 0, "failed_runs": len(errors), "errors": errors}
    walls = [r.wall for r in runs]
    med = statistics.median(walls)
    return {
        "runs": len(runs), "wall_median": round(med, 3), "wall_min": round(min(walls), 3), "wall_max": round(max(walls), 3),
        "rows_per_s": round(rows / med), "mb_per_s": round(runs[0].output_bytes / med / 1e6, 1),
        "client_cpu_s": round(statistics.median(r.client_cpu for r in runs), 3),
        "server_cpu_s": round(statistics.median(r.server_cpu for r in runs), 3),
        "peak_rss_mb": round(max(r.peak_rss_mb for r in runs), 1), "bytes": runs[0].output_bytes,
        "client_us_per_row": round(statistics.median(r.client_cpu for r in runs) / rows * 1e6, 3),
        "server_us_per_row": round(statistics.median(r.server_cpu for r in runs) / rows * 1e6, 3),
        **({"failed_runs": len(errors), "errors": errors} if errors else {}),
    }


def peer_failed(tool: str, phase: str, rnd: int, exc: BaseException, failures: dict[str, list[str]]) -> None:
    """A peer tool failed (myloader 0.10 does not retry a deadlock, for one): said, kept in
    the results, and the bench goes on. dumpcore failing stops the bench: that is a bug."""
    if tool.startswith("dumpcore"):
        raise exc
    text = " ".join(str(exc).split())[:300]
    if rnd:
        failures.setdefault(tool, []).append(text)
    print(f"  {phase:<7} {tool:<16}  FAILED{' (warm-up)' if not rnd else ''}: {text}", flush=True)


def settle(opts, timeout: float = 30.0) -> None:
    """Let the machine finish the last run's background work so it does not land on the
    next tool's measurement: the kernel's write-back of the files it wrote (a tool that does
    not fsync leaves its whole dump dirty in the page cache, to be written out by kernel
    threads tens of seconds later, in someone else's run) and the server's (dirty pages,
    purge after a DROP DATABASE)."""
    os.sync()
    with opts.connect() as c:
        c.execute("SET GLOBAL innodb_max_dirty_pages_pct = 0")
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                dirty = int(c.query_text("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")[0][1])
                history = int(c.query_text("SELECT COUNT FROM information_schema.INNODB_METRICS "
                                           "WHERE NAME = 'trx_rseg_history_len'")[0][0])
                if dirty == 0 and history < 1000:
                    break
                time.sleep(0.1)
        finally:
            c.execute("SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT")


def rotated(tools: list[str], k: int) -> list[str]:
    if not tools:  # --tools chose none of this phase
        return []
    k %= len(tools)
    return tools[k:] + tools[:k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make bench", description=__doc__)
    ap.add_argument("--scale", default="small", help=f"{', '.join(SCALES)} or a number of order_items rows")
    ap.add_argument("--runs", type=int, default=3, help="measured rounds per tool (after one warm-up)")
    ap.add_argument("--skip-encoder", action="store_true")
    ap.add_argument("--output", type=Path, default=None, help="results JSON (default bench/results/DATE-SCALE.json)")
    ap.add_argument("--profile", choices=list(PROFILES), default="sandbox",
                    help="the server's settings: sandbox (durability traded for speed) or production (binary log "
                         "on, sync_binlog=1, innodb_flush_log_at_trx_commit=1, doublewrite on)")
    ap.add_argument("--tables", default=None,
                    help="with --scale many-tables: the table counts, comma-separated (default 1000,5000)")
    ap.add_argument("--tools", default=None,
                    help="only these tools, comma-separated (and the dumps their restores load); ratios and "
                         "summaries whose tools did not run are left out. E.g. the proof's cost alone: "
                         "--tools dumpcore-p2,dumpcore-p2-noproof")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="with --scale many-tables: no warm-up round (at 50,000 tables a round takes minutes)")
    args = ap.parse_args(argv)
    if args.scale == "many-tables":
        return many_tables_main(args)
    n = SCALES.get(args.scale) or int(args.scale)
    for tool in ("mydumper", "myloader", "mariadb-dump", "mariadb"):
        if not shutil.which(tool):
            print(f"Error: {tool} not found; `make bench` installs it (apt-get install mydumper mariadb-client)",
                  file=sys.stderr)
            return 2
    work = HERE / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.monotonic()
    results: dict = {**run_header(args.scale, args), "n": n, "tools": args.tools}
    if not args.skip_encoder:
        print("Encoder micro-benchmark (in memory, no server)...", flush=True)
        results["encoder"] = encoder_bench.run()
        print(encoder_bench.table(results["encoder"]), flush=True)
    with Sandbox(work / "server", profile=args.profile) as box:
        opts = box.options
        with opts.connect() as c:
            t0 = time.monotonic()
            counts = create_dataset(c, "bench", n, ledger=args.scale in LEDGER_SCALES)
            gen = time.monotonic() - t0
            size = c.query_text("SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES "
                                "WHERE TABLE_SCHEMA = 'bench'")[0][0]
            version = c.server_version
        total = sum(counts.values())
        results["server"] = version
        results["dataset"] = {"rows": total, "tables": counts, "innodb_bytes": int(size), "generate_s": round(gen, 1)}
        print(f"Dataset: {total:,} rows in {len(counts)} tables, {int(size) / 1e6:.0f} MB InnoDB "
              f"(generated in {gen:.1f}s) on {version}", flush=True)
        dump_tools, restore_tools = chosen_tools(args.tools)
        s3 = None
        if any(t.endswith("-s3") for t in dump_tools + restore_tools):
            from .s3 import S3Server

            s3 = S3Server(work)
            atexit.register(s3.stop)
            started_in = s3.start()
            results["s3_server"] = {"kind": s3.kind, "started_s": round(started_in, 2)}
            print(f"S3 server: {s3.kind} on {s3.endpoint} (answered in {started_in:.2f}s)", flush=True)
        tools = Tools(opts, box.state.pid, work, "bench", s3)
        # with the binary log on (production), the restore with --skip-binlog too, as myloader skips it
        if args.profile == "production" and not args.tools:
            restore_tools.append("dumpcore-p2-skipbinlog")

        dump_runs: dict[str, list[Run]] = {t: [] for t in dump_tools}
        failures: dict[str, list[str]] = {}
        dumps: dict[str, Path] = {}
        subset_rows = total
        for rnd in range(args.runs + 1):
            for tool in rotated(dump_tools, rnd):
                settle(opts)
                try:
                    run, out = tools.dump(tool)
                except RuntimeError as exc:
                    peer_failed(tool, "dump", rnd, exc, failures)
                    continue
                if isinstance(out, str):  # a URL: the S3 dump the S3 restore loads; the one before it goes
                    if "dumpcore-s3" in dumps:
                        tools.forget_s3(dumps["dumpcore-s3"])
                    dumps["dumpcore-s3"] = out
                if rnd:  # round 0 is the warm-up
                    dump_runs[tool].append(run)
                print(f"  dump    {tool:<16} {run.wall:7.2f}s {'(warm-up)' if not rnd else ''}", flush=True)
                if tool == "dumpcore-w1-subset":  # its rows/s are of the rows it took
                    subset_rows = json.loads((out / "manifest.json").read_text())["totals"]["rows"]
                if tool == "dumpcore-w1":
                    dumps["dumpcore"] = out
                elif tool == "dumpcore-w1-zstd":
                    dumps["dumpcore-zstd"] = out
                elif tool == "mydumper-t2":
                    dumps["mydumper"] = out
                elif tool == "mariadb-dump":
                    dumps["mariadb-dump"] = out
        data_bytes = {k: tree_bytes(dumps[k] / "data") for k in ("dumpcore", "dumpcore-zstd") if k in dumps}
        if "load-data-infile" in restore_tools:
            tools.export_tsv(work / "server" / "tsv")

        restore_runs: dict[str, list[Run]] = {t: [] for t in restore_tools}
        for rnd in range(args.runs + 1):
            for tool in rotated(restore_tools, rnd):
                target = f"r_{tool.replace('-', '_')}"
                settle(opts)
                try:
                    run = tools.restore(tool, dumps, target, work / "server" / "tsv")
                    with opts.connect() as c:
                        for table, want in counts.items():
                            got = int(c.scalar(f"SELECT COUNT(*) FROM {quote_ident(target)}.{quote_ident(table)}"))
                            if got != want:
                                raise RuntimeError(f"{tool} restored {got} rows of {table}, expected {want}")
                except (RuntimeError, KeyError) as exc:  # KeyError: the peer's own dump failed
                    if isinstance(exc, KeyError):
                        exc = RuntimeError(f"no {exc.args[0]} dump to load (that dump failed)")
                    peer_failed(tool, "restore", rnd, exc, failures)
                    continue
                finally:
                    with opts.connect() as c:
                        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")  # settle() waits out its purge
                if rnd:
                    restore_runs[tool].append(run)
                print(f"  restore {tool:<16} {run.wall:7.2f}s rows verified {'(warm-up)' if not rnd else ''}",
                      flush=True)
        if s3 is not None:
            s3.stop()
    results["dump"] = {t: summarize(r, subset_rows if t.endswith("-subset") else total, failures.get(t))
                       for t, r in dump_runs.items()}
    results["restore"] = {t: summarize(r, total, failures.get(t)) for t, r in restore_runs.items()}
    results["ratios"] = []
    for phase, ours, peer, target in RATIOS + [SKIPBINLOG_RATIO]:
        if ours not in results[phase] or peer not in results[phase]:
            continue  # not chosen (--tools)
        if not results[phase][peer]["runs"]:
            results["ratios"].append({"phase": phase, "dumpcore": ours, "peer": peer, "ratio": None,
                                      "target": target, "met": None, "note": f"{peer} failed every run"})
            continue
        ratio = results[phase][ours]["rows_per_s"] / results[phase][peer]["rows_per_s"]
        results["ratios"].append({"phase": phase, "dumpcore": ours, "peer": peer, "ratio": round(ratio, 2),
                                  "target": target, "met": None if target is None else ratio >= target})
    results["compression"] = compression_summary(results, data_bytes)
    results["proof"] = proof_summary(results, restore_runs)
    results["s3"] = s3_summary(results, {**dump_runs, **restore_runs})
    results["rss_ok"] = {phase: max(results[phase][t].get("peak_rss_mb", 0) for t in results[phase]
                                    if t.startswith("dumpcore")) < limit
                         for phase, limit in RSS_LIMITS.items() if results[phase]}
    return write_results(results, args, started, work, markdown)


def run_header(scale: str, args) -> dict:
    """What every results file starts with: when, on what, how many runs, which profile."""
    now = datetime.now(timezone.utc)
    return {"date": now.strftime("%Y-%m-%d"), "started": now.strftime("%Y-%m-%dT%H%MZ"), "scale": scale,
            "machine": machine(), "runs_per_tool": args.runs, "profile": args.profile}


def write_results(results: dict, args, started: float, work: Path, to_markdown: Callable[[dict], str]) -> int:
    """The results JSON written (``--output`` or results_path), its table printed, the
    bench's work directory removed."""
    results["seconds"] = round(time.monotonic() - started, 1)
    out = args.output or results_path(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(to_markdown(results))
    print(f"\nwrote {out} ({results['seconds']:.0f}s in all)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def results_path(results: dict) -> Path:
    """bench/results/<start, UTC>-<scale>[-<profile>][-some-tools].json: a run never
    overwrites another's results."""
    profile = "" if results["profile"] == "sandbox" else f"-{results['profile']}"
    some = "-some-tools" if results.get("tools") else ""
    return HERE / "results" / f"{results['started']}-{results['scale']}{profile}{some}.json"


# many-tables: the default dump (dumpcore-w0: --workers 0, which reads small tables on one
# connection) and restore against mydumper/myloader -t 2, at each table count; and the default
# against 1 and 2 workers (#22: never more than 3% slower than the better of them)
MANY_DUMP_TOOLS = ["dumpcore-w0", "dumpcore-w1", "dumpcore-w2", "mydumper-t2"]
MANY_RESTORE_TOOLS = ["dumpcore-p2", "myloader-t2"]
MANY_RATIOS = [("dump", "dumpcore-w0", "mydumper-t2", 1.0), ("restore", "dumpcore-p2", "myloader-t2", 1.0),
               ("dump", "dumpcore-w0", "dumpcore-w1", 0.97), ("dump", "dumpcore-w0", "dumpcore-w2", 0.97)]


def many_tables_main(args) -> int:
    """``--scale many-tables``: N tables of 0-100 rows (bench/dataset.py) for each N of
    ``--tables``; the dump and restore against the peers, and client CPU per table at each N
    (constant when nothing in the client grows with the table count)."""
    sizes = [int(x) for x in (args.tables or f"{MANY_TABLES['many-tables']},{MANY_TABLES['many-tables-5k']}").split(",")]
    work = HERE / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.monotonic()
    results: dict = {**run_header("many-tables", args), "sizes": {}, "warm_up": not args.no_warm_up}
    asked = {t.strip() for t in (args.tools or "").split(",") if t.strip()}
    # with the binary log on (production), the restore with --skip-binlog too, as myloader skips it
    restore_choice = MANY_RESTORE_TOOLS + (["dumpcore-p2-skipbinlog"] if args.profile == "production" else [])
    unknown = asked - set(MANY_DUMP_TOOLS + restore_choice)
    if unknown:
        raise SystemExit(f"Error: --tools: {', '.join(sorted(unknown))} not in a many-tables run; choose from "
                         f"{', '.join(MANY_DUMP_TOOLS + restore_choice)}")
    restore_tools = [t for t in restore_choice if not asked or t in asked]
    needed = {"mydumper-t2" if t.startswith("myloader") else "dumpcore-w0" for t in restore_tools}
    dump_tools = [t for t in MANY_DUMP_TOOLS if not asked or t in asked or t in needed]
    first_round = 1 if args.no_warm_up else 0  # round 0 is the warm-up
    with Sandbox(work / "server", profile=args.profile) as box:
        opts = box.options
        results["server"] = box.state.version
        for tables in sizes:
            with opts.connect() as c:
                t0 = time.monotonic()
                counts = create_many_tables(c, "bench", tables)
                gen = time.monotonic() - t0
            total = sum(counts.values())
            print(f"Dataset: {tables:,} tables, {total:,} rows (generated in {gen:.1f}s)", flush=True)
            tools = Tools(opts, box.state.pid, work, "bench")
            failures: dict[str, list[str]] = {}
            dump_runs: dict[str, list[Run]] = {t: [] for t in dump_tools}
            dumps: dict[str, Path] = {}
            for rnd in range(first_round, args.runs + 1):
                for tool in rotated(dump_tools, rnd):
                    settle(opts)
                    try:
                        run, out = tools.dump(tool)
                    except RuntimeError as exc:
                        peer_failed(tool, "dump", rnd, exc, failures)
                        continue
                    if rnd:
                        dump_runs[tool].append(run)
                    dumps["dumpcore" if tool.startswith("dumpcore") else "mydumper"] = out
                    print(f"  dump    {tool:<16} {run.wall:7.2f}s {'(warm-up)' if not rnd else ''}", flush=True)
            restore_runs: dict[str, list[Run]] = {t: [] for t in restore_tools}
            for rnd in range(first_round, args.runs + 1):
                for tool in rotated(restore_tools, rnd):
                    target = f"r_{tool.replace('-', '_')}"
                    settle(opts)
                    try:
                        run = tools.restore(tool, dumps, target, work / "tsv")
                        with opts.connect() as c:
                            live = live_row_counts(c, target, list(counts))
                        wrong = [t for t in counts if live[t] != counts[t]]
                        if wrong:
                            raise RuntimeError(f"{tool} restored {live[wrong[0]]} rows of {wrong[0]}, expected "
                                               f"{counts[wrong[0]]} ({len(wrong)} table(s) wrong)")
                    except (RuntimeError, KeyError) as exc:
                        peer_failed(tool, "restore", rnd, exc, failures)
                        continue
                    finally:
                        with opts.connect() as c:
                            drop_database(c, target)  # 50,000 tables: seconds, not 11 minutes
                    if rnd:
                        restore_runs[tool].append(run)
                    print(f"  restore {tool:<16} {run.wall:7.2f}s rows verified {'(warm-up)' if not rnd else ''}",
                          flush=True)
            size: dict = {"tables": tables, "rows": total, "generate_s": round(gen, 1),
                          "dump": {t: summarize(r, total, failures.get(t)) for t, r in dump_runs.items()},
                          "restore": {t: summarize(r, total, failures.get(t)) for t, r in restore_runs.items()}}
            for phase in ("dump", "restore"):
                for s in size[phase].values():
                    if s["runs"]:
                        s["client_ms_per_table"] = round(s["client_cpu_s"] / tables * 1e3, 3)
            size["ratios"] = []
            for phase, ours, peer, target in MANY_RATIOS + [SKIPBINLOG_RATIO]:
                if ours not in size[phase] or peer not in size[phase]:
                    continue  # not chosen by --tools
                a, b = size[phase][ours], size[phase][peer]
                ratio = round(a["wall_median"] and b["wall_median"] / a["wall_median"], 2) if b["runs"] else None
                size["ratios"].append({"phase": phase, "dumpcore": ours, "peer": peer, "ratio": ratio,
                                       "target": target, "met": None if ratio is None or target is None else ratio >= target})
            results["sizes"][str(tables)] = size
    return write_results(results, args, started, work, many_tables_markdown)


def many_tables_markdown(r: dict) -> str:
    lines = [f"{r['date']}, {r['machine']['cores']} cores, {r['server']}, profile {r['profile']}, many tables "
             f"(0-100 rows each), median of {r['runs_per_tool']} runs "
             + ("after a warm-up" if r.get("warm_up", True) else "(no warm-up)"), "",
             "| tables | phase | tool | seconds | client CPU s | client CPU ms/table | server CPU s | peak RSS MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, size in r["sizes"].items():
        for phase in ("dump", "restore"):
            for tool, s in size[phase].items():
                if not s["runs"]:
                    lines.append(f"| {int(n):,} | {phase} | {tool} | failed: {s['errors'][0][:100]} | | | | |")
                    continue
                lines.append(f"| {int(n):,} | {phase} | {tool} | {s['wall_median']:.2f} | {s['client_cpu_s']:.2f} | "
                             f"{s['client_ms_per_table']:.2f} | {s['server_cpu_s']:.2f} | {s['peak_rss_mb']:.0f} |")
    lines += ["", "| tables | ratio (peer's seconds / ours) | measured | target |", "| --- | --- | --- | --- |"]
    for n, size in r["sizes"].items():
        for x in size["ratios"]:
            got = "n/a" if x["ratio"] is None else f"{x['ratio']:.2f}"
            mark = "" if x["met"] is None else (" met" if x["met"] else " **missed**")
            want = "-" if x["target"] is None else f">= {x['target']}"
            lines.append(f"| {int(n):,} | {x['phase']}: {x['dumpcore']} / {x['peer']} | {got} | {want}{mark} |")
    defaults = {"dump": ("dumpcore-w0", "dumpcore-w2"), "restore": ("dumpcore-p2",)}  # w2: the runs before w0 existed
    per = {p: [(int(n), size[p][t]["client_ms_per_table"]) for n, size in r["sizes"].items()
               for t in [next((t for t in defaults[p] if t in size[p] and size[p][t]["runs"]), None)] if t]
           for p in ("dump", "restore")}
    lines.append("")
    for phase, points in per.items():
        if not points:
            continue
        # start-up (~0.2 s) is in each run's CPU: the CPU per table added between two counts leaves it out
        added = [f"{(b[1] * b[0] - a[1] * a[0]) / (b[0] - a[0]):.2f} ms from {a[0]:,} to {b[0]:,}"
                 for a, b in zip(points, points[1:])]
        lines.append(f"Client CPU per table, {phase}: " + ", ".join(f"{ms:.2f} ms at {n:,}" for n, ms in points)
                     + (f"; per table added: {', '.join(added)}" if added else "") + "  ")
    return "\n".join(lines)


def proof_summary(results: dict, runs: dict[str, list[Run]] | None = None) -> dict:
    """What the restore's content proof costs: dumpcore-p2 (proof on, the default) against
    dumpcore-p2-noproof (--no-verify: no hash pre-flight, no proof), wall and CPU medians.
    The difference is an upper bound of the proof's own cost (it includes the pre-flight's
    hashing of every chunk). ``paired_cost_of_wall``: the median over rounds of each
    round's own cost (the two ran one after the other in each round, so a drift of the
    machine's speed between rounds does not move it)."""
    on, off = results["restore"].get("dumpcore-p2", {}), results["restore"].get("dumpcore-p2-noproof", {})
    if not on.get("runs") or not off.get("runs"):
        return {}
    out = {"wall_s": [on["wall_median"], off["wall_median"]],
           "client_cpu_s": [on["client_cpu_s"], off["client_cpu_s"]],
           "server_cpu_s": [on["server_cpu_s"], off["server_cpu_s"]],
           "cost_of_wall": round((on["wall_median"] - off["wall_median"]) / on["wall_median"], 3), "target": 0.10}
    if runs and len(runs["dumpcore-p2"]) == len(runs["dumpcore-p2-noproof"]):
        pairs = [(a.wall - b.wall) / a.wall for a, b in zip(runs["dumpcore-p2"], runs["dumpcore-p2-noproof"])]
        out["paired_cost_of_wall"] = round(statistics.median(pairs), 3)
        out["paired_range"] = [round(min(pairs), 3), round(max(pairs), 3)]
    return out


def s3_summary(results: dict, runs: dict[str, list[Run]]) -> dict:
    """S3 / local: each phase's rows/s to or from the local S3 server over the local
    directory's (issue #26's target: >= 0.80), and the S3 server's own CPU (median per run)."""
    out: dict = {}
    for phase, s3_tool, local in S3_PAIRS:
        a, b = results[phase].get(s3_tool, {}), results[phase].get(local, {})
        if not a.get("runs") or not b.get("runs"):
            continue
        ratio = a["rows_per_s"] / b["rows_per_s"]
        out[phase] = {"tools": [s3_tool, local], "rows_per_s": [a["rows_per_s"], b["rows_per_s"]],
                      "ratio": round(ratio, 2), "target": S3_TARGET, "met": ratio >= S3_TARGET,
                      "store_cpu_s": round(statistics.median(r.store_cpu or 0.0 for r in runs[s3_tool]), 2)}
    if out:
        out["server"] = results.get("s3_server", {})
    return out


def compression_summary(results: dict, data_bytes: dict[str, int]) -> dict:
    """Size ratio of the chunk files (plain bytes / zstd bytes) and each phase's seconds
    with and without compression."""
    if "dumpcore-zstd" not in data_bytes or "dumpcore-p2-zstd" not in results["restore"]:
        return {}
    out: dict = {"method": "zstd:3", "uncompressed_bytes": data_bytes["dumpcore"],
                 "compressed_bytes": data_bytes["dumpcore-zstd"],
                 "size_ratio": round(data_bytes["dumpcore"] / max(1, data_bytes["dumpcore-zstd"]), 2)}
    for phase, plain, packed in COMPRESSION_PAIRS:
        a, b = results[phase][plain], results[phase][packed]
        out[phase] = {"tools": [plain, packed], "seconds": [a["wall_median"], b["wall_median"]],
                      "rows_per_s": [a["rows_per_s"], b["rows_per_s"]],
                      "time_ratio": round(b["wall_median"] / a["wall_median"], 2)}
    return out


def markdown(r: dict) -> str:
    d = r["dataset"]
    lines = [f"{r['date']}, {r['machine']['cores']} cores / {r['machine']['ram_gib']} GiB, {r['server']}, "
             f"{d['rows']:,} rows / {d['innodb_bytes'] / 1e6:.0f} MB InnoDB, median of {r['runs_per_tool']} runs "
             "after a warm-up (min-max)", "",
             "| phase | tool | seconds | rows/s | MB/s | client CPU s | server CPU s | peak RSS MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for phase in ("dump", "restore"):
        for tool, s in r[phase].items():
            if not s["runs"]:
                lines.append(f"| {phase} | {tool} | failed every run: {s['errors'][0][:120]} | | | | | |")
                continue
            failed = f" ({s['failed_runs']} failed)" if s.get("failed_runs") else ""
            lines.append(f"| {phase} | {tool}{failed} | {s['wall_median']:.2f} ({s['wall_min']:.2f}-{s['wall_max']:.2f}) | "
                         f"{s['rows_per_s']:,} | {s['mb_per_s']} | {s['client_cpu_s']:.2f} | {s['server_cpu_s']:.2f} | "
                         f"{s['peak_rss_mb']:.0f} |")
    lines += ["", "CPU per row (whole process, start-up included), microseconds:", "",
              "| phase | tool | client us/row | server us/row |", "| --- | --- | --- | --- |"]
    for phase in ("dump", "restore"):
        for tool, s in r[phase].items():
            if not s["runs"]:
                continue
            lines.append(f"| {phase} | {tool} | {s['client_cpu_s'] / d['rows'] * 1e6:.3f} | "
                         f"{s['server_cpu_s'] / d['rows'] * 1e6:.3f} |")
    lines += ["", "| ratio (rows/s) | measured | target |", "| --- | --- | --- |"]
    for x in r["ratios"]:
        target = f">= {x['target']}" if x["target"] else "-"
        if x["ratio"] is None:
            lines.append(f"| {x['phase']}: {x['dumpcore']} / {x['peer']} | n/a ({x['note']}) | {target} |")
            continue
        mark = "" if x["met"] is None else (" met" if x["met"] else " **missed**")
        lines.append(f"| {x['phase']}: {x['dumpcore']} / {x['peer']} | {x['ratio']:.2f} | {target}{mark} |")
    p = r.get("proof")
    if p:
        lines += ["", f"Restore proof (`--parallel 2` against `--parallel 2 --no-verify`): {p['wall_s'][0]:.2f} s vs "
                  f"{p['wall_s'][1]:.2f} s wall, client CPU {p['client_cpu_s'][0]:.2f} vs {p['client_cpu_s'][1]:.2f} s, "
                  f"server CPU {p['server_cpu_s'][0]:.2f} vs {p['server_cpu_s'][1]:.2f} s: "
                  f"**{p['cost_of_wall'] * 100:.1f}% of the restore's wall time** (target <= 10%)"
                  + (f"; per round, paired: median {p['paired_cost_of_wall'] * 100:.1f}% (range "
                     f"{p['paired_range'][0] * 100:.1f}-{p['paired_range'][1] * 100:.1f}%)"
                     if "paired_cost_of_wall" in p else "")]
    s3 = r.get("s3")
    if s3:
        server = s3.get("server", {}).get("kind", "?")
        for phase in ("dump", "restore"):
            x = s3.get(phase)
            if x:
                lines += ["", f"S3 / local ({phase}, rows/s, {server} on 127.0.0.1): {x['rows_per_s'][0]:,} / "
                          f"{x['rows_per_s'][1]:,} = **{x['ratio']:.2f}** (target >= {x['target']:.2f}"
                          f"{', met' if x['met'] else ', missed'}); the S3 server's CPU {x['store_cpu_s']:.2f} s a run"]
    c = r.get("compression")
    if c:
        lines += ["", f"Compression ({c['method']}): chunk files {c['uncompressed_bytes'] / 1e6:.1f} MB -> "
                  f"{c['compressed_bytes'] / 1e6:.1f} MB, **{c['size_ratio']:.1f}x smaller**", "",
                  "| phase | plain s | zstd s | plain rows/s | zstd rows/s | zstd / plain time |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for phase in ("dump", "restore"):
            x = c[phase]
            lines.append(f"| {phase}: {' vs '.join(x['tools'])} | {x['seconds'][0]:.2f} | {x['seconds'][1]:.2f} | "
                         f"{x['rows_per_s'][0]:,} | {x['rows_per_s'][1]:,} | {x['time_ratio']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
