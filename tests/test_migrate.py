"""restore --into-current-schema (issue #23): a dump restored into a schema changed since.

Each kind of difference, through both load methods, on a real server: a column added
with a default and one without (``--set``), one dropped (``--drop``), a column and a table
renamed, a widened type, a narrowed one with values that fit and values that do not,
re-ordered columns, a new foreign key. Each checks the target column by column against
the source, and that the proof passes (or catches a change) over the shared columns.
Also: what is refused before any write, ``--dry-run`` writing nothing, and the Prisma
scenario of the issue.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from clirun import conn_args, dumpcore
from dbcompare import column_exprs, raw_rows, show_create, table_names
from dumpcore.codec.reference import MASK64
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import RestoreError, UsageError
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.schema.diff import MigrateOptions
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.fingerprint import live_fingerprint
from dumpcore.verify.shared_columns import restricted_fingerprint
from edge_data import create_edge_database
from conftest import journal_file

METHODS = ["upsert", "load-data"]
ROWS = 300


def _source(conn, db: str, fitting: bool = True) -> None:
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.people (id INT PRIMARY KEY, name VARCHAR(40), age INT, score DECIMAL(10,4), "
                 "note TEXT, city VARCHAR(20))")
    # score: 2 decimals where ``fitting``, else every 7th row has 4 (DECIMAL(10,2) would round it)
    frac = "0" if fitting else "IF(seq % 7 = 0, 0.0042, 0)"
    conn.execute(f"INSERT INTO {q}.people SELECT seq, CONCAT('name-', seq, IF(seq % 5 = 0, ' \\'quoted\\'', '')), "
                 f"IF(seq % 11 = 0, NULL, seq % 90), ROUND(seq * 1.37, 2) + {frac}, REPEAT('n', seq % 17), "
                 f"ELT(1 + seq % 3, 'Oslo', 'Lyon', NULL) FROM {q}.seq_1_to_{ROWS}")
    conn.execute(f"CREATE TABLE {q}.audit_log (id INT PRIMARY KEY, person_id INT, msg VARCHAR(100))")
    conn.execute(f"INSERT INTO {q}.audit_log SELECT seq, 1 + seq % {ROWS}, CONCAT('event ', seq) "
                 f"FROM {q}.seq_1_to_{ROWS * 2}")


def _migrated_target(conn, db: str) -> None:
    """The source's schema after a migration: every kind of difference."""
    q = quote_ident(db)
    conn.execute(f"CREATE DATABASE {q}")
    # re-ordered; name -> full_name (renamed, widened); age INT -> BIGINT (widened); score narrowed;
    # nickname added with a default, slug added NOT NULL without one; note dropped
    conn.execute(f"CREATE TABLE {q}.people (id INT PRIMARY KEY, city VARCHAR(20), slug VARCHAR(60) NOT NULL, "
                 "full_name VARCHAR(80), nickname VARCHAR(50) NOT NULL DEFAULT '', age BIGINT, "
                 "score DECIMAL(10,2))")
    # audit_log -> audit_events, with a new foreign key to people
    conn.execute(f"CREATE TABLE {q}.audit_events (id INT PRIMARY KEY, msg VARCHAR(100), person_id INT, "
                 "KEY (person_id), CONSTRAINT audit_person FOREIGN KEY (person_id) REFERENCES people (id))")


MIGRATION = MigrateOptions(renames={"audit_log": "audit_events", "people.name": "full_name"},
                           sets={"people.slug": "CONCAT('p-', id, '-', LOWER(COALESCE(city, 'none')))"},
                           drops=["people.note"])


def _rows(conn, db: str, sql: str) -> list[tuple]:
    return [tuple(v.decode() if isinstance(v, bytes) else v for v in r)
            for r in conn.query(sql.format(db=quote_ident(db)))]


def _check_content(conn, source: str, target: str, skip: set[int] = frozenset()) -> None:
    """The target, column by column, against the source (rows of ``skip`` not loaded)."""
    src = {r[0]: r for r in _rows(conn, source, "SELECT id, name, age, score, city FROM {db}.people")}
    got = {r[0]: r for r in _rows(conn, target, "SELECT id, full_name, age, score, city, nickname, slug "
                                                "FROM {db}.people")}
    assert set(got) == set(src) - {str(i) for i in skip}
    for pid, (_, name, age, score, city, nickname, slug) in got.items():
        s = src[pid]
        assert name == s[1]
        assert age == s[2]
        assert Decimal(score) == Decimal(s[3])
        assert city == s[4]
        assert nickname == ""
        assert slug == f"p-{pid}-{(s[4] or 'none').lower()}"
    assert _rows(conn, target, "SELECT id, person_id, msg FROM {db}.audit_events ORDER BY id") == \
        _rows(conn, source, "SELECT id, person_id, msg FROM {db}.audit_log ORDER BY id")


@pytest.mark.parametrize("method", METHODS)
def test_every_kind_of_difference_loads_by_column_name_and_is_proven(server, conn, db, tmp_path, method):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none", chunk_size=4096, statement_size=1024))
    target = db + "_t"
    _migrated_target(conn, target)
    try:
        summary = restore(out, server, RestoreOptions(database=target, parallel=2, load_method=method,
                                                      into_current_schema=True, migrate=MIGRATION,
                                                      state_dir=tmp_path / "state"))
        assert summary.failure() is None
        assert summary.proof_state() == "proven"
        _check_content(conn, db, target)
        assert table_names(conn, target) == ["audit_events", "people"]  # audit_log not re-created
        assert summary.not_compared["people"] == {"note": "dropped", "slug": "not in the dump",
                                                  "nickname": "not in the dump"}
        kinds = {(d.table, d.kind) for d in summary.schema_diff.differences}
        assert kinds >= {("people", k) for k in ("renamed", "widened", "narrowed", "added", "dropped", "re-ordered")}
        assert ("audit_log", "renamed") in kinds and ("audit_log", "keys") in kinds
        assert any("left out" in w and "`note`" in w for w in summary.warnings)
        record = [json.loads(line) for line in journal_file(tmp_path / "state", server, target).open()
                  if '"into_current_schema"' in line]
        assert record and record[0]["schema_diff"]["tables"]["people"]["dropped"] == ["note"]
        # LOAD DATA fills the staging tables as it fills a table, exactly (no chunk fell back to the upserts)
        assert {t.table: t.method for t in summary.tables.values()} == {"people": method, "audit_events": method}
        assert not any("loaded by upserts" in w for w in summary.warnings)
        # again over the rows it loaded: upserts by the target's key, the same content
        again = restore(out, server, RestoreOptions(database=target, parallel=1, load_method=method,
                                                    into_current_schema=True, migrate=MIGRATION,
                                                    state_dir=tmp_path / "state"))
        assert again.failure() is None and again.proof_state() == "proven"
        _check_content(conn, db, target)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


@pytest.mark.parametrize("method", METHODS)
def test_narrowed_values_that_do_not_fit_go_to_the_rejects_with_the_reason(server, conn, db, tmp_path, method):
    _source(conn, db, fitting=False)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none", chunk_size=4096, statement_size=1024))
    target = db + "_t"
    _migrated_target(conn, target)
    try:
        summary = restore(out, server, RestoreOptions(database=target, parallel=2, load_method=method,
                                                      into_current_schema=True, migrate=MIGRATION,
                                                      state_dir=tmp_path / "state"))
        bad = {i for i in range(1, ROWS + 1) if i % 7 == 0}
        assert summary.rejected == {"people": len(bad)}
        assert summary.failure() is not None  # rejected rows: not complete
        assert not summary.mismatches  # the rows loaded are proven
        assert summary.tables["people"].method == method and not summary.unproven
        _check_content(conn, db, target, skip=bad)
        rejects = (tmp_path / "state").rglob("people.sql")
        text = "".join(p.read_text() for p in rejects)
        assert text.count("does not fit exactly: column `score` decimal(10,4) -> decimal(10,2)") == len(bad)
        assert "(7,'name-7'," in text  # the dumped row, as the dump wrote it
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_the_proof_compares_the_shared_columns(server, conn, db, tmp_path):
    """A trigger that changes a column the dump has not (not compared) leaves the restore
    proven; one that changes a shared column is caught (the table said not proven)."""
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    _migrated_target(conn, target)
    try:
        conn.execute(f"CREATE TRIGGER {quote_ident(target)}.nick BEFORE INSERT ON {quote_ident(target)}.people "
                     "FOR EACH ROW SET NEW.nickname = 'nick'")
        summary = restore(out, server, RestoreOptions(database=target, into_current_schema=True, migrate=MIGRATION,
                                                      fire_triggers=True, state_dir=tmp_path / "state"))
        assert summary.failure() is None and summary.proof_state() == "proven"
        conn.execute(f"DROP TRIGGER {quote_ident(target)}.nick")
        conn.execute(f"CREATE TRIGGER {quote_ident(target)}.up BEFORE INSERT ON {quote_ident(target)}.people "
                     "FOR EACH ROW SET NEW.full_name = UPPER(NEW.full_name)")
        changed = restore(out, server, RestoreOptions(database=target, into_current_schema=True, migrate=MIGRATION,
                                                      fire_triggers=True, cleanup=True, state_dir=tmp_path / "state"))
        # the trigger fired as asked (--fire-triggers): said as not proven, never as proven
        assert changed.proof_state() == "partly proven" and "people" in changed.unproven
        assert "audit_events" not in changed.unproven
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


@pytest.mark.parametrize("migration, refused", [
    (MigrateOptions(renames=MIGRATION.renames, sets=MIGRATION.sets), "column `note` (not in the target)"),
    (MigrateOptions(renames=MIGRATION.renames, drops=["people.note"]), "column `slug` NOT NULL without a default"),
])
def test_refused_before_any_write(server, conn, db, tmp_path, migration, refused):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    _migrated_target(conn, target)
    try:
        before = {t: show_create(conn, target, t) for t in table_names(conn, target)}
        with pytest.raises(RestoreError, match="refused before writing anything") as info:
            restore(out, server, RestoreOptions(database=target, into_current_schema=True, migrate=migration,
                                                state_dir=tmp_path / "state"))
        assert refused in str(info.value)
        assert {t: show_create(conn, target, t) for t in table_names(conn, target)} == before
        assert _rows(conn, target, "SELECT COUNT(*) FROM {db}.people") == [("0",)]
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_a_set_expression_the_server_refuses_is_refused_before_any_write(server, conn, db, tmp_path):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    _migrated_target(conn, target)
    conn.execute(f"INSERT INTO {quote_ident(target)}.people (id, slug) VALUES (1, 'kept')")
    try:
        bad = MigrateOptions(MIGRATION.renames, {"people.slug": "CONCAT(id, nosuch)"}, MIGRATION.drops)
        with pytest.raises(UsageError, match=r"--set people.slug=CONCAT\(id, nosuch\): Unknown column 'nosuch'"):
            restore(out, server, RestoreOptions(database=target, into_current_schema=True, migrate=bad, cleanup=True,
                                                state_dir=tmp_path / "state"))
        assert _rows(conn, target, "SELECT id, slug FROM {db}.people") == [("1", "kept")]
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_mapping_options_need_into_current_schema(server, db, tmp_path):
    with pytest.raises(UsageError, match="--into-current-schema"):
        restore(tmp_path, server, RestoreOptions(migrate=MigrateOptions(drop_missing=True)))


@pytest.mark.parametrize("migration, message", [
    (MigrateOptions(drops=["ghost"]), "--drop ghost: the dump has no table `ghost`"),
    (MigrateOptions(keep_target=["ghost"]), "--keep-target ghost: `.*` has no table `ghost`"),
    (MigrateOptions(renames={"ghost": "people"}), "--rename ghost=people: the dump has no table `ghost`"),
    (MigrateOptions(renames={"people": "ghost"}), "--rename people=ghost: the target `.*` has no table `ghost`"),
    (MigrateOptions(sets={"people.ghost": "1"}), "--set people.ghost: no column the target adds"),
])
def test_options_naming_what_is_not_there_are_usage_errors(server, conn, db, tmp_path, migration, message):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    _migrated_target(conn, target)
    try:
        with pytest.raises(UsageError, match=message):
            restore(out, server, RestoreOptions(database=target, into_current_schema=True, migrate=migration,
                                                state_dir=tmp_path / "state"))
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_dry_run_prints_the_diff_and_writes_nothing(server, conn, db, tmp_path):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    _migrated_target(conn, target)
    q = quote_ident(target)
    conn.execute(f"INSERT INTO {q}.people (id, slug) VALUES (1000, 'x')")

    def state():
        return ({t: show_create(conn, target, t) for t in table_names(conn, target)},
                {t: _rows(conn, target, f"SELECT COUNT(*) FROM {{db}}.{quote_ident(t)}")
                 for t in table_names(conn, target)})

    try:
        before = state()
        args = ["restore", str(out), "-D", target, "--into-current-schema", "--dry-run", "--rename",
                "audit_log=audit_events", "--rename", "people.name=full_name", "--drop-missing",
                "--state-dir", str(tmp_path / "state"), *conn_args(server)]
        text = dumpcore(*args)
        assert text.returncode == 1, text.stderr  # slug: NOT NULL without a default, no --set
        lines = text.stdout.decode().splitlines()
        assert all(len(line) <= 80 for line in lines)
        out_text = text.stdout.decode()
        assert "REFUSED: give --set people.slug=SQL-EXPRESSION" in out_text
        assert "renamed: column `name` -> `full_name`" in out_text and "rows load into `audit_events`" in out_text
        assert "Error: restore refused before writing anything" in text.stderr.decode()
        js = dumpcore(*args, "--set", "people.slug='s'", "--json")
        assert js.returncode == 0, js.stderr
        d = json.loads(js.stdout)
        assert d["refused"] == []
        assert {(x["table"], x["kind"]) for x in d["differences"]} >= {
            ("people", "narrowed"), ("people", "dropped"), ("audit_log", "renamed"), ("people", "added")}
        assert state() == before
        assert not (tmp_path / "state").exists() or not list((tmp_path / "state").rglob("*.sql"))
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {q}")


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "migrate"


def _example_env(server, database: str, out: Path) -> dict:
    return {"DB": database, "C": " ".join(conn_args(server)), "OUT": str(out),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def test_the_prisma_scenario_of_the_issue_runs_end_to_end_as_the_worked_example(server, conn, tmp_path):
    """examples/migrate/run.sh: the school backed up, migrated (students.nickname added,
    lectures.topic dropped, audit_log -> audit_events by @@map, two new _prisma_migrations
    rows), restored into the current schema: exit 0, complete, proven."""
    database = "migrate_example"
    conn.execute(f"DROP DATABASE IF EXISTS {database}")
    copy = "migrate_example_source"
    try:
        run = subprocess.run(["sh", str(EXAMPLE / "run.sh")], capture_output=True, timeout=600, cwd=tmp_path,
                             env=_example_env(server, database, tmp_path / "backup"))
        assert run.returncode == 0, run.stderr.decode()[-3000:]
        stdout, stderr = run.stdout.decode(), run.stderr.decode()
        assert "rows load into `audit_events` (Prisma @@map)" in stdout  # the --dry-run
        assert "complete, proven" in stderr and "NOT complete" not in stderr
        assert "not compared by the proof: `lectures`: `topic` (dropped)" in stderr
        # the source as it was dumped, to compare column by column
        summary = restore(tmp_path / "backup", server, RestoreOptions(database=copy, state_dir=tmp_path / "st"))
        assert summary.failure() is None
        migrations = _rows(conn, database, "SELECT * FROM {db}._prisma_migrations ORDER BY id")
        assert len(migrations) == 3  # the two the migration added are still there: untouched
        assert _rows(conn, database, "SELECT happened_at, actor, action, detail FROM {db}.audit_events "
                                     "ORDER BY happened_at, actor, action") == \
            _rows(conn, copy, "SELECT happened_at, actor, action, detail FROM {db}.audit_log "
                              "ORDER BY happened_at, actor, action")
        assert len(_rows(conn, database, "SELECT 1 FROM {db}.audit_events")) == 2003
        shared = "id, class_id, subject_id, starts_at, room"
        assert _rows(conn, database, f"SELECT {shared} FROM {{db}}.lectures ORDER BY id") == \
            _rows(conn, copy, f"SELECT {shared} FROM {{db}}.lectures ORDER BY id")
        students = "id, class_id, first_name, last_name, email, birth_date, enrolled_at, gpa, notes"
        assert _rows(conn, database, f"SELECT {students} FROM {{db}}.students ORDER BY id") == \
            _rows(conn, copy, f"SELECT {students} FROM {{db}}.students ORDER BY id")
        assert _rows(conn, database, "SELECT DISTINCT nickname FROM {db}.students") == [("",)]
        assert _rows(conn, database, "SELECT * FROM {db}.attendance ORDER BY id") == \
            _rows(conn, copy, "SELECT * FROM {db}.attendance ORDER BY id")
        assert "audit_log" not in table_names(conn, database)
        # without --into-current-schema, the table under its old name is not a complete restore
        plain = dumpcore("restore", str(tmp_path / "backup"), "-D", database, "--cleanup", "--tables", "audit_log",
                         "--prisma", str(EXAMPLE / "schema.prisma"), "--state-dir", str(tmp_path / "st2"),
                         *conn_args(server))
        assert plain.returncode == 1
        assert "Prisma coverage check finds `migrate_example` INCOMPLETE after the restore: table `audit_log` " \
               "has no model" in plain.stderr.decode()
        assert _rows(conn, database, "SELECT * FROM {db}._prisma_migrations ORDER BY id") == migrations
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"DROP DATABASE IF EXISTS {copy}")


@pytest.fixture(scope="module")
def edge(server, tmp_path_factory):
    """The every-type database (tests/edge_data.py) and its dump, plain and annotated."""
    name = "edge_migrate_src"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        create_edge_database(c, name)
    base = tmp_path_factory.mktemp("edge")
    dump_to_directory(server, name, base / "plain", DumpOptions(statement_size=64 << 10, chunk_size=256 << 10))
    dump_to_directory(server, name, base / "annotated", DumpOptions(annotate=True, statement_size=64 << 10))
    yield name, base
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.mark.parametrize("kind", ["plain", "annotated"])
def test_shared_column_fingerprints_agree_with_the_dump_and_the_live_rows(server, conn, edge, kind):
    """Differential, over every column type: a chunk restricted to all its columns
    fingerprints as the dump recorded it; restricted to every other column, the sum over
    the chunks equals fingerprint.py's live_fingerprint of the source over those columns."""
    name, base = edge
    out = base / kind
    m = read_manifest(out)
    for e in m.tables:
        n = len(e["columns"])
        for c in e["chunks"]:
            assert restricted_fingerprint(out / c["file"], e, range(n)) == (c["rows"], int(c["fingerprint"], 16))
        for start in (0, 1):
            positions = list(range(start, n, 2)) or [0]
            rows, fp = 0, 0
            for c in e["chunks"]:
                r, f = restricted_fingerprint(out / c["file"], e, positions)
                rows, fp = rows + r, (fp + f) & MASK64
            part = {**e, "columns": [e["columns"][p] for p in positions]}
            assert live_fingerprint(conn, name, part) == (rows, fp), (e["name"], positions)


@pytest.mark.parametrize("dump", ["dumpcore-0.1.0", "dumpcore-0.1.0-zstd"])
def test_shared_column_fingerprints_of_a_dump_written_before_row_hash(dump):
    """A dump of format version 1-2 (XXH3 of each encoded tuple): restricted to all its
    columns, every chunk fingerprints as its manifest says."""
    out = Path(__file__).parent / "data" / "compat" / dump
    m = read_manifest(out)
    assert all("row_hash" not in e for e in m.tables)
    for e in m.tables:
        for c in e["chunks"]:
            assert restricted_fingerprint(out / c["file"], e, range(len(e["columns"]))) == \
                (c["rows"], int(c["fingerprint"], 16)), c["file"]


@pytest.mark.parametrize("method", METHODS)
def test_every_column_type_loads_through_the_staging_table(server, conn, edge, tmp_path, method):
    """Every table of the every-type database renamed in the target, its last non-key
    column dropped: each column type goes through the staging table (and LOAD DATA into
    it), and the target holds the source's values byte for byte, proven."""
    name, base = edge
    target = "edge_migrate_t"
    conn.execute(f"DROP DATABASE IF EXISTS {target}")
    conn.execute(f"CREATE DATABASE {target} CHARACTER SET utf8mb4")
    m = read_manifest(base / "plain")
    renames, dropped = {}, {}
    try:
        for e in m.tables:
            new = e["name"] + "_v2"
            renames[e["name"]] = new
            conn.execute(f"CREATE TABLE {target}.{quote_ident(new)} LIKE {name}.{quote_ident(e['name'])}")
            pk = set(e.get("primary_key") or [])
            column = [c["name"] for c in e["columns"] if c["name"] not in pk][-1]
            if len(e["columns"]) > 1:
                dropped[e["name"]] = column
                conn.execute(f"ALTER TABLE {target}.{quote_ident(new)} DROP COLUMN {quote_ident(column)}")
        summary = restore(base / "plain", server, RestoreOptions(
            database=target, load_method=method, into_current_schema=True, state_dir=tmp_path / "st",
            migrate=MigrateOptions(renames=renames, drop_missing=True)))
        assert summary.failure() is None, summary.failure()
        assert summary.proof_state() == "proven"
        for e in m.tables:
            kept = [c["name"] for c in e["columns"] if c["name"] != dropped.get(e["name"])]
            exprs = [x for c, x in zip([c["name"] for c in e["columns"]], column_exprs(conn, name, e["name"]))
                     if c in kept]
            assert raw_rows(conn, target, renames[e["name"]], exprs) == raw_rows(conn, name, e["name"], exprs), \
                e["name"]
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {target}")
