"""Print the change between two bench result files: `python -m bench.compare OLD.json NEW.json`.

Per phase and tool: rows/s before and after and the change in percent; then the
dumpcore/peer ratios side by side, and the encoder's rows/s per column kind.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _pct(old: float, new: float) -> str:
    return f"{(new / old - 1) * 100:+.1f}%" if old else "n/a"


def compare(old: dict, new: dict) -> str:
    lines = [f"old: {old['date']} {old['scale']} ({old['dataset']['rows']:,} rows)   "
             f"new: {new['date']} {new['scale']} ({new['dataset']['rows']:,} rows)"]
    if old["dataset"]["rows"] != new["dataset"]["rows"]:
        lines.append("warning: the datasets differ in size; rows/s compare, seconds do not")
    lines += ["", f"{'phase':<8} {'tool':<18} {'old rows/s':>12} {'new rows/s':>12} {'change':>8}"]
    for phase in ("dump", "restore"):
        for tool in sorted(set(old.get(phase, {})) | set(new.get(phase, {}))):
            a, b = old.get(phase, {}).get(tool), new.get(phase, {}).get(tool)
            a, b = (x if x and "rows_per_s" in x else None for x in (a, b))  # a tool that failed every run: none
            if not a or not b:
                lines.append(f"{phase:<8} {tool:<18} {'-' if not a else format(a['rows_per_s'], ','):>12} "
                             f"{'-' if not b else format(b['rows_per_s'], ','):>12}")
                continue
            lines.append(f"{phase:<8} {tool:<18} {a['rows_per_s']:>12,} {b['rows_per_s']:>12,} "
                         f"{_pct(a['rows_per_s'], b['rows_per_s']):>8}")
    lines += ["", f"{'ratio':<44} {'old':>6} {'new':>6}"]
    old_r = {(r["dumpcore"], r["peer"]): r["ratio"] for r in old.get("ratios", [])}
    nan = float("nan")
    for r in new.get("ratios", []):
        key = (r["dumpcore"], r["peer"])
        before, now = old_r.get(key), r["ratio"]
        lines.append(f"{r['dumpcore'] + ' / ' + r['peer']:<44} {nan if before is None else before:>6.2f} "
                     f"{nan if now is None else now:>6.2f}")
    if old.get("encoder") and new.get("encoder"):
        lines += ["", f"{'encoder kind':<22} {'old rows/s':>12} {'new rows/s':>12} {'change':>8}"]
        for kind, b in new["encoder"]["kinds"].items():
            a = old["encoder"]["kinds"].get(kind)
            if a:
                lines.append(f"{kind:<22} {a['cython_rows_s']:>12,} {b['cython_rows_s']:>12,} "
                             f"{_pct(a['cython_rows_s'], b['cython_rows_s']):>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    try:
        old, new = json.loads(args.old.read_text()), json.loads(args.new.read_text())
    except (OSError, ValueError) as exc:
        print(f"Error: cannot read a result file: {exc}", file=sys.stderr)
        return 2
    print(compare(old, new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
