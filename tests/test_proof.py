"""The restore's content proof (dumpcore/verify/fingerprint.py, restore/loader.py): no table is called
complete until its live content was compared with the dump's, and a chunk whose loaded
content differs is never committed.

- the primitive, mutated: a chunk loaded in a transaction, then one value changed, one key
  renumbered, one row deleted, one added, one string truncated: each is caught and named;
- the restore: LOAD DATA's renumbered AUTO_INCREMENT 0 (issue #20, item 1) is caught and
  the chunk reloaded by the upserts, exactly; a trigger that changes rows as they load
  stops the restore with the table, the key range and the chunk; a keyless table is
  proven whole; --no-verify says nothing was proven; a merge restore says what it could
  not prove.
"""
from __future__ import annotations

import json
import re

import pytest

from clirun import conn_args, dumpcore
from dbcompare import raw_rows, show_create, table_names
from dumpcore.dump.chunks import iter_chunk_statements
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import RestoreError
from dumpcore.schema.keyrange import key_range_condition
from dumpcore.verify.fingerprint import prove_chunk, prove_table
from dumpcore.store.hashing import chunk_hasher
from dumpcore.store.manifest import read_manifest
from dumpcore.restore.restore import RestoreOptions, restore

MUTATIONS = {
    "change one value": "UPDATE {t} SET name = 'changed' WHERE id = 5",
    "renumber one key": "UPDATE {t} SET id = 1000 WHERE id = 6",
    "delete one row": "DELETE FROM {t} WHERE id = 7",
    "add one row": "INSERT INTO {t} VALUES (8, 'added', NULL)",  # 8 is inside the chunk's range, not in it
    "truncate one string": "UPDATE {t} SET name = LEFT(name, 2) WHERE id = 9",
}


def _source(conn, db):
    conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, name VARCHAR(40), b BLOB)")
    # ids 1..20 without 8, so a row added at 8 lands inside the chunk's key range
    conn.execute(f"INSERT INTO {quote_ident(db)}.t SELECT seq, CONCAT('name-', seq), IF(seq % 3, UNHEX('00ff'), NULL) "
                 f"FROM {quote_ident(db)}.seq_1_to_20 WHERE seq <> 8")


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_mutated_chunk_is_caught_and_named_before_commit(server, conn, db, tmp_path, mutation):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    m = read_manifest(out)
    entry = m.table("t")
    (chunk,) = entry["chunks"]
    target = db + "_target"
    conn.execute(f"CREATE DATABASE {quote_ident(target)}")
    try:
        with server.connect(target) as c:
            c.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), b BLOB)")
            c.execute("START TRANSACTION")
            for stmt in iter_chunk_statements(out / chunk["file"], chunk_hasher()):
                c.execute(stmt)
            assert prove_chunk(c, target, entry, chunk) is None  # the chunk as loaded: proven
            c.execute(MUTATIONS[mutation].format(t="t"))
            found = prove_chunk(c, target, entry, chunk)
            c.execute("ROLLBACK")
        assert found is not None, mutation
        assert found.table == "t" and found.file == chunk["file"]
        assert "keys 1..20" in str(found), str(found)
    finally:
        conn.execute(f"DROP DATABASE {quote_ident(target)}")


def test_the_key_range_is_a_range_scan_of_a_composite_key(conn, db):
    """A row constructor comparison reads the whole index on MariaDB 10.11; the proof reads
    only the chunk's range (Handler_read_next counts the rows read)."""
    conn.execute(f"CREATE TABLE {quote_ident(db)}.c (a VARCHAR(10), b INT, c INT, v INT, PRIMARY KEY (a, b, c))")
    conn.execute(f"INSERT INTO {quote_ident(db)}.c SELECT CONCAT('k', seq DIV 100), seq MOD 100 DIV 10, seq MOD 10, seq "
                 f"FROM {quote_ident(db)}.seq_0_to_9999")
    cond = key_range_condition(["a", "b", "c"], ["'k50'", "3", "4"], ["'k52'", "1", "0"])
    want = conn.query(f"SELECT COUNT(*) FROM {quote_ident(db)}.c WHERE (a, b, c) >= ('k50', 3, 4) "
                      "AND (a, b, c) <= ('k52', 1, 0)")[0][0]
    conn.execute("FLUSH STATUS")
    got = conn.query(f"SELECT COUNT(*) FROM {quote_ident(db)}.c WHERE {cond}")[0][0]
    read = int(conn.query_text("SHOW SESSION STATUS LIKE 'Handler_read_next'")[0][1])
    assert got == want == b"177"
    assert read <= 180, read  # the range, not the 10,000 rows


def test_auto_increment_zero_beside_a_bit_column_restores_exactly_by_every_load_method(server, conn, db, tmp_path):
    """Issue #20 item 1: MariaDB 10.11's LOAD DATA with a SET clause (the BIT column goes
    through UNHEX) gives the row with AUTO_INCREMENT value 0 a new number, without a warning:
    the restore said complete with ids 1, 2, 3. Such a chunk is loaded by the upserts
    (load_data.takes); were it loaded, the proof would roll it back (the injected tests below)."""
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")
    conn.execute("CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, b BIT(8))")
    conn.execute("INSERT INTO t VALUES (0, b'1'), (1, b'0'), (2, NULL)")
    conn.execute("SET SESSION sql_mode = DEFAULT")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    for method in ("load-data", "auto"):
        target = f"{db}_{method.replace('-', '_')}"
        r = dumpcore("restore", str(out), "-D", target, "--load-method", method, "--json", *conn_args(server))
        try:
            assert r.returncode == 0, r.stderr.decode()
            d = json.loads(r.stdout)
            assert d["proof"] == "proven"
            assert raw_rows(conn, target, "t") == raw_rows(conn, db, "t")
            assert show_create(conn, target, "t") == show_create(conn, db, "t")
        finally:
            conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


@pytest.mark.parametrize("kind", ["BIT(8)", "VARBINARY(10)", "BLOB"])
def test_load_data_never_takes_a_chunk_with_auto_increment_zero_beside_a_hex_column(server, conn, db, tmp_path, kind):
    """The generated suite's finding: any column LOAD DATA loads through SET col = UNHEX(@v)
    makes it renumber an AUTO_INCREMENT 0; such a chunk goes to the upserts from the start,
    so the table's AUTO_INCREMENT counter is the source's too (a LOAD DATA rolled back
    would have moved it)."""
    conn.execute(f"USE {quote_ident(db)}")
    conn.execute("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")
    conn.execute(f"CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, b {kind})")
    conn.execute("INSERT INTO t VALUES (0, 0x01), (1, 0x00), (2, NULL)")
    conn.execute(f"CREATE TABLE u (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, b {kind})")  # no 0: LOAD DATA
    conn.execute("INSERT INTO u VALUES (1, 0x01), (2, NULL)")
    conn.execute("SET SESSION sql_mode = DEFAULT")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_t"
    try:
        s = restore(out, server, RestoreOptions(database=target, load_method="load-data"))
        assert s.failure() is None and s.proof_state() == "proven"
        assert not any("loaded by upserts after LOAD DATA" in w for w in s.warnings), s.warnings
        for t in ("t", "u"):
            assert raw_rows(conn, target, t) == raw_rows(conn, db, t)
            assert show_create(conn, target, t) == show_create(conn, db, t)
            want = conn.query(f"SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}' "
                              f"AND TABLE_NAME = '{t}'")
            got = conn.query(f"SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                             f"'{target}' AND TABLE_NAME = '{t}'")
            assert got == want, t
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def _inject(monkeypatch, module, name: str, sql: str) -> list:
    """Fault injection: run ``sql`` on the proving connection just before the real proof
    (what a server bug or a second writer would leave in the range). Returns the calls."""
    real = getattr(module, name)
    calls = []

    def proof(conn, database, entry, *args):
        calls.append(entry["name"])
        conn.execute(sql.format(t=f"{quote_ident(database)}.{quote_ident(entry['name'])}"))
        return real(conn, database, entry, *args)

    monkeypatch.setattr(module, name, proof)
    return calls


@pytest.mark.parametrize("method", ["upsert", "load-data"])
@pytest.mark.parametrize("mutation", ["change one value", "renumber one key", "delete one row", "truncate one string"])
def test_a_chunk_whose_loaded_content_differs_is_rolled_back_and_fails_the_restore(server, conn, db, tmp_path,
                                                                                   monkeypatch, method, mutation):
    import dumpcore.restore.loader as loader_module  # where the loader looks prove_chunk up

    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_target"
    calls = _inject(monkeypatch, loader_module, "prove_chunk", MUTATIONS[mutation])
    try:
        with pytest.raises(RestoreError) as info:
            restore(out, server, RestoreOptions(database=target, load_method=method))
        text = str(info.value)
        assert "the restored content differs from the dump: table `t`, data/t.00001.sql: keys 1..20" in text, text
        assert "rolled back" in text
        # LOAD DATA's chunk went to the upserts and was proven again: two proofs, else one
        assert calls == (["t", "t"] if method == "load-data" else ["t"])
        assert conn.query(f"SELECT COUNT(*) FROM {quote_ident(target)}.t")[0][0] == b"0"
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_rows_changed_by_triggers_the_user_let_fire_are_named_not_proven(server, conn, db, tmp_path):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_target"
    conn.execute(f"CREATE DATABASE {quote_ident(target)}")
    conn.execute(f"CREATE TABLE {quote_ident(target)}.t (id INT PRIMARY KEY, name VARCHAR(40), b BLOB)")
    conn.execute(f"CREATE TRIGGER {quote_ident(target)}.tr BEFORE INSERT ON {quote_ident(target)}.t "
                 "FOR EACH ROW SET NEW.name = IF(NEW.id = 5, 'changed', NEW.name)")
    try:
        r = dumpcore("restore", str(out), "-D", target, "--fire-triggers", "--json", *conn_args(server))
        assert r.returncode == 0, r.stderr.decode()
        d = json.loads(r.stdout)
        assert d["proof"] == "partly proven"
        assert "after the target's triggers fired (--fire-triggers)" in d["not_proven"]["t"]
        assert "keys 1..20" in d["not_proven"]["t"]
        assert "Warning: table `t` not proven: its content differs" in r.stderr.decode()
        assert conn.query(f"SELECT name FROM {quote_ident(target)}.t WHERE id = 5")[0][0] == b"changed"
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_a_keyless_table_is_proven_whole_and_a_changed_row_fails_the_restore(server, conn, db, tmp_path,
                                                                            monkeypatch):
    import dumpcore.restore.completion as completion

    conn.execute(f"CREATE TABLE {quote_ident(db)}.log (at INT, msg VARCHAR(40))")
    conn.execute(f"INSERT INTO {quote_ident(db)}.log SELECT seq % 7, CONCAT('m', seq) FROM {quote_ident(db)}.seq_1_to_500")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    target = db + "_target"
    try:
        s = restore(out, server, RestoreOptions(database=target))
        assert s.proof_state() == "proven" and s.failure() is None
        conn.execute(f"DROP DATABASE {quote_ident(target)}")
        calls = _inject(monkeypatch, completion, "prove_table", "UPDATE {t} SET msg = 'm77!' WHERE msg = 'm77'")
        s = restore(out, server, RestoreOptions(database=target))
        assert calls == ["log"]
        assert s.proof_state() == "differs"
        failure = s.failure()
        assert isinstance(failure, RestoreError)
        assert "table `log`: 500 row(s) on both sides, but their content differs" in str(failure), str(failure)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


def test_append_to_a_keyless_table_is_proven_with_the_rows_it_held(server, conn, db, tmp_path):
    conn.execute(f"CREATE TABLE {quote_ident(db)}.log (at INT, msg VARCHAR(40))")
    conn.execute(f"INSERT INTO {quote_ident(db)}.log SELECT seq, 'x' FROM {quote_ident(db)}.seq_1_to_50")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    s = restore(out, server, RestoreOptions(database=db, append=True))
    assert s.proof_state() == "proven" and s.failure() is None
    assert conn.query(f"SELECT COUNT(*) FROM {quote_ident(db)}.log")[0][0] == b"100"
    entry = read_manifest(out).table("log")
    rows, mismatch = prove_table(conn, db, entry)  # without the base: not the dump alone
    assert rows == 100 and mismatch is not None


def test_no_verify_says_nothing_was_proven_and_a_merge_says_what_it_could_not_prove(server, conn, db, tmp_path):
    _source(conn, db)
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    r = dumpcore("restore", str(out), "-D", db + "_nv", "--no-verify", *conn_args(server))
    try:
        assert r.returncode == 0, r.stderr.decode()
        assert "NOT proven (--no-verify)" in r.stderr.decode()
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(db + '_nv')}")
    # a target that holds a row of its own inside the dumped key range: merged, not proven
    conn.execute(f"INSERT INTO {quote_ident(db)}.t VALUES (8, 'own', NULL)")
    r = dumpcore("restore", str(out), "--json", *conn_args(server))
    assert r.returncode == 0, r.stderr.decode()
    d = json.loads(r.stdout)
    assert d["proof"] == "partly proven"
    assert set(d["not_proven"]) == {"t"}
    assert re.search(r"Warning: table `t` not proven: it held rows of its own", r.stderr.decode())


def test_a_plain_restore_is_proven(server, conn, db, tmp_path, world):
    out = tmp_path / "d"
    dump_to_directory(server, world, out, DumpOptions(validate="none"))
    s = restore(out, server, RestoreOptions(database=db))
    assert s.failure() is None
    assert s.proof_state() == "proven", s.unproven
    assert set(table_names(conn, db)) >= {e["name"] for e in read_manifest(out).tables}


# Every column kind the text protocol sends differently, in character sets the server converts
# (latin1, koi8r, cp1251) and ones it sends as they are, with values that hold the term's own
# separator and digits ('#', '0', '1'), empty strings and NULLs.
_TERM_COLUMNS = ("f FLOAT, d DOUBLE, dc DECIMAL(30,10), b BIT(13), y YEAR, dt DATETIME(6), ts TIMESTAMP(3) NULL, "
                 "tm TIME(2), dd DATE, e ENUM('a','#',''), s SET('x','y'), l1 VARCHAR(20) CHARACTER SET latin1, "
                 "k CHAR(10) CHARACTER SET koi8r, cp TEXT CHARACTER SET cp1251, u VARCHAR(20) CHARACTER SET utf8mb3, "
                 "bl BLOB, vb VARBINARY(10), j JSON, g GEOMETRY NULL, ui BIGINT UNSIGNED, ti TINYINT")
_TERM_VALUES = {
    "f": ["1.1", "-0.0", "3.4028234e38", "1e-38", "NULL"], "d": ["1e300", "-2.2250738585072014e-308", "0", "NULL"],
    "dc": ["-12345678901234567890.0123456789", "0", "1e-10", "NULL"], "b": ["b'1010101010101'", "b'0'", "NULL"],
    "y": ["2024", "1901", "0", "NULL"], "dt": ["'2020-01-01 01:02:03.456789'", "'9999-12-31 23:59:59.999999'", "NULL"],
    "ts": ["'2021-02-03 04:05:06.789'", "'1970-01-01 00:00:01'", "NULL"], "tm": ["'-838:59:59'", "'00:00:00.01'", "NULL"],
    "dd": ["'0000-00-00'", "'9999-12-31'", "NULL"], "e": ["''", "'#'", "'a'", "NULL"], "s": ["'x,y'", "''", "NULL"],
    "l1": ["'caf\\xe9'", "'#'", "''", "'01'", "NULL"], "k": ["'текст'", "'#a#'", "NULL"], "cp": ["'Привет'", "'1'", "NULL"],
    "u": ["'abc'", "'#'", "''", "NULL"], "bl": ["0x00FF27", "''", "0x23", "NULL"], "vb": ["0x5C00", "''", "NULL"],
    "j": ["'{\"a\": [1, 2.5e10]}'", "'[]'", "NULL"], "g": ["ST_GeomFromText('POINT(1 2)')", "NULL"],
    "ui": ["18446744073709551615", "0", "NULL"], "ti": ["-128", "127", "NULL"],
}


def test_the_server_computes_each_rows_term_as_the_dump_does(server, conn, db, tmp_path):
    """The proof's premise: for every row, the server's term (fingerprint.row_term over the dump's
    column expressions) equals the term the dump computed from the values it read
    (hashing.row_hash, and the compiled encoder's sum per chunk)."""
    import random
    from dumpcore.store.hashing import row_hash
    from dumpcore.verify.fingerprint import live_column_types, live_fingerprint, live_nullable, row_term, value_exprs
    rnd = random.Random(20261207)
    names = list(_TERM_VALUES)
    conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY, {_TERM_COLUMNS}) DEFAULT CHARSET=utf8mb4")
    rows = [f"({i}, {', '.join(rnd.choice(_TERM_VALUES[n]) for n in names)})" for i in range(1, 201)]
    rows.append(f"(201, {', '.join('NULL' for _ in names)})")
    conn.execute(f"INSERT INTO {quote_ident(db)}.t (id, {', '.join(names)}) VALUES {', '.join(rows)}")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    entry = read_manifest(out).table("t")
    with server.connect(db) as c:
        exprs = value_exprs(entry, live_column_types(c, db, "t"))
        c.execute("SET SESSION time_zone = '+00:00'")
        live = dict((int(k), int(v)) for k, v in c.query_text(f"SELECT id, {row_term(exprs)} FROM t"))
        # the NOT NULL columns' flags as constants (the restore's form): the same terms
        nullable = live_nullable(entry, live_column_types(c, db, "t"))
        assert nullable[0] is False and all(nullable[1:])
        assert dict((int(k), int(v)) for k, v in c.query_text(
            f"SELECT id, {row_term(exprs, nullable)} FROM t")) == live
        # every column NOT NULL: the flags are one literal
        assert "ISNULL" not in row_term(exprs[:1], [False])
        [(same, rows)] = c.query_text(f"SELECT SUM({row_term(exprs[:1], [False])} = {row_term(exprs[:1])}), "
                                      "COUNT(*) FROM t")
        assert int(same) == int(rows) == 201
        read = [r for batch in c.stream(f"SELECT {', '.join(exprs)} FROM t") for r in batch]
        assert {int(r[0]): row_hash(r) for r in read} == live
        assert live_fingerprint(c, db, entry) == (201, sum(live.values()) % 2**64)
    assert sum(int(ch["fingerprint"], 16) for ch in entry["chunks"]) % 2**64 == sum(live.values()) % 2**64


@pytest.mark.parametrize("keyed", [True, False], ids=["keyed", "keyless"])
def test_a_stored_generated_column_computed_otherwise_on_restore_is_named_not_proven(server, conn, db, tmp_path,
                                                                                   keyed):
    """A STORED generated column over a TIMESTAMP, written in a session at +05:30: the restore
    (in UTC, as every dump tool restores) computes other values. The dump records what the
    source stored; the proof names the column, and a deterministic one beside it is proven."""
    key = "PRIMARY KEY" if keyed else ""
    ddl = (f"(id INT NOT NULL {key}, ts TIMESTAMP NULL, g VARCHAR(30) AS (CAST(ts AS CHAR)) STORED, "
           "h INT AS (id * 2) PERSISTENT)")
    with server.connect(db) as c:
        c.execute("SET SESSION time_zone = '+05:30'")
        c.execute(f"CREATE TABLE t {ddl}")
        c.execute("INSERT INTO t (id, ts) VALUES (1, '2020-01-01 10:00:00'), (2, NULL)")
        c.execute(f"CREATE TABLE same (id INT NOT NULL {key}, a INT, h INT AS (a + 1) STORED)")
        c.execute("INSERT INTO same (id, a) VALUES (1, 1), (2, NULL)")
    out = tmp_path / "d"
    dump_to_directory(server, db, out, DumpOptions(workers=1, validate="none"))
    entry = read_manifest(out).table("t")
    assert entry["stored_generated"] == ["g", "h"]
    target = db + "_target"
    try:
        r = dumpcore("restore", str(out), "-D", target, "--json", *conn_args(server))
        assert r.returncode == 0, r.stderr.decode()
        d = json.loads(r.stdout)
        assert d["proof"] == "partly proven"
        assert list(d["not_proven"]) == ["t"], d["not_proven"]
        assert "stored generated column(s) `g`, `h`, some hold other values" in d["not_proven"]["t"]
        assert "Warning: table `t` not proven" in r.stderr.decode()
        assert conn.query(f"SELECT g FROM {quote_ident(target)}.t WHERE id = 1")[0][0] == b"2020-01-01 04:30:00"
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
