"""Incremental dumps (``dump -o NEW --since PREV``, dumpcore/dump/incremental.py): only the
key ranges whose server-side fingerprint changed since PREV are read and written, the
others are PREV's chunk files linked; the result restores alone, exactly.

- a seeded script of updates, deletes and inserts (inside ranges, between them, below the
  first key, past the last): NEW restored into an empty database equals the source raw;
  the ranges it dumped anew are exactly the ranges ``diff`` calls changed; the others are
  hard links of PREV's files; the keyless table, changed, is dumped whole and said so;
- a chain: a dump --since an incremental dump keeps its ranges (``range_last``) and,
  with nothing changed, writes no chunk (a keyless table is compared whole);
- a table whose columns changed is dumped whole, with why.
"""
from __future__ import annotations

import os

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.store.manifest import read_manifest
from dumpcore.verify.diff import SAME, diff_dumps, diff_live
from dumpcore.verify.verify import verify_directory
from test_diff_repair import _drift, _source

SMALL = dict(workers=1, validate="none", chunk_size=2048, statement_size=1024)


def _since(server, db, out, prev, workers: int = 1):
    return dump_to_directory(server, db, out, DumpOptions(**{**SMALL, "workers": workers}, since=str(prev)))


@pytest.mark.parametrize("seed,workers", [(11, 1), (12, 2)])  # 2: the ranges fingerprinted on two connections
def test_an_incremental_dump_restores_exactly_and_rewrites_only_changed_ranges(server, conn, db, tmp_path, seed,
                                                                             workers):
    _source(conn, db)
    dump_to_directory(server, db, tmp_path / "prev", DumpOptions(**SMALL))
    _drift(conn, db, seed, n=8)
    conn.execute(f"INSERT INTO {quote_ident(db)}.log VALUES ('new')")  # a keyless table that changed: dumped whole
    changed = diff_live(tmp_path / "prev", server, db)
    differing = sum(r.state != SAME for t in changed.tables if t.table != "log" for r in t.ranges)
    summary = _since(server, db, tmp_path / "new", tmp_path / "prev", workers)
    inc = summary.incremental
    assert inc.whole == {"log": "no primary key"}
    assert inc.ranges_changed == differing
    prev, new = read_manifest(tmp_path / "prev"), read_manifest(tmp_path / "new")
    keyed_prev = sum(len(prev.table(t)["chunks"]) for t in ("items", "pairs"))
    assert inc.reused_chunks == keyed_prev - sum(
        1 for t in changed.tables if t.table != "log" for r in t.ranges if r.state != SAME and r.files)
    assert inc.reused_chunks > keyed_prev / 2
    # reused chunks are PREV's files, linked
    prev_inodes = {os.stat(tmp_path / "prev" / c["file"]).st_ino for _, c in prev.chunks()}
    linked = [c for _, c in new.chunks() if os.stat(tmp_path / "new" / c["file"]).st_ino in prev_inodes]
    assert len(linked) == inc.reused_chunks
    assert verify_directory(tmp_path / "new").ok
    # complete on its own: an empty database restored from NEW alone is the source, raw
    target = db + "_from_incremental"
    try:
        s = restore(tmp_path / "new", server, RestoreOptions(database=target, parallel=2))
        assert s.failure() is None and s.proof_state() == "proven"
        assert_same_database(conn, db, target, tables=["items", "pairs", "log"])
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
    assert diff_live(tmp_path / "new", server, db).equal
    between = diff_dumps(tmp_path / "prev", tmp_path / "new")
    assert sum(r.state != SAME for t in between.tables if t.table != "log" for r in t.ranges) == differing


def test_a_chain_keeps_its_ranges_and_writes_nothing_unchanged(server, conn, db, tmp_path):
    _source(conn, db)
    dump_to_directory(server, db, tmp_path / "d1", DumpOptions(**SMALL))
    (last,) = read_manifest(tmp_path / "d1").table("items")["chunks"][2]["key_last"]
    conn.execute(f"DELETE FROM {quote_ident(db)}.items WHERE id = {last}")  # a chunk's last key goes
    s2 = _since(server, db, tmp_path / "d2", tmp_path / "d1")
    assert s2.incremental.ranges_changed == 1
    s3 = _since(server, db, tmp_path / "d3", tmp_path / "d2")
    # nothing changed: not a chunk written (the keyless table too, compared whole)
    assert s3.incremental.ranges_changed == 0 and s3.incremental.dumped_chunks == 0 and not s3.incremental.whole
    d1, d3 = read_manifest(tmp_path / "d1"), read_manifest(tmp_path / "d3")
    bounds = [[c.get("range_last") or c["key_last"] for c in m.table("items")["chunks"]] for m in (d1, d3)]
    assert bounds[0] == bounds[1]  # the range whose last key was deleted kept its boundary
    assert any("range_last" in c for c in d3.table("items")["chunks"])
    assert diff_dumps(tmp_path / "d2", tmp_path / "d3").equal


def test_a_table_whose_columns_changed_is_dumped_whole(server, conn, db, tmp_path):
    _source(conn, db)
    dump_to_directory(server, db, tmp_path / "d1", DumpOptions(**SMALL))
    conn.execute(f"ALTER TABLE {quote_ident(db)}.pairs ADD COLUMN extra INT DEFAULT 7")
    s = _since(server, db, tmp_path / "d2", tmp_path / "d1")
    assert s.incremental.whole == {"pairs": "its columns changed"}
    r = dumpcore("dump", db, "-o", str(tmp_path / "d3"), "--since", str(tmp_path / "d2"), *conn_args(server))
    assert r.returncode == 0, r.stderr.decode()
    err = r.stderr.decode()
    assert "chunks unchanged, linked" in err and "dumped whole" not in err
    assert all(len(x) <= 80 for x in err.splitlines() if not x.startswith("dump written to ")), err  # a path is whole
    bad = dumpcore("dump", db, "--stdout", "--since", str(tmp_path / "d2"), *conn_args(server))
    assert bad.returncode == 2 and "Error: --since makes a directory dump" in bad.stderr.decode()
