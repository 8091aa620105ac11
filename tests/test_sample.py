"""`dumpcore sample`: the size is linear in --scale, and --write-prisma gives a wheel user the
school's Prisma schema (issue #21: `--scale 5` made 25 times the rows; the wheel lacked the
schema the README's Prisma recipe uses)."""
from __future__ import annotations

import json

from clirun import conn_args, dumpcore
from conftest import REPO
from dumpcore.connect.connection import quote_ident
from dumpcore.sandbox.sample import school_prisma_schema, school_row_counts


def test_sample_size_is_linear_in_scale():
    one = sum(school_row_counts(1).values())
    assert 100_000 < one < 105_000  # "about 100k rows", as --help says
    for scale in (0.5, 2, 5):
        rows = sum(school_row_counts(scale).values())
        assert abs(rows / (scale * one) - 1) < 0.01, (scale, rows, one)  # before: 25x at --scale 5


def test_sample_at_a_small_scale_has_the_rows_the_scale_says(server, conn, db):
    name = f"{db}_small"
    try:
        proc = dumpcore("sample", name, "--scale", "0.05", *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        attendance = int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(name)}.attendance"))
        assert attendance == 96_000 * 0.05  # before: 240 rows (0.05 squared, near enough, of 96,000)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def test_write_prisma_writes_the_schema_that_covers_the_sample_and_never_replaces_a_file(server, conn, db, tmp_path):
    name, schema = f"{db}_prisma", tmp_path / "school.prisma"
    try:
        proc = dumpcore("sample", name, "--scale", "0.05", "--write-prisma", str(schema), *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        assert f"wrote {schema}" in proc.stdout.decode()
        assert schema.read_bytes() == (REPO / "examples/school/schema.prisma").read_bytes()
        assert school_prisma_schema() == REPO / "examples/school/schema.prisma"  # a checkout finds it there
        plan = dumpcore("plan", name, "--prisma", str(schema), "--json", *conn_args(server))
        assert plan.returncode == 0, plan.stderr.decode()
        assert json.loads(plan.stdout)["coverage"]["complete"]

        other = f"{db}_prisma2"
        again = dumpcore("sample", other, "--write-prisma", str(schema), *conn_args(server))
        assert again.returncode == 1
        assert again.stderr.decode() == (f"Error: {schema} exists; name a new file; "
                                         "dumpcore sample never replaces one\n")
        assert not conn.query_text(f"SHOW DATABASES LIKE '{other}'")  # refused before anything was made
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def test_sample_says_what_it_made_within_80_columns(server, conn, db):
    from clirun import conn_args, dumpcore

    name = "s80_school"  # a command to paste stays whole, so the test's long database names would not fit
    conn.execute(f"DROP DATABASE IF EXISTS `{name}`")
    r = dumpcore("sample", name, "--scale", "0.05", *conn_args(server), env={"COLUMNS": "80"})
    try:
        assert r.returncode == 0, r.stderr.decode()
        lines = r.stdout.decode().splitlines()
        assert all(len(line) <= 80 for line in lines), lines
        assert lines[0].startswith(f"created `{name}`") and "7 tables" in " ".join(lines)
        assert any(line.strip() == f"dumpcore restore {name}-dump -D {name}_copy" for line in lines), lines
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS `{name}`")
