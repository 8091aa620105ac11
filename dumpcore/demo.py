"""``make demo``: a throwaway MariaDB, the sample school, and the main job on it."""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

from .plan import plan_database, write_plan_scripts
from .sample import create_school
from .sandbox import Sandbox

DEMO_DB = "school"


def run_demo(scale: float = 1.0, output: Path = Path("demo-out"), echo: Callable[[str], None] = print) -> None:
    output = Path(output)
    if output.exists():
        shutil.rmtree(output)  # the demo's own scratch directory, rebuilt on every run
    with Sandbox() as box:
        st = box.state
        echo(f"Started a throwaway MariaDB {st.version} on 127.0.0.1:{st.port} (data in {st.datadir})")
        t0 = time.monotonic()
        with box.options.connect() as conn:
            counts = create_school(conn, DEMO_DB, scale=scale)
        echo(f"Created sample database `{DEMO_DB}`: {sum(counts.values()):,} rows in {len(counts)} tables "
             f"({time.monotonic() - t0:.1f}s)")
        result = plan_database(box.options, DEMO_DB)
        p = result.plan
        echo(f"\nPlan: {len(p.load_order)} tables, {len(p.cycles)} cycle(s)")
        echo("  load order:    " + " -> ".join(p.load_order))
        echo("  cleanup order: " + " -> ".join(p.cleanup_order))
        for c in p.cycles:
            echo(f"  cycle: {c.describe()}")
        written = write_plan_scripts(result, output / "plan")
        echo(f"  scripts: {', '.join(str(w) for w in written)}")
    echo("\nSandbox stopped and removed.")
