"""`make demo` (dumpcore.sandbox.demo.run_demo): the main job on a throwaway MariaDB, said
in lines that fit an 80-column terminal, its restore proven."""
from __future__ import annotations

from dumpcore.sandbox.demo import run_demo


def test_the_demo_runs_the_main_job_and_every_line_fits_80_columns(tmp_path):
    lines: list[str] = []
    run_demo(scale=0.1, output=tmp_path / "demo-out", echo=lines.append)
    text = "\n".join(lines)
    assert all(len(line) <= 80 for line in text.splitlines()), max(text.splitlines(), key=len)
    assert "2 cycles" in text and "cycle(s)" not in text
    assert "0 rejected, proven" in text
    assert "every XXH3-128 matches" in text and "rows: identical" in text
    assert lines[-1].strip() == "Sandbox stopped and removed."
