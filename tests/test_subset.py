"""dump --subset on a real server: the rows of some roots and their closure over the FKs.

The closure is checked against an independent one computed here, in Python, from plain
SELECTs of whole tables and the FKs as information_schema lists them; the restored
subset is checked by SQL on the target (no orphan for any FK, and every FK constraint
added again with FOREIGN_KEY_CHECKS=1, which the server validates row by row).
"""
from __future__ import annotations

import json
import os
import random

import pytest

from clirun import conn_args, dumpcore
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.dump.subset import parse_spec
from dumpcore.errors import SchemaError, UsageError
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sample import create_school, school_prisma_schema
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.verify import verify_against


def _fks(conn, database: str) -> list[tuple[str, str, tuple[str, ...], str, tuple[str, ...]]]:
    """(name, table, columns, ref_table, ref_columns) of every FK, from information_schema."""
    rows = conn.query_text(
        "SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
        "FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = '%s' AND REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION" % database)
    out: dict[tuple[str, str], list] = {}
    for name, table, col, ref_table, ref_col in rows:
        entry = out.setdefault((table, name), [name, table, [], ref_table, []])
        entry[2].append(col)
        entry[4].append(ref_col)
    return [(n, t, tuple(c), rt, tuple(rc)) for n, t, c, rt, rc in out.values()]


def _pk(conn, database: str, table: str) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.query_text(
        "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' "
        "AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION" % (database, table)))


def expected_closure(conn, database: str, roots: list[tuple[str, str]], follow: str,
                     skip: set[tuple[str, str]] = frozenset()) -> dict[str, set[tuple]]:
    """The subset, computed here without dumpcore: whole tables read into memory, a fixed
    point over the FKs (upward always; downward from the roots' descendants or from any
    row, by ``follow``, except along skipped child columns)."""
    fks = _fks(conn, database)
    tables = sorted({t for _, t, _, _, _ in fks} | {rt for *_, rt, _ in fks} | {t for t, _ in roots})
    pks = {t: _pk(conn, database, t) for t in tables}
    rows: dict[str, list[dict]] = {}
    for t in tables:
        cols = sorted(set(pks[t]) | {c for _, ft, cs, _, _ in fks if ft == t for c in cs}
                      | {c for *_, rt, rcs in fks if rt == t for c in rcs})
        got = conn.query_text(f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM "
                              f"{quote_ident(database)}.{quote_ident(t)}")
        rows[t] = [dict(zip(cols, r)) for r in got]
    key = {t: (lambda row, t=t: tuple(row[c] for c in pks[t])) for t in tables}
    taken = {t: set() for t in tables}
    down = {t: set() for t in tables}
    for t, where in roots:
        for (k,) in [(tuple(r),) for r in conn.query_text(
                f"SELECT {', '.join(quote_ident(c) for c in pks[t])} FROM {quote_ident(database)}.{quote_ident(t)} "
                f"WHERE {where}")]:
            taken[t].add(k)
            down[t].add(k)
    by_ref: dict[tuple, dict[tuple, list[tuple]]] = {}  # (parent, ref columns) -> values -> parent keys
    for _, _, _, parent, ref_cols in fks:
        index = by_ref.setdefault((parent, ref_cols), {})
        if not index:
            for prow in rows[parent]:
                index.setdefault(tuple(prow[c] for c in ref_cols), []).append(key[parent](prow))
    changed = True
    while changed:
        changed = False
        for _, child, cols, parent, ref_cols in fks:
            for row in rows[child]:
                if key[child](row) not in taken[child] or any(row[c] is None for c in cols):
                    continue
                for pk in by_ref[(parent, ref_cols)].get(tuple(row[c] for c in cols), []):
                    if pk not in taken[parent]:
                        taken[parent].add(pk)
                        changed = True
            if follow == "none" or any((child, c) in skip for c in cols):
                continue
            source = down if follow == "children" else taken
            reached = {tuple(prow[c] for c in ref_cols) for prow in rows[parent] if key[parent](prow) in source[parent]}
            for row in rows[child]:
                if tuple(row[c] for c in cols) in reached:
                    k = key[child](row)
                    if k not in down[child] or k not in taken[child]:
                        changed = changed or k not in taken[child] or (follow == "children" and k not in down[child])
                        taken[child].add(k)
                        down[child].add(k)
    return {t: ks for t, ks in taken.items()}


def restored_keys(conn, database: str) -> dict[str, set[tuple]]:
    out = {}
    for t in [r[0] for r in conn.query_text("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                             "TABLE_SCHEMA = '%s' AND TABLE_TYPE = 'BASE TABLE'" % database)]:
        pk = _pk(conn, database, t)
        if pk:
            out[t] = {tuple(r) for r in conn.query_text(
                f"SELECT {', '.join(quote_ident(c) for c in pk)} FROM {quote_ident(database)}.{quote_ident(t)}")}
    return out


def assert_fk_closed(conn, database: str, fks_of: str | None = None) -> None:
    """No orphan on the target, by SQL; then every FK dropped and added back with
    FOREIGN_KEY_CHECKS=1 (the server checks every row: error 1452 on an orphan).
    ``fks_of``: take the FKs from this database (the target has none), and add them."""
    q = quote_ident(database)
    for name, table, cols, ref_table, ref_cols in _fks(conn, fks_of or database):
        on = " AND ".join(f"p.{quote_ident(r)} = c.{quote_ident(c)}" for c, r in zip(cols, ref_cols))
        notnull = " AND ".join(f"c.{quote_ident(c)} IS NOT NULL" for c in cols)
        orphans = int(conn.scalar(f"SELECT COUNT(*) FROM {q}.{quote_ident(table)} c LEFT JOIN "
                                  f"{q}.{quote_ident(ref_table)} p ON {on} WHERE {notnull} AND "
                                  f"p.{quote_ident(ref_cols[0])} IS NULL"))
        assert orphans == 0, f"{table} -> {ref_table}: {orphans} orphan rows"
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
        if fks_of is None:
            conn.execute(f"ALTER TABLE {q}.{quote_ident(table)} DROP FOREIGN KEY {quote_ident(name)}")
        conn.execute(f"ALTER TABLE {q}.{quote_ident(table)} ADD CONSTRAINT {quote_ident(name)} FOREIGN KEY "
                     f"({', '.join(map(quote_ident, cols))}) REFERENCES {quote_ident(ref_table)} "
                     f"({', '.join(map(quote_ident, ref_cols))})")


def _subset_roundtrip(server, conn, tmp_path, source: str, target: str, roots: list[str], follow: str,
                      skip: list[str] = (), workers: int = 1) -> dict:
    rounds: list[str] = []
    opts = DumpOptions(subset=parse_spec(roots, follow, list(skip)), subset_report=rounds.append, workers=workers)
    out = tmp_path / f"sub-{follow}-{workers}"
    dump_to_directory(server, source, out, opts)
    assert rounds and rounds[-1].endswith("(closed)")
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    restore(out, server, RestoreOptions(database=target))
    want = expected_closure(conn, source, [tuple(r.split(":", 1)) for r in roots], follow,
                            {tuple(s.split(".")) for s in skip})
    got = restored_keys(conn, target)
    for t, keys in want.items():
        assert got.get(t, set()) == keys, f"table {t}: {len(got.get(t, set()))} rows restored, {len(keys)} expected"
    assert_fk_closed(conn, target)
    m = read_manifest(out).data
    assert m["subset"]["follow"] == follow
    assert {t["name"]: t["rows"] for t in m["tables"] if t["name"] in want} == {t: len(k) for t, k in want.items()}
    assert all(m["subset"]["rows"][t] == len(k) for t, k in want.items())
    return m


@pytest.fixture(scope="module")
def school(server):
    with server.connect() as c:
        create_school(c, "subset_school", scale=0.25)
    yield "subset_school"
    with server.connect() as c:
        c.execute("DROP DATABASE IF EXISTS subset_school")


@pytest.mark.parametrize("follow", ["none", "children", "all"])
def test_school_subset_of_two_roots_is_the_closure_and_restores_fk_closed(server, conn, tmp_path, school, db, follow):
    m = _subset_roundtrip(server, conn, tmp_path, school, db, ["students:class_id = 3", "subjects:id = 5"], follow)
    assert [r["table"] for r in m["subset"]["roots"]] == ["students", "subjects"]


def test_school_subset_skip_stops_following_one_edge_down(server, conn, tmp_path, school, db):
    m = _subset_roundtrip(server, conn, tmp_path, school, db, ["classes:id IN (2, 4)"], "children",
                          ["attendance.student_id"])
    assert m["subset"]["skip"] == ["attendance.student_id"]


def test_world_subset_closes_the_store_staff_cycle_and_self_references(server, conn, tmp_path, world, db):
    """store <-> staff (NOT NULL both ways), staff.reports_to and category.parent_id."""
    _subset_roundtrip(server, conn, tmp_path, world, db,
                      ["rental:rental_id BETWEEN 10 AND 40", "category:category_id = 9", "staff:staff_id = 5"],
                      "children")


def test_world_subset_on_two_workers_takes_the_same_rows(server, conn, tmp_path, world, db):
    m = _subset_roundtrip(server, conn, tmp_path, world, db, ["customer:customer_id < 20"], "children", workers=2)
    assert sum(t["rows"] for t in m["tables"]) > 0


def test_prisma_relations_are_edges_where_the_database_has_no_foreign_key(server, conn, tmp_path, school, db):
    """relationMode = "prisma": the school without its FKs; the relations close the subset as the FKs did."""
    create_school(conn, db, scale=0.25)  # the same rows as `school` (same seed and scale)
    for _, table, *_ in _fks(conn, db):
        for (name,) in conn.query_text(f"SELECT CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS WHERE "
                                       f"TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{table}' AND "
                                       "CONSTRAINT_TYPE = 'FOREIGN KEY'"):
            conn.execute(f"ALTER TABLE {quote_ident(db)}.{quote_ident(table)} DROP FOREIGN KEY {quote_ident(name)}")
    assert not _fks(conn, db)
    roots = ["students:class_id = 3", "subjects:id = 5"]
    out = tmp_path / "prisma"
    dump_to_directory(server, db, out, DumpOptions(subset=parse_spec(roots), prisma=str(school_prisma_schema())))
    target = f"{db}_copy"
    try:
        restore(out, server, RestoreOptions(database=target))
        want = expected_closure(conn, school, [tuple(r.split(":", 1)) for r in roots], "children")
        got = restored_keys(conn, target)
        assert all(got[t] == keys for t, keys in want.items())
        assert_fk_closed(conn, target, fks_of=school)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_subset_is_read_in_the_snapshot(server, conn, tmp_path, school, db):
    """A row committed while the key sets are built is not in the subset (a locking
    read, as INSERT ... SELECT does in InnoDB, would see it)."""
    q = quote_ident(school)
    before = int(conn.scalar(f"SELECT COUNT(*) FROM {q}.attendance WHERE student_id IN "
                             f"(SELECT id FROM {q}.students WHERE class_id = 3)"))
    added: list[int] = []

    def commit_a_row(line: str) -> None:
        if line.startswith("subset round 0") and not added:
            with server.connect() as other:
                other.execute(f"INSERT INTO {q}.attendance (lecture_id, student_id, status_id) SELECT l.id, s.id, 1 "
                              f"FROM {q}.lectures l JOIN {q}.students s ON s.class_id = 3 AND l.class_id <> 3 "
                              f"LIMIT 1")
                added.append(int(other.scalar("SELECT LAST_INSERT_ID()")))
                other.commit()

    out = tmp_path / "snap"
    try:
        dump_to_directory(server, school, out, DumpOptions(subset=parse_spec(["students:class_id = 3"], "children"),
                                                           subset_report=commit_a_row, workers=1))
        assert added
        assert read_manifest(out).data["subset"]["rows"]["attendance"] == before
    finally:
        for row_id in added:
            conn.execute(f"DELETE FROM {q}.attendance WHERE id = {row_id}")


def test_verify_against_a_subset_compares_the_same_closure(server, conn, tmp_path, school):
    out = tmp_path / "v"
    dump_to_directory(server, school, out, DumpOptions(subset=parse_spec(["classes:id = 2"], "children")))
    report = verify_against(out, server)
    assert report.ok and report.notes and "subset" in report.notes[0]
    assert report.rows == sum(t["rows"] for t in read_manifest(out).data["tables"])


def test_plan_subset_prints_rows_per_table_without_dumping(server, school, tmp_path):
    proc = dumpcore("plan", school, *conn_args(server), "--subset", "students:class_id = 3", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["rows"]["students"] == 30 and d["rows"]["attendance"] == 30 * 80
    assert d["rows"]["classes"] == 1 and d["table_rows_estimate"]["attendance"] > 0
    assert b"subset round 0" not in proc.stderr  # --json: the JSON only
    proc = dumpcore("plan", school, *conn_args(server), "--subset", "students:class_id = 3")
    assert proc.returncode == 0 and b"subset round 0: +30 rows" in proc.stderr
    assert all(len(line) <= 80 for line in proc.stdout.decode().splitlines())


@pytest.mark.parametrize("args, message", [
    (["--subset", "students"], "is not TABLE:CONDITION"),
    (["--subset", "pupils:id = 1"], "table `pupils` not found"),
    (["--subset", "students:no_such_column = 1"], "--subset condition rejected on table `students`"),
    (["--subset", "students:id = 1", "--subset-follow", "parents"], "--subset-follow takes none, children or all"),
    (["--subset", "students:id = 1", "--subset-skip", "students.email"], "`students` has no foreign key on `email`"),
    (["--subset", "students:id = 1", "--where", "1"], "give one"),
    (["--subset-skip", "students.class_id"], "--subset-skip needs a --subset root"),
])
def test_subset_mistakes_are_one_line_errors_and_write_nothing(server, school, tmp_path, args, message):
    out = tmp_path / "bad"
    proc = dumpcore("dump", school, *conn_args(server), "-o", str(out), *args)
    assert proc.returncode != 0
    lines = proc.stderr.decode().strip().splitlines()
    assert lines[-1].startswith("Error: ") and message in lines[-1], lines
    assert not out.exists()


def test_a_keyless_table_in_the_closure_is_refused(server, conn, db, tmp_path):
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.p (id INT PRIMARY KEY)")
    conn.execute(f"CREATE TABLE {q}.c (p_id INT, note TEXT, FOREIGN KEY (p_id) REFERENCES {q}.p (id))")
    conn.execute(f"INSERT INTO {q}.p VALUES (1)")
    with pytest.raises(SchemaError, match="table `c` has no primary key"):
        dump_to_directory(server, db, tmp_path / "k", DumpOptions(subset=parse_spec(["p:id = 1"])))
    # not followed down into it: the dump is made
    dump_to_directory(server, db, tmp_path / "k2", DumpOptions(subset=parse_spec(["p:id = 1"], "none")))
    with pytest.raises(UsageError):
        parse_spec(["p:id = 1"], "sideways")


# ---------------------------------------------------------------------------
_SEED = random.SystemRandom().randrange(10**9)  # DUMPCORE_GENERATED_SEED repeats a run's; failures name theirs

# Generated FK graphs: the closure of random roots over random graphs (cycles, self
# references, composite keys, FKs to a UNIQUE column that is not the key, nullable and
# parallel edges), each follow rule, 1 or 2
# workers, against the independent closure above. A round skips the upward edge its rows
# came down (their parents on it are taken): the graphs where that is wrong are here.

def _generated_graph(conn, database: str, rng: random.Random) -> list[str]:
    """A database of 3-6 tables with random FKs and rows; returns its table names."""
    q = quote_ident(database)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q}")
    n = rng.randint(3, 6)
    names = [f"t{i}" for i in range(n)]
    composite = {t: rng.random() < 0.3 for t in names}  # PRIMARY KEY (id, g), g = id % 3
    rows = {t: rng.randint(5, 40) for t in names}
    # table -> [(column prefix, parent, by u)]: by u, the FK references the parent's UNIQUE
    # column u (= id * 7), not its key
    fks: dict[str, list[tuple[str, str, bool]]] = {t: [] for t in names}
    for t in names:
        for j in range(rng.choice([0, 1, 1, 2, 3])):
            fks[t].append((f"f{j}", rng.choice(names), rng.random() < 0.25))  # the table itself now and then
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
    for t in names:
        cols = ["id INT NOT NULL", "g INT NOT NULL", "u INT NOT NULL UNIQUE"]
        cons = []
        for col, parent, by_u in fks[t]:
            cols.append(f"{col} INT NULL")
            if by_u:
                cons.append(f"FOREIGN KEY ({col}) REFERENCES {parent} (u)")
            elif composite[parent]:
                cols.append(f"{col}_g INT NULL")
                cons.append(f"FOREIGN KEY ({col}, {col}_g) REFERENCES {parent} (id, g)")
            else:
                cons.append(f"FOREIGN KEY ({col}) REFERENCES {parent} (id)")
        pk = "PRIMARY KEY (id, g)" if composite[t] else "PRIMARY KEY (id)"
        conn.execute(f"CREATE TABLE {q}.{t} ({', '.join(cols + [pk] + cons)}) ENGINE=InnoDB")
    for t in names:
        values = []
        for i in range(1, rows[t] + 1):
            row = [str(i), str(i % 3), str(i * 7)]
            for col, parent, by_u in fks[t]:
                ref = rng.randint(1, rows[parent]) if rng.random() < 0.8 else None
                row.append("NULL" if ref is None else str(ref * 7 if by_u else ref))
                if composite[parent] and not by_u:
                    row.append("NULL" if ref is None else str(ref % 3))
            values.append(f"({', '.join(row)})")
        conn.execute(f"INSERT INTO {q}.{t} VALUES {', '.join(values)}")
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
    return names


@pytest.mark.parametrize("example", range(int(os.environ.get("DUMPCORE_SUBSET_EXAMPLES", "8"))))
def test_generated_graphs_subset_is_the_closure(server, conn, tmp_path, db, example):
    seed = int(os.environ.get("DUMPCORE_GENERATED_SEED", _SEED)) + example
    rng = random.Random(seed)
    source = f"{db}_g"
    try:
        names = _generated_graph(conn, source, rng)
        roots = [f"{t}:id % {rng.randint(2, 9)} = {rng.randint(0, 1)}" for t in rng.sample(names, rng.randint(1, 2))]
        follow = rng.choice(["none", "children", "all"])
        skip = []
        fk_cols = [(t, cols[0]) for _, t, cols, _, _ in _fks(conn, source)]
        if follow != "none" and fk_cols and rng.random() < 0.3:
            skip = [".".join(rng.choice(fk_cols))]
        try:
            _subset_roundtrip(server, conn, tmp_path, source, db, roots, follow, skip, workers=rng.choice([1, 2]))
        except AssertionError as exc:
            raise AssertionError(f"seed {seed} (DUMPCORE_GENERATED_SEED={seed - example}): roots {roots}, "
                                 f"follow {follow}, skip {skip}: {exc}") from None
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(source)}")
