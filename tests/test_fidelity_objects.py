"""What a restore must carry besides plain rows, exactly (issue #20, items 5-7):

- routine, trigger and event bodies as the bytes the server stored, under the client
  character set they were created with (a ``_koi8r '...'`` literal under SET NAMES utf8);
- a stored ENUM value '' (the error value, index 0) through every load path;
- the history rows of a system-versioned table (``dump --dump-history``), and a warning
  naming every table whose history a dump leaves out.

Each case runs through the outputs that apply: `dumpcore restore`, `dump --stdout | mariadb`
and `mariadb DB < scripts/load.sql`, compared raw with the source."""
import subprocess

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, assert_same_objects
from dumpcore.connection import quote_ident

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
                ("EVENT", "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{}'", 3)):
            for (name,) in conn.query(names.format(database)):
                row = conn.query(f"SHOW CREATE {kind} {q}.{quote_ident(name.decode())}")[0]
                text = row[col].split(b" ", 2)[2]  # after CREATE DEFINER=...
                out[(kind, name)] = (text, row[col + 1])  # and its character_set_client
        return out
    finally:
        conn.execute("SET character_set_results = utf8mb4")


def test_bodies_with_a_charset_introducer_keep_their_bytes(server, conn, db, tmp_path):
    """As MariaDB's ddl_i18n_utf8 test: under SET NAMES utf8, bodies whose literal is
    ``_koi8r '<koi8r bytes>'``. Before the fix every output restored them as '?????'."""
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
    conn.execute("SET NAMES utf8mb4")
    conn.execute("USE mysql")
    expected = "D4C5CBD3D4 текст".encode()
    assert conn.query(f"SELECT {q}.f1()") == [(expected,)]
    source = _raw_definitions(conn, db)
    assert len(source) == 4 and all(KOI8R in text for text, _ in source.values())
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
