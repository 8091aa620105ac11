"""`python -m bench.annotate_bench [--scale 1] [--runs 3]`: the cost of `dump --annotate`
and `dump --stats` on the sample school, against a plain dump of the same data.

Starts a throwaway MariaDB, generates the school, then per round dumps it plain, with
--annotate, and with --stats attendance.status_id (order rotated each round), in
process (no CLI start-up). Medians; results to bench/results/annotate-<date>.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.store.manifest import read_manifest
from dumpcore.sandbox.sample import create_school
from dumpcore.sandbox.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "plain": DumpOptions(),
    "annotate": DumpOptions(annotate=True),
    "stats": DumpOptions(stats=["attendance.status_id"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dc-annot-"))
    box = Sandbox(work / "server")
    box.start()
    try:
        with box.options.connect() as conn:
            counts = create_school(conn, "school", scale=args.scale)
        rows = sum(counts.values())
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}
        extra: dict[str, dict] = {}
        names = list(VARIANTS)
        for r in range(args.runs + 1):  # the first round warms up and is not counted
            for name in names[r % len(names):] + names[: r % len(names)]:
                out = work / f"{name}-{r}"
                t0 = time.monotonic()
                dump_to_directory(box.options, "school", out, VARIANTS[name])
                if r:
                    times[name].append(time.monotonic() - t0)
                m = read_manifest(out)
                extra[name] = {"bytes": sum(t["bytes"] for t in m.tables),
                               "label_queries": (m.data.get("annotate") or {}).get("label_queries")}
                shutil.rmtree(out)
        base = statistics.median(times["plain"])
        result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "scale": args.scale,
                  "rows": rows, "runs": args.runs, "variants": {}}
        for name in VARIANTS:
            med = statistics.median(times[name])
            result["variants"][name] = {"seconds": round(med, 3), "min": round(min(times[name]), 3),
                                        "max": round(max(times[name]), 3), "rows_per_second": round(rows / med),
                                        "x_plain": round(med / base, 2), **extra[name]}
            print(f"{name:9s} {med:6.2f} s ({min(times[name]):.2f}-{max(times[name]):.2f})  "
                  f"{rows / med:>10,.0f} rows/s  x{med / base:.2f}  {extra[name]['bytes']:>12,} bytes"
                  + (f"  {extra[name]['label_queries']} label queries" if extra[name]["label_queries"] else ""))
        path = HERE / "results" / f"annotate-{result['date'][:10]}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {path}")
    finally:
        box.stop(remove=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
