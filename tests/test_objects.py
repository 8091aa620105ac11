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
from dumpcore.chunks import parse_stream_table_marker, stream_table_marker
from dumpcore.connection import quote_ident
from dumpcore.verify import verify_stream_file


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
