"""``make demo``: a throwaway MariaDB, the sample school, and the main job on it:
plan, dump, verify the chunk hashes, restore into a second database in parallel,
verify that database against the dump, and a summary."""
from __future__ import annotations

import os
import shutil
import textwrap
import time
from pathlib import Path
from typing import Callable

from ..dump.dump import DumpOptions, dump_to_directory
from ..schema.plan import plan_database, write_plan_scripts
from ..restore.restore import RestoreOptions, restore
from .sample import create_school
from .sandbox import Sandbox
from ..verify.verify import verify_against, verify_directory

DEMO_DB = "school"
RESTORED_DB = "school_restored"
WIDTH = 80  # what it prints fits an 80-column terminal


def _lines(text: str, indent: str = "   ") -> list[str]:
    """``text`` broken between words into lines of at most WIDTH columns, the later ones indented."""
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def run_demo(scale: float = 1.0, output: Path = Path("demo-out"), echo: Callable[[str], None] = print) -> None:
    """Start a sandbox, create the sample school, then plan, dump, verify, restore (proven)
    and compare; every line said through ``echo``, within 80 columns."""
    say = echo

    def echo(text: str) -> None:  # noqa: F811 - the caller's echo, each line fitted
        head = "\n" if text.startswith("\n") else ""
        for i, line in enumerate(_lines(text.lstrip("\n")) or [""]):
            say((head if i == 0 else "") + line)

    output = Path(output)
    if output.exists():
        shutil.rmtree(output)  # the demo's own scratch directory, rebuilt on every run
    output.mkdir(parents=True)
    with Sandbox() as box:
        st = box.state
        opts = box.options
        echo(f"Started a throwaway MariaDB {st.version} on 127.0.0.1:{st.port} (data in {st.datadir})")
        t0 = time.monotonic()
        with opts.connect() as conn:
            counts = create_school(conn, DEMO_DB, scale=scale)
        echo(f"Created sample database `{DEMO_DB}`: {sum(counts.values()):,} rows in {len(counts)} tables "
             f"({time.monotonic() - t0:.1f}s)")

        result = plan_database(opts, DEMO_DB)
        p = result.plan
        echo(f"\n1. Plan: {len(p.load_order)} tables, {len(p.cycles)} cycle{'' if len(p.cycles) == 1 else 's'}")
        echo("   load order:    " + " -> ".join(p.load_order))
        echo("   cleanup order: " + " -> ".join(p.cleanup_order))
        for c in p.cycles:
            echo(f"   cycle: {c.describe()}")
        write_plan_scripts(result, output / "plan", force=True)  # the demo's own files, rerun

        dump_dir = output / "dump"
        d = dump_to_directory(opts, DEMO_DB, dump_dir, DumpOptions(chunk_size=4 << 20))
        chunks = sum(len(t.chunks) for t in d.tables)
        echo(f"\n2. Dump: {d.rows:,} rows, {d.bytes / 1e6:.1f} MB in {chunks} chunks, {d.seconds:.2f}s "
             f"({d.rows / d.seconds:,.0f} rows/s) -> {dump_dir}")

        v = verify_directory(dump_dir)
        echo(f"\n3. Verify: {v.chunks} chunks, every XXH3-128 {'matches' if v.ok else 'DOES NOT match'} "
             f"({v.seconds:.3f}s)")
        if not v.ok:
            raise SystemExit("demo: verification failed: " + "; ".join(map(str, v.problems)))

        workers = os.cpu_count() or 2
        r = restore(dump_dir, opts, RestoreOptions(database=RESTORED_DB, parallel=workers))
        echo(f"\n4. Restore into `{RESTORED_DB}` with --parallel {workers}: {r.rows:,} rows in {r.seconds:.2f}s "
             f"({r.rows / r.seconds:,.0f} rows/s), {sum(r.rejected.values())} rejected, {r.proof_state()}: every "
             "chunk's content compared with the dump's before its COMMIT")
        if r.failure() is not None:
            raise SystemExit(f"demo: the restore is not complete: {r.failure()}")

        a = verify_against(dump_dir, opts, RESTORED_DB)
        echo(f"\n5. Verify `{RESTORED_DB}` against the dump: {a.tables} tables, {a.rows:,} rows: "
             + ("identical" if a.ok else "DIFFERENT: " + "; ".join(map(str, a.differences))))
        if not a.ok:
            raise SystemExit("demo: the restored database differs from the dump")

        echo("\nSummary")
        echo(f"   {'table':<20} {'rows':>10} {'dump s':>8} {'restore s':>10}")
        for t in d.tables:
            echo(f"   {t.table:<20} {t.rows:>10,} {t.seconds:>8.2f} {r.tables[t.table].seconds:>10.2f}")
        echo(f"   files: {output / 'plan'} (scripts), {dump_dir} (dump)")
    echo("\nSandbox stopped and removed.")
