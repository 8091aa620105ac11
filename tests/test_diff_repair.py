"""``dumpcore diff`` and ``restore --repair`` (dumpcore/verify/diff.py): from the content
fingerprints alone, where a dump and a live database (or two dumps) differ, per key range,
and a repair that loads only the ranges that differ.

- a scripted, seeded set of changes (updates, deletes, inserts inside ranges, in the gaps
  between them, below the first key and past the last, on an integer and a composite text
  key): the keys ``diff --rows`` reports are exactly the keys the script touched, dump
  against live and dump against a later dump; a dump against its own restore: equal;
- a staging copy drifted by the script: ``--repair`` leaves it equal to the source (raw
  comparison), deleting only the live rows of the ranges that differ and writing only
  their chunks' rows (the server's Handler_delete / Handler_write counters);
- keyless tables: a repair is refused before any write unless --cleanup, which reloads
  only the keyless tables that differ.
"""
from __future__ import annotations

import json
import random

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database, checksum
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import RestoreError
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.diff import CHANGED, ONLY_A, ONLY_B, SAME, diff_dumps, diff_live

REGIONS = ["alpha", "beta", "delta", "gamma", "omega"]


def _source(conn, db: str) -> None:
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2), "
                 "note TEXT NULL, b VARBINARY(8))")
    # even ids: an odd id inserted later lands between two rows (inside a range or in a gap)
    conn.execute(f"INSERT INTO {q}.items SELECT seq * 2, CONCAT('item-', seq), seq / 7, IF(seq % 5, NULL, "
                 f"REPEAT('n', seq % 40)), UNHEX(HEX(seq)) FROM {q}.seq_1_to_1500")
    conn.execute(f"CREATE TABLE {q}.pairs (region VARCHAR(8), n INT, v INT, PRIMARY KEY (region, n))")
    for r in REGIONS:
        conn.execute(f"INSERT INTO {q}.pairs SELECT '{r}', seq * 2, seq FROM {q}.seq_1_to_150")
    conn.execute(f"CREATE TABLE {q}.log (msg VARCHAR(20))")
    conn.execute(f"INSERT INTO {q}.log SELECT CONCAT('m', seq % 9) FROM {q}.seq_1_to_40")


def _drift(conn, db: str, seed: int, n: int = 30) -> dict[str, dict[tuple, str]]:
    """Change the database as a day of use would; the keys touched, per table, with what
    ``diff`` must call them (A: before, B: after)."""
    rnd = random.Random(seed)
    q = quote_ident(db)
    touched: dict[str, dict[tuple, str]] = {"items": {}, "pairs": {}}
    ids = rnd.sample(range(1, 1501), n)
    for i in ids[:n // 2]:
        conn.execute(f"UPDATE {q}.items SET name = CONCAT(name, '!') WHERE id = {i * 2}")
        touched["items"][(str(i * 2),)] = CHANGED
    for i in ids[n // 2:]:
        conn.execute(f"DELETE FROM {q}.items WHERE id = {i * 2}")
        touched["items"][(str(i * 2),)] = ONLY_A
    for i in rnd.sample(range(1, 1500), n // 4) + [-5, 0]:  # odd: between two rows; -5, 0: below the first
        new = i * 2 + 1 if i > 0 else i
        conn.execute(f"INSERT INTO {q}.items VALUES ({new}, 'new', 1.5, NULL, 0x00)")
        touched["items"][(str(new),)] = ONLY_B
    for i in (3001, 3002, 4000):  # past the last key
        conn.execute(f"INSERT INTO {q}.items VALUES ({i}, 'past', NULL, 'x', NULL)")
        touched["items"][(str(i),)] = ONLY_B
    pairs = rnd.sample([(r, k * 2) for r in REGIONS for k in range(1, 151)], n // 3)
    for r, k in pairs[:n // 6]:
        conn.execute(f"UPDATE {q}.pairs SET v = v + 1 WHERE region = '{r}' AND n = {k}")
        touched["pairs"][(r, str(k))] = CHANGED
    for r, k in pairs[n // 6:]:
        conn.execute(f"DELETE FROM {q}.pairs WHERE region = '{r}' AND n = {k}")
        touched["pairs"][(r, str(k))] = ONLY_A
    for r, k in [("beta", 7), ("c", 1), ("zz", 1), ("a", 0)]:  # in a range, between regions, past, below
        conn.execute(f"INSERT INTO {q}.pairs VALUES ('{r}', {k}, 0)")
        touched["pairs"][(r, str(k))] = ONLY_B
    return touched


def _reported(report) -> dict[str, dict[tuple, str]]:
    out: dict[str, dict[tuple, str]] = {}
    for t in report.tables:
        for r in t.ranges:
            assert r.more_keys == 0
            for k in r.keys:
                out.setdefault(t.table, {})[tuple(k.key)] = k.state
    return out


def _dump(server, db, out):
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none", chunk_size=2048, statement_size=1024))
    return read_manifest(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_diff_reports_exactly_the_keys_a_script_touched(server, conn, db, tmp_path, seed):
    _source(conn, db)
    m = _dump(server, db, tmp_path / "before")
    assert len(m.table("items")["chunks"]) > 5 and len(m.table("pairs")["chunks"]) > 3  # ranges to tell apart
    assert diff_live(tmp_path / "before", server, db).equal
    touched = _drift(conn, db, seed)
    live = diff_live(tmp_path / "before", server, db, rows=True, limit=1000)
    assert not live.equal
    assert _reported(live) == touched
    states = {t.table: t.state for t in live.tables}
    assert states == {"items": CHANGED, "pairs": CHANGED, "log": SAME}
    # the ranges said to differ are the ones holding a touched key; every other range is the same
    items = next(t for t in live.tables if t.table == "items")
    assert {r.state for r in items.ranges} >= {SAME, CHANGED, ONLY_B}  # ONLY_B: the keys past the last
    assert sum(r.state != SAME for r in items.ranges) <= len(touched["items"])
    # the same changes seen between two dumps (their chunk boundaries moved with the rows)
    _dump(server, db, tmp_path / "after")
    between = diff_dumps(tmp_path / "before", tmp_path / "after", rows=True, limit=1000)
    assert _reported(between) == touched
    assert diff_dumps(tmp_path / "after", tmp_path / "after").equal


def test_a_dump_and_its_own_restore_do_not_differ(server, conn, db, tmp_path):
    _source(conn, db)
    _dump(server, db, tmp_path / "d")
    target = db + "_copy"
    try:
        restore(tmp_path / "d", server, RestoreOptions(database=target, parallel=2))
        report = diff_live(tmp_path / "d", server, target, rows=True)
        assert report.equal, report.to_dict()
        assert [t.state for t in report.tables] == [SAME] * 3
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def _status(conn) -> dict[str, int]:
    return {k: int(v) for k, v in conn.query_text("SHOW GLOBAL STATUS WHERE Variable_name IN "
                                                  "('Handler_write', 'Handler_delete')")}


def test_repair_loads_only_the_ranges_that_differ(server, conn, db, tmp_path):
    _source(conn, db)
    _dump(server, db, tmp_path / "d")
    staging = db + "_staging"
    try:
        restore(tmp_path / "d", server, RestoreOptions(database=staging, parallel=2))
        _drift(conn, staging, seed=3, n=6)
        before = diff_live(tmp_path / "d", server, staging)
        differing = [r for t in before.tables for r in t.ranges if r.state != SAME]
        live_in_them = sum(r.rows_b for r in differing)
        dumped_in_them = sum(r.rows_a for r in differing)
        total = sum(t.rows_a for t in before.tables)
        assert 0 < dumped_in_them < total / 2
        counters = _status(conn)
        summary = restore(tmp_path / "d", server, RestoreOptions(database=staging, parallel=2, repair=True))
        after = _status(conn)
        assert summary.failure() is None and summary.proof_state() == "proven"
        assert summary.repair.unchanged == {"log"}
        # every live row of a differing range deleted, and only those; only their chunks' rows written
        assert after["Handler_delete"] - counters["Handler_delete"] == live_in_them
        written = after["Handler_write"] - counters["Handler_write"]
        assert dumped_in_them <= written < dumped_in_them + 20, (written, dumped_in_them)
        assert_same_database(conn, db, staging, tables=["items", "pairs", "log"])
        assert diff_live(tmp_path / "d", server, staging).equal
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(staging)}")


def test_repair_of_a_keyless_table_needs_cleanup(server, conn, db, tmp_path):
    _source(conn, db)
    _dump(server, db, tmp_path / "d")
    staging = db + "_staging"
    try:
        restore(tmp_path / "d", server, RestoreOptions(database=staging, parallel=2))
        _drift(conn, staging, seed=4)
        conn.execute(f"INSERT INTO {quote_ident(staging)}.log VALUES ('extra')")
        untouched = checksum(conn, staging)
        with pytest.raises(RestoreError, match=r"without a key differ.*`log`.*--cleanup"):
            restore(tmp_path / "d", server, RestoreOptions(database=staging, repair=True))
        assert checksum(conn, staging) == untouched  # refused before any write
        r = dumpcore("restore", str(tmp_path / "d"), "-D", staging, "--repair", "--cleanup", "--json",
                     *conn_args(server))
        assert r.returncode == 0, r.stderr.decode()
        d = json.loads(r.stdout)
        assert d["repair"]["tables_reloaded"] == ["log"] and d["proof"] == "proven"
        assert_same_database(conn, db, staging, tables=["items", "pairs", "log"])
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(staging)}")


def test_diff_cli_exit_codes_json_and_width(server, conn, db, tmp_path):
    _source(conn, db)
    _dump(server, db, tmp_path / "d")
    same = dumpcore("diff", str(tmp_path / "d"), "-D", db, *conn_args(server))
    assert same.returncode == 0, same.stderr.decode()
    assert same.stdout.decode().splitlines()[-1].startswith("3 tables: 3 same; equal")
    _drift(conn, db, seed=5)
    r = dumpcore("diff", str(tmp_path / "d"), "-D", db, "--rows", "--row-limit", "2", *conn_args(server))
    assert r.returncode == 1, r.stderr.decode()
    lines = r.stdout.decode().splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert "CHANGED table `items`" in r.stdout.decode() and "... and" in r.stdout.decode()
    j = dumpcore("diff", str(tmp_path / "d"), "-D", db, "--json", *conn_args(server))
    assert j.returncode == 1 and json.loads(j.stdout)["equal"] is False
    both = dumpcore("diff", str(tmp_path / "d"), str(tmp_path / "d"), "-D", db)
    assert both.returncode == 2 and both.stderr.decode().startswith("Error: give a second dump B or -D")


def test_rows_added_past_the_last_key_are_a_range_of_their_own(server, conn, db, tmp_path):
    _source(conn, db)
    m = _dump(server, db, tmp_path / "d")
    conn.execute(f"INSERT INTO {quote_ident(db)}.items VALUES (9000, 'later', NULL, NULL, NULL)")
    (items,) = [t for t in diff_live(tmp_path / "d", server, db, tables=["items"], rows=True).tables]
    assert items.state == CHANGED  # on both sides: changed ("only in" is for a table one side lacks)
    (added,) = [r for r in items.ranges if r.state != SAME]
    last = m.table("items")["chunks"][-1]["key_last"]
    assert (added.state, added.lower, added.upper, added.rows_a, added.rows_b) == (ONLY_B, last, None, 0, 1)
    assert [(k.key, k.state) for k in added.keys] == [(["9000"], ONLY_B)]
