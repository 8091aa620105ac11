"""What a restore must carry besides plain rows, exactly (issue #20, items 5-7):

- routine, trigger and event bodies as the bytes the server stored, under the client
  character set they were created with (a ``_koi8r '...'`` literal under SET NAMES utf8);
- a stored ENUM value '' (the error value, index 0) through every load path;
- the history rows of a system-versioned table (``dump --dump-history``), and a warning
  naming every table whose history a dump leaves out.

Each case runs through the outputs that apply: `dumpcore restore`, `dump --stdout | mariadb`
and `mariadb DB < scripts/load.sql`, compared raw with the source."""
import json
import re
import subprocess

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, assert_same_objects
from dumpcore.connect.connection import quote_ident

PATHS = ("restore", "stdout", "load_sql")


def _new_db(conn, name):
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
    conn.execute(f"CREATE DATABASE {quote_ident(name)} CHARACTER SET utf8mb4")


def _drop(conn, name):
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def dump_dir(server, source, out, *dump_args):
    proc = dumpcore("dump", source, "-o", str(out), "-q", *conn_args(server), *dump_args)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


def load_into(server, how, source, target, out, *dump_args, restore_args=()):
    """Load ``source`` into ``target`` one way: ``out`` is a directory dump of ``source``
    made with ``dump_args`` (restore, load_sql); stdout dumps again into a pipe."""
    if how == "restore":
        return dumpcore("restore", str(out), "--database", target, "-q", *conn_args(server), *restore_args)
    if how == "load_sql":
        with open(out / "scripts" / "load.sql", "rb") as f:
            return subprocess.run(server.client_command("mariadb", target), stdin=f, capture_output=True,
                                  env=server.client_env(), cwd=out)
    dump = subprocess.Popen([str(DUMPCORE), "dump", source, "--stdout", "-q", *conn_args(server), *dump_args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client = subprocess.run(server.client_command("mariadb", target), stdin=dump.stdout, capture_output=True,
                            env=server.client_env())
    dump.stdout.close()
    assert dump.wait() == 0, dump.stderr.read().decode()
    return client


# -- item 5: bodies with a charset introducer ---------------------------------------------

KOI8R = "текст".encode("koi8_r")  # not valid UTF-8: the server keeps these bytes as they came


def _raw_definitions(conn, database):
    """Each routine's, trigger's and event's SHOW CREATE text as the server stores it (results
    in binary: no conversion to the connection's character set), DEFINER left out."""
    q = quote_ident(database)
    conn.execute("SET character_set_results = binary")
    try:
        out = {}
        for kind, names, col in (
                ("PROCEDURE", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '{}' "
                              "AND ROUTINE_TYPE = 'PROCEDURE'", 2),
                ("FUNCTION", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '{}' "
                             "AND ROUTINE_TYPE = 'FUNCTION'", 2),
                ("TRIGGER", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{}'", 2),
                ("EVENT", "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{}'", 3),
                ("VIEW", "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '{}'", 1)):
            for (name,) in conn.query(names.format(database)):
                row = conn.query(f"SHOW CREATE {kind} {q}.{quote_ident(name.decode())}")[0]
                text = re.sub(rb" DEFINER=\S+", b"", row[col]).replace(q.encode() + b".", b"")  # a view names its db
                out[(kind, name)] = (text, row[col + 1])  # and its character_set_client
        return out
    finally:
        conn.execute("SET character_set_results = utf8mb4")


def test_bodies_with_a_charset_introducer_keep_their_bytes(server, conn, db, tmp_path):
    """As MariaDB's ddl_i18n_utf8 test: under SET NAMES utf8, bodies whose literal is
    ``_koi8r '<koi8r bytes>'`` (and a view's). Before the fix every output restored them as '?????'."""
    q = quote_ident(db)
    conn.execute(f"USE {q}")
    conn.execute("CREATE TABLE t (id int PRIMARY KEY, c varchar(64))")
    conn.execute("INSERT INTO t VALUES (1, 'one')")
    conn.execute("SET NAMES utf8")
    lit = b"_koi8r '" + KOI8R + b"'"
    conn.execute(b"CREATE PROCEDURE p1() SELECT COLLATION(" + lit + b"), HEX(" + lit + b"), CONVERT(" + lit
                 + b" USING utf8mb4)")
    conn.execute(b"CREATE FUNCTION f1() RETURNS varchar(64) CHARSET utf8mb4 RETURN CONCAT(HEX(" + lit + b"), ' ', "
                 b"CONVERT(" + lit + b" USING utf8mb4))")
    conn.execute(b"CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.c = CONCAT(HEX(" + lit + b"), ' ', "
                 b"CONVERT(" + lit + b" USING utf8mb4))")
    conn.execute(b"CREATE EVENT ev1 ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 00:00:00' DISABLE "
                 b"DO UPDATE t SET c = " + lit)
    conn.execute(b"CREATE VIEW v1 AS SELECT CONCAT(HEX(" + lit + b"), ' ', CONVERT(" + lit + b" USING utf8mb4)) AS c")
    conn.execute("SET NAMES utf8mb4")
    conn.execute("USE mysql")
    expected = "D4C5CBD3D4 текст".encode()
    assert conn.query(f"SELECT {q}.f1()") == [(expected,)]
    source = _raw_definitions(conn, db)
    assert len(source) == 5 and all(KOI8R in text for text, _ in source.values())
    out = tmp_path / "d"
    dump_dir(server, db, out)
    for how in PATHS:
        target = f"{db}_{how}"[:64]
        _new_db(conn, target)
        try:
            proc = load_into(server, how, db, target, out)
            assert proc.returncode == 0, f"{how}: {proc.stderr.decode()}"
            assert _raw_definitions(conn, target) == source, f"{how}: the bodies' bytes changed"
            assert_same_database(conn, db, target)  # ROUTINE_DEFINITION, ACTION_STATEMENT, contexts, rows
            t = quote_ident(target)
            assert conn.query(f"SELECT {t}.f1()") == [(expected,)], how
            assert conn.query(f"SELECT c FROM {t}.v1") == [(expected,)], f"{how}: the view's result"
            conn.execute(f"INSERT INTO {t}.t (id) VALUES (2)")
            assert conn.query(f"SELECT c FROM {t}.t WHERE id = 2") == [(expected,)], f"{how}: the trigger's result"
        finally:
            _drop(conn, target)


# -- item 6: the ENUM error value ---------------------------------------------------------

# Index and text of every ENUM/SET: '' is the error value (index 0) in `x`, a member (index
# 1) in `y`, and raw text alone cannot tell them apart there.
ENUM_EXPRS = {"e": ["id", "x + 0", "x", "y + 0", "y", "s + 0", "note"], "k": ["x + 0", "x", "c"]}


def create_enum_database(conn, q):
    conn.execute(f"USE {q}")
    conn.execute("SET SESSION sql_mode = ''")  # non-strict: a value that is not a member is stored as index 0
    conn.execute("CREATE TABLE e (id int PRIMARY KEY, x enum('a','b') NOT NULL, y enum('','a'), "
                 "s set('a','b'), note varchar(8))")
    conn.execute("INSERT INTO e VALUES (1, '', '', '', 'one'), (2, 'a', 0, 'a', 'two'), (3, 'zz', 'a', 'a,b', ''), "
                 "(4, 'b', NULL, NULL, NULL), (5, 'a', '', 'b', 'five')")
    conn.execute("CREATE TABLE k (x enum('a','b'), c int)")  # keyless, the same row twice
    conn.execute("INSERT INTO k VALUES ('', 1), ('', 1), ('a', 2), (NULL, 3)")
    conn.execute("SET SESSION sql_mode = DEFAULT")
    conn.execute("USE mysql")


def _enum_rows(conn, database):
    q = quote_ident(database)
    return {t: sorted(conn.query(f"SELECT {', '.join(exprs)} FROM {q}.{t}"), key=repr) for t, exprs in ENUM_EXPRS.items()}


def test_enum_error_value_restores_exactly_through_every_path(server, conn, db, tmp_path):
    """Before the fix every path refused the row holding x = '' (error 1265)."""
    create_enum_database(conn, quote_ident(db))
    source = _enum_rows(conn, db)
    assert (b"1", b"0", b"", b"1", b"", b"0", b"one") in source["e"] \
        and (b"2", b"1", b"a", b"0", b"", b"1", b"two") in source["e"], "the fixture lost its error values"
    out = tmp_path / "d"
    dump_dir(server, db, out)
    for how, restore_args in (("restore", ()), ("restore", ("--load-method", "load-data")),
                              ("restore", ("--load-method", "upsert")), ("stdout", ()), ("load_sql", ())):
        target = f"{db}_{how}{len(restore_args)}"[:64]
        _new_db(conn, target)
        try:
            proc = load_into(server, how, db, target, out, restore_args=restore_args)
            assert proc.returncode == 0, f"{how} {restore_args}: {proc.stderr.decode()}"
            assert _enum_rows(conn, target) == source, f"{how} {restore_args}"
            assert_same_database(conn, db, target)
            if how == "restore":  # loaded again over itself: the upserts keep it exact
                proc = load_into(server, how, db, target, out, restore_args=("--cleanup",))
                assert proc.returncode == 0, proc.stderr.decode()
                assert _enum_rows(conn, target) == source
        finally:
            _drop(conn, target)


def test_an_invalid_value_beside_the_enum_error_value_is_still_refused(server, conn, db, tmp_path):
    """Only the error value is taken as it was stored: a value that does not fit, in a plain
    row or in the row holding index 0, still fails the load (strict, as every load)."""
    create_enum_database(conn, quote_ident(db))
    dump = subprocess.run([str(DUMPCORE), "dump", db, "--stdout", "-q", *conn_args(server)], capture_output=True)
    assert dump.returncode == 0, dump.stderr.decode()
    stream = dump.stdout
    assert b"SELECT\n1,`dumpcore_enum_zero`.`e0`," in stream
    for old, new, errno, row in ((b"(5,'a','','b','five')", b"(5,'q','','b','five')", b"1265", 5),  # not a member
                                 (b",'one' FROM", b",'one too long' FROM", b"1406", 1)):  # longer than varchar(8)
        assert stream.count(old) == 1, old
        target = f"{db}_bad"
        _new_db(conn, target)
        try:
            client = subprocess.run(server.client_command("mariadb", target), input=stream.replace(old, new),
                                    capture_output=True, env=server.client_env())
            assert client.returncode != 0 and errno in client.stderr, client.stderr.decode()
            assert conn.query(f"SELECT COUNT(*) FROM {quote_ident(target)}.e WHERE id = {row}") == [(b"0",)]
        finally:
            _drop(conn, target)


# -- item 7: the history of system-versioned tables ----------------------------------------

def create_versioned_database(conn, q, rows=3):
    """`sv`: implicit row_start/row_end, `sv_exp`: its own period columns, `sv_trx`: versioned
    by transaction id (its history cannot be inserted back). Each row updated twice."""
    conn.execute(f"USE {q}")
    conn.execute("CREATE TABLE sv (id int PRIMARY KEY, v varchar(40)) WITH SYSTEM VERSIONING")
    conn.execute("CREATE TABLE sv_exp (id int PRIMARY KEY, v varchar(40), rs TIMESTAMP(6) GENERATED ALWAYS AS ROW "
                 "START, re TIMESTAMP(6) GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME (rs, re)) "
                 "WITH SYSTEM VERSIONING")
    conn.execute("CREATE TABLE sv_trx (id int PRIMARY KEY, v int, rs BIGINT UNSIGNED GENERATED ALWAYS AS ROW START, "
                 "re BIGINT UNSIGNED GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME (rs, re)) "
                 "ENGINE=InnoDB WITH SYSTEM VERSIONING")
    values = ", ".join(f"({i}, 'version one of row {i}')" for i in range(1, rows + 1))
    for t in ("sv", "sv_exp"):
        conn.execute(f"INSERT INTO {t} (id, v) VALUES {values}")
        conn.execute(f"UPDATE {t} SET v = CONCAT(v, ', two')")
        conn.execute(f"UPDATE {t} SET v = 'three' WHERE id % 2 = 1")
        conn.execute(f"DELETE FROM {t} WHERE id = 2")  # a row that only history holds
    conn.execute("INSERT INTO sv_trx (id, v) VALUES (1, 1)")
    conn.execute("UPDATE sv_trx SET v = 2")
    conn.execute("USE mysql")


def _all_versions(conn, database):
    q = quote_ident(database)
    conn.execute("SET SESSION time_zone = '+00:00'")
    return {"sv": sorted(conn.query(f"SELECT id, v, row_start, row_end FROM {q}.sv FOR SYSTEM_TIME ALL")),
            "sv_exp": sorted(conn.query(f"SELECT id, v, rs, re FROM {q}.sv_exp FOR SYSTEM_TIME ALL"))}


def test_history_left_out_is_named_with_its_row_count(server, conn, db, tmp_path):
    """Before the fix the history was dropped without a word (3 rows FOR SYSTEM_TIME ALL, 2 after)."""
    create_versioned_database(conn, quote_ident(db))
    proc = dumpcore("dump", db, "-o", str(tmp_path / "d"), *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    warning = [ln for ln in proc.stderr.decode().splitlines() if ln.startswith("Warning: history not dumped")]
    assert warning == ["Warning: history not dumped (--dump-history carries it), only the current rows: "
                       "sv (6 history rows), sv_exp (6 history rows), sv_trx (1 history rows)"], proc.stderr.decode()
    m = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert {t["name"]: t.get("history_not_dumped") for t in m["tables"]} == {"sv": 6, "sv_exp": 6, "sv_trx": 1}
    stream = subprocess.run([str(DUMPCORE), "dump", db, "--stdout", "-q", *conn_args(server)], capture_output=True)
    assert stream.returncode == 0 and b"Warning: history not dumped" in stream.stderr  # -q keeps warnings


def test_dump_history_restores_every_row_version_exactly(server, conn, db, tmp_path):
    create_versioned_database(conn, quote_ident(db), rows=120)
    source = _all_versions(conn, db)
    assert len(source["sv"]) == 120 + 120 + 60  # the first versions, the second ones, the odd rows' third
    out = tmp_path / "d"
    proc = dumpcore("dump", db, "-o", str(out), "--dump-history", "--chunk-size", "4KiB", "--statement-size", "1KiB",
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "history not dumped (versioned by transaction id: its history cannot be inserted), only the current " \
           "rows: sv_trx (1 history rows)" in proc.stderr.decode()
    m = json.loads((out / "manifest.json").read_text())
    sv = next(t for t in m["tables"] if t["name"] == "sv")
    assert sv["history"] == {"row_start": "row_start", "row_end": "row_end"} and sv["rows"] == len(source["sv"])
    assert sv["primary_key"] == ["id", "row_end"] and len(sv["chunks"]) > 2
    # chunk key ranges: (id, row_end), ascending, never overlapping (a row's versions may span two chunks)
    bounds = [(int(c["key_first"][0]), c["key_first"][1], int(c["key_last"][0]), c["key_last"][1]) for c in sv["chunks"]]
    assert all(a[:2] <= a[2:] and a[2:] < b[:2] for a, b in zip(bounds, bounds[1:])), bounds
    for how in PATHS:
        target = f"{db}_{how}"[:64]
        _new_db(conn, target)
        try:
            proc = load_into(server, how, db, target, out, "--dump-history")
            assert proc.returncode == 0, f"{how}: {proc.stderr.decode()}"
            assert _all_versions(conn, target) == source, how
            assert_same_database(conn, db, target, tables=["sv", "sv_exp"])  # SHOW CREATE TABLE, current rows
            assert conn.query(f"SELECT @@SESSION.system_versioning_insert_history") == [(b"0",)]
            if how == "restore":
                check = dumpcore("verify", str(out), "--against", target, *conn_args(server))
                assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
                # again over itself: --cleanup empties the history too (a DELETE alone would keep it)
                proc = load_into(server, how, db, target, out, restore_args=("--cleanup",))
                assert proc.returncode == 0 and b"beyond the dump" not in proc.stderr, proc.stderr.decode()
                assert _all_versions(conn, target) == source
        finally:
            _drop(conn, target)
