"""Objects around the data, exactly as the server holds them: creation context, sequences,
events, packages, view options, tables whose rows live elsewhere, hostile names.

Each case goes through every output that applies: a directory dump restored by
`dumpcore restore`, `dump --stdout | mariadb`, and `cd DIR && mariadb DB < scripts/load.sql`,
and is compared with the server's own metadata (tests/dbcompare.py)."""
import json
import subprocess

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from conftest import run_client
from dbcompare import assert_same_database, assert_same_objects
from dumpcore.dump.chunks import parse_stream_table_marker, stream_table_marker
from dumpcore.connect.connection import quote_ident
from dumpcore.verify.verify import verify_stream_file


def _drop(server, name):
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def via_restore(server, source, target, tmp_path, *dump_args, restore_args=()):
    """dump -o DIR, then dumpcore restore DIR into ``target``; returns the restore process."""
    out = tmp_path / f"dump-{target}"
    proc = dumpcore("dump", source, "-o", str(out), "-q", *conn_args(server), *dump_args)
    assert proc.returncode == 0, proc.stderr.decode()
    return dumpcore("restore", str(out), "--database", target, "-q", *conn_args(server), *restore_args)


def via_stdout(server, source, target, *dump_args, client_args=()):
    """dumpcore dump --stdout | mariadb TARGET, as a real pipe; returns (dump stderr, client)."""
    dump = subprocess.Popen([str(DUMPCORE), "dump", source, "--stdout", "-q", *conn_args(server), *dump_args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client = subprocess.run([*server.client_command("mariadb", target), *client_args], stdin=dump.stdout,
                            capture_output=True, env=server.client_env())
    dump.stdout.close()
    assert dump.wait() == 0, dump.stderr.read().decode()
    return client


def via_load_sql(server, source, target, tmp_path, *dump_args):
    out = tmp_path / f"load-{target}"
    proc = dumpcore("dump", source, "-o", str(out), "-q", *conn_args(server), *dump_args)
    assert proc.returncode == 0, proc.stderr.decode()
    return subprocess.run(server.client_command("mariadb", target), stdin=open(out / "scripts" / "load.sql", "rb"),
                          capture_output=True, env=server.client_env(), cwd=out)


def _new_db(conn, name, charset="utf8mb4"):
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
    conn.execute(f"CREATE DATABASE {quote_ident(name)} CHARACTER SET {charset}")


# -- item 7: hostile names -------------------------------------------------------------

HOSTILE = ["t\nSELECT 'INJECTED';#", "x\nDROP DATABASE dumpcore_canary;", "c\rSELECT 'INJECTED' */ -- z"]


def test_comment_escaping_reads_back():
    for name in [*HOSTILE, "a\\nb", "plain", "ü\u2028x*/"]:
        line = stream_table_marker(name)
        assert line.count(b"\n") == 1 and line.endswith(b"\n") and b"*/" not in line and b"\r" not in line
        assert parse_stream_table_marker(line) == name


def test_hostile_names_never_become_sql(server, conn, db, tmp_path):
    conn.execute("CREATE DATABASE IF NOT EXISTS dumpcore_canary")
    for i, name in enumerate(HOSTILE):
        conn.execute(f"CREATE TABLE {quote_ident(db)}.{quote_ident(name)} (a int primary key)")
        conn.execute(f"INSERT INTO {quote_ident(db)}.{quote_ident(name)} VALUES ({i}), ({i + 10})")
    try:
        # the stream: no line of it is a name's tail, verify reads it, the client loads it
        stream = subprocess.run([str(DUMPCORE), "dump", db, "--stdout", "-q", *conn_args(server)],
                                capture_output=True)
        assert stream.returncode == 0, stream.stderr.decode()
        lines = stream.stdout.split(b"\n")
        # a name's tail on a line of its own, outside its quoted identifier, would run
        bare = [ln for ln in lines if ln.startswith((b"SELECT 'INJECTED'", b"DROP DATABASE")) and b"`" not in ln]
        assert not bare
        (tmp_path / "s.sql").write_bytes(stream.stdout)
        report = verify_stream_file(tmp_path / "s.sql")
        assert report.ok and report.chunks == len(HOSTILE), report.problems
        markers = [parse_stream_table_marker(ln + b"\n") for ln in lines if ln.startswith(b"-- data: ")]
        assert sorted(markers) == sorted(HOSTILE)
        for how in ("stdout", "load_sql", "restore"):
            target = f"{db}_{how}"
            _new_db(conn, target)
            if how == "stdout":
                client = via_stdout(server, db, target)
            elif how == "load_sql":
                client = via_load_sql(server, db, target, tmp_path)
            else:
                client = via_restore(server, db, target, tmp_path)
            assert client.returncode == 0, client.stderr.decode()
            assert b"INJECTED" not in client.stdout
            assert conn.query_text("SHOW DATABASES LIKE 'dumpcore\\_canary'"), f"{how}: the canary was dropped"
            assert_same_database(conn, db, target)
            _drop(server, target)
        cat = subprocess.run([str(DUMPCORE), "cat", str(tmp_path / f"dump-{db}_restore")], capture_output=True)
        assert cat.returncode == 0
        assert not [ln for ln in cat.stdout.split(b"\n") if ln.startswith(b"SELECT 'INJ") and b"`" not in ln]
    finally:
        conn.execute("DROP DATABASE IF EXISTS dumpcore_canary")


# -- item 9: routine and trigger bodies byte for byte ---------------------------------

def test_restore_keeps_comments_in_routine_and_trigger_bodies(server, conn, db, tmp_path):
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.t (a int primary key, b int)")
    conn.execute(f"CREATE PROCEDURE {q}.pc() BEGIN SELECT 1; -- a comment; with a semicolon\n"
                 "/* block ; comment */ SELECT 2; # hash comment\nEND")
    conn.execute(f"CREATE TRIGGER {q}.tr BEFORE INSERT ON {q}.t FOR EACH ROW BEGIN\n"
                 "-- keep me\nSET NEW.b = NEW.a * 2; /* and me */\nEND")
    target = f"{db}_r"
    _new_db(conn, target)
    try:
        proc = via_restore(server, db, target, tmp_path)
        assert proc.returncode == 0, proc.stderr.decode()
        for sql, comment in (
                ("SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '{}'", b"-- a comment"),
                ("SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{}'", b"-- keep me")):
            src, dst = conn.query(sql.format(db)), conn.query(sql.format(target))
            assert comment in src[0][0] and src == dst
        assert_same_objects(conn, db, target)
    finally:
        _drop(server, target)


# -- items 1-6: context, sequences, events, packages, view options, rows elsewhere -----

KOI8R_TEXT = "текст"


def create_object_database(conn, name):
    """A latin1 database whose objects were made under other contexts than a restore's."""
    q = quote_ident(name)
    _new_db(conn, name, "latin1")
    conn.execute(f"USE {q}")
    conn.execute("SET NAMES latin1")
    conn.execute("CREATE TABLE base (id int primary key, v varchar(20))")
    conn.execute("INSERT INTO base VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    conn.execute("CREATE TABLE log (id int auto_increment primary key, msg varchar(64))")
    conn.execute("CREATE VIEW v_coll AS SELECT COLLATION('x') AS c")
    conn.execute("CREATE FUNCTION f_coll() RETURNS varchar(64) RETURN COLLATION('x')")
    conn.execute("CREATE TRIGGER base_ai AFTER INSERT ON base FOR EACH ROW INSERT INTO log (msg) VALUES (COLLATION('x'))")
    conn.execute("CREATE ALGORITHM=TEMPTABLE SQL SECURITY INVOKER VIEW v_temp AS SELECT id FROM base")
    conn.execute("CREATE ALGORITHM=MERGE VIEW v_check AS SELECT id, v FROM base WHERE id > 1 WITH CASCADED CHECK OPTION")
    conn.execute("CREATE VIEW v_over AS SELECT COUNT(*) AS n FROM v_check")
    conn.execute("SET NAMES koi8r")
    conn.execute(b"CREATE PROCEDURE p_koi8r() SELECT _koi8r '" + KOI8R_TEXT.encode("koi8_r") + b"' AS t")
    conn.execute("SET NAMES utf8mb4")
    conn.execute("SET SESSION sql_mode = 'PIPES_AS_CONCAT,ANSI_QUOTES'")
    conn.execute("CREATE FUNCTION f_pipes() RETURNS varchar(10) RETURN 'a' || 'b'")
    conn.execute("SET SESSION sql_mode = ORACLE")
    conn.execute("CREATE PACKAGE pkg AS FUNCTION f1 RETURN INT; END")
    conn.execute("CREATE PACKAGE BODY pkg AS FUNCTION f1 RETURN INT AS BEGIN RETURN 41 + 1; END; END")
    conn.execute("SET SESSION sql_mode = DEFAULT")
    conn.execute("SET SESSION time_zone = '+05:00'")
    conn.execute("CREATE EVENT ev_off ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 00:00:00' DISABLE "
                 "DO INSERT INTO log (msg) VALUES ('event')")
    conn.execute("CREATE EVENT ev_once ON SCHEDULE AT '2032-06-01 12:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM log")
    conn.execute("SET SESSION time_zone = DEFAULT")
    conn.execute("CREATE SEQUENCE seq START WITH 100 INCREMENT BY 10 CACHE 5")
    conn.execute("CREATE TABLE numbered (id bigint NOT NULL DEFAULT nextval(seq) PRIMARY KEY, x int)")
    conn.execute("INSERT INTO numbered (x) VALUES (1), (2), (3)")
    conn.execute("CREATE TABLE part1 (id int) ENGINE=MyISAM")
    conn.execute("INSERT INTO part1 VALUES (1), (2)")
    conn.execute("CREATE TABLE merged (id int) ENGINE=MERGE UNION=(part1) INSERT_METHOD=LAST")


def check_behaviour(server, conn, db):
    """What the objects do, on the restored database."""
    q = quote_ident(db)
    assert conn.query(f"SELECT c FROM {q}.v_coll") == [(b"latin1_swedish_ci",)]
    assert conn.query(f"SELECT {q}.f_coll(), {q}.f_pipes()") == [(b"latin1_swedish_ci", b"ab")]
    assert run_client(server, f"CALL {q}.p_koi8r()").stdout.split(b"\n")[1] == KOI8R_TEXT.encode()
    assert conn.query(f"SELECT COUNT(*) FROM {q}.part1") == [(b"2",)], "a MERGE table's rows were loaded twice"
    assert conn.scalar(f"SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{db}'") \
        == "utf8mb4_general_ci", "the target database's collation was not put back"
    conn.execute("SET SESSION sql_mode = ORACLE")
    try:
        assert conn.query(f"SELECT {q}.pkg.f1()") == [(b"42",)]
    finally:
        conn.execute("SET SESSION sql_mode = DEFAULT")


@pytest.fixture
def objects_db(conn, db):
    create_object_database(conn, db)
    conn.execute("USE mysql")
    return db


def test_objects_keep_their_context_through_every_output(server, conn, objects_db, tmp_path):
    src = objects_db
    out = tmp_path / "d"
    proc = dumpcore("dump", src, "-o", str(out), "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    stderr = proc.stderr.decode()
    assert "merged (MERGE)" in stderr and "package `pkg`" in stderr
    m = json.loads((out / "manifest.json").read_text())
    assert next(t for t in m["tables"] if t["name"] == "merged")["rows_not_dumped"].startswith("MERGE")
    assert any("package `pkg`" in n for n in m["notes"])
    assert [s["name"] for s in m["objects"]["sequences"]] == ["seq"]
    assert {e["name"]: e["status"] for e in m["objects"]["events"]} == {"ev_off": "DISABLED", "ev_once": "DISABLED"}
    assert b"INSERT INTO `seq`" not in b"".join(p.read_bytes() for p in (out / "data").iterdir())
    for how in ("restore", "stdout", "load_sql"):
        target = f"{src}_{how}"[:64]
        _new_db(conn, target)  # utf8mb4: not the source's latin1
        try:
            if how == "restore":
                client = dumpcore("restore", str(out), "--database", target, "-q", *conn_args(server))
            elif how == "stdout":
                client = via_stdout(server, src, target)
            else:
                client = subprocess.run(server.client_command("mariadb", target),
                                        stdin=open(out / "scripts" / "load.sql", "rb"), capture_output=True,
                                        env=server.client_env(), cwd=out)
            assert client.returncode == 0, f"{how}: {client.stderr.decode()}"
            assert_same_database(conn, src, target)  # tables, rows, and every object with its context
            check_behaviour(server, conn, target)
            # the sequence goes on where the source's would
            assert conn.scalar(f"SELECT NEXTVAL({quote_ident(target)}.seq)") == \
                conn.scalar(f"SELECT next_not_cached_value FROM {quote_ident(src)}.seq")
        finally:
            _drop(server, target)


# -- item 8: invalid views ------------------------------------------------------------

def test_invalid_view_costs_no_data_and_fails_the_restore(server, conn, db, tmp_path):
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.a (id int primary key)")
    conn.execute(f"CREATE TABLE {q}.z (id int primary key)")
    conn.execute(f"INSERT INTO {q}.a VALUES (1), (2)")
    conn.execute(f"INSERT INTO {q}.z VALUES (3)")
    conn.execute(f"CREATE TABLE {q}.gone (id int)")
    conn.execute(f"CREATE VIEW {q}.b_bad AS SELECT id FROM {q}.gone")
    conn.execute(f"CREATE VIEW {q}.v_ok AS SELECT id FROM {q}.z")
    conn.execute(f"DROP TABLE {q}.gone")
    out = tmp_path / "d"
    proc = dumpcore("dump", db, "-o", str(out), *conn_args(server))
    assert proc.returncode == 0 and "invalid views" in proc.stderr.decode() and "b_bad" in proc.stderr.decode()
    views = json.loads((out / "manifest.json").read_text())["objects"]["views"]
    assert [v["name"] for v in views if v["invalid"]] == ["b_bad"]
    target = f"{db}_t"
    _new_db(conn, target)
    try:
        client = via_stdout(server, db, target)
        assert client.returncode != 0 and b"b_bad" in client.stderr  # the client stops there: after every row
        assert_same_database(conn, db, target, tables=["a", "z"])
        assert conn.query(f"SELECT id FROM {quote_ident(target)}.v_ok") == [(b"3",)]
        _new_db(conn, target)
        proc = dumpcore("restore", str(out), "--database", target, "-q", *conn_args(server))
        assert proc.returncode != 0
        assert "1 object(s) not created: view `b_bad` not created" in proc.stderr.decode()
        assert_same_database(conn, db, target, tables=["a", "z"])
        assert conn.query(f"SELECT id FROM {quote_ident(target)}.v_ok") == [(b"3",)]
    finally:
        _drop(server, target)


# -- issue #10: subsets carry only their own objects --------------------------------------

def test_subsets_carry_only_the_views_and_objects_of_their_tables(server, conn, db, tmp_path):
    q = quote_ident(db)
    for t in ("t1", "t2"):
        conn.execute(f"CREATE TABLE {q}.{t} (id int primary key)")
        conn.execute(f"INSERT INTO {q}.{t} VALUES (1)")
    conn.execute(f"CREATE VIEW {q}.v1 AS SELECT id FROM {q}.t1")
    conn.execute(f"CREATE VIEW {q}.v1b AS SELECT id FROM {q}.v1")
    conn.execute(f"CREATE VIEW {q}.v2 AS SELECT id FROM {q}.t2")
    conn.execute(f"CREATE VIEW {q}.v12 AS SELECT t1.id FROM {q}.t1 JOIN {q}.t2 USING (id)")
    conn.execute(f"CREATE PROCEDURE {q}.p() SELECT 1")
    conn.execute(f"CREATE EVENT {q}.e ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM {q}.t1")

    def carried(out):
        objects = json.loads((out / "manifest.json").read_text())["objects"]
        return ([v["name"] for v in objects["views"]], [r["name"] for r in objects["routines"]],
                [e["name"] for e in objects["events"]])

    sub = tmp_path / "sub"
    proc = dumpcore("dump", db, "t1", "-o", str(sub), *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "views not dumped (they read tables this dump leaves out): v12, v2" in proc.stderr.decode()
    assert carried(sub) == (["v1", "v1b"], [], [])
    asked = tmp_path / "asked"
    assert dumpcore("dump", db, "t1", "-o", str(asked), "--routines", "--events", "-q", *conn_args(server)).returncode == 0
    assert carried(asked) == (["v1", "v1b"], ["p"], ["e"])
    full = tmp_path / "full"
    assert dumpcore("dump", db, "-o", str(full), "-q", *conn_args(server)).returncode == 0
    target = f"{db}_t"
    _new_db(conn, target)
    try:
        proc = dumpcore("restore", str(full), "--database", target, "--tables", "t1", *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        assert "views not restored (they read tables not restored): v12, v2" in proc.stderr.decode()
        views = conn.query_text(f"SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '{target}' "
                                "ORDER BY 1")
        assert views == [("v1",), ("v1b",)]
    finally:
        _drop(server, target)
