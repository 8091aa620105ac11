"""`restore --skip-binlog`: every connection that writes runs SET SESSION sql_log_bin = 0
first; a user without the privilege gets one line and nothing is written."""
import json
import re

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.records import replace
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sample import create_school
from dumpcore.sandbox.sandbox import Sandbox
from dumpcore.store.manifest import read_manifest

WRITES = re.compile(r"(INSERT|LOAD DATA|ALTER TABLE|CREATE TABLE|CREATE DATABASE|COMMIT)\b", re.I)


@pytest.fixture(scope="module")
def school_dump(server, tmp_path_factory):
    name = "skip_binlog_src"
    with server.connect() as c:
        create_school(c, name, scale=0.2)
    out = tmp_path_factory.mktemp("skipbinlog") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=64 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


def _general_log(conn, run):
    conn.execute("SET GLOBAL log_output = 'TABLE'")
    conn.execute("TRUNCATE TABLE mysql.general_log")
    conn.execute("SET GLOBAL general_log = 1")
    try:
        result = run()
    finally:
        conn.execute("SET GLOBAL general_log = 0")
    rows = conn.query_text("SELECT thread_id, CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                           "WHERE command_type = 'Query' ORDER BY event_time")
    return result, [(int(t), q) for t, q in rows]


@pytest.mark.parametrize("skip", [True, False])
def test_every_writing_session_skips_the_binary_log_only_when_asked(server, conn, school_dump, db, skip):
    name, out = school_dump
    summary, log = _general_log(conn, lambda: restore(out, server, RestoreOptions(
        database=db, parallel=2, skip_binlog=skip)))
    off = {t for t, q in log if q.strip() == "SET SESSION sql_log_bin = 0"}
    writers = {t for t, q in log if WRITES.match(q.lstrip())}
    assert len(writers) >= 3  # the main connection, two loaders (and the keys' connections)
    assert (writers <= off) if skip else not off
    assert summary.binlog_skipped is skip
    assert summary.to_dict()["binary_log"] == ("skipped (--skip-binlog)" if skip else "written")
    assert summary.failure() is None and summary.proof_state() == "proven"
    assert_same_database(conn, name, db)


def test_the_cli_names_it_in_the_summary_and_the_json(server, conn, school_dump, db, tmp_path):
    name, out = school_dump
    proc = dumpcore("restore", str(out), "--database", db, "--skip-binlog", "--state-dir", str(tmp_path / "s1"),
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr
    assert "binary log: skipped (--skip-binlog)" in proc.stderr.decode()
    conn.execute(f"DROP DATABASE {quote_ident(db)}")
    proc = dumpcore("restore", str(out), "--database", db, "--json", "--state-dir", str(tmp_path / "s2"),
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["binary_log"] == "written"
    assert "binary log" not in proc.stderr.decode()


def test_a_user_without_the_privilege_gets_one_line_and_nothing_is_written(server, conn, school_dump, db, tmp_path):
    name, out = school_dump
    q = quote_ident(db)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute("DROP USER IF EXISTS 'no_binlog_admin'@'%'")
    conn.execute("CREATE USER 'no_binlog_admin'@'%' IDENTIFIED BY 'pw'")
    conn.execute(f"GRANT ALL ON {q}.* TO 'no_binlog_admin'@'%'")
    try:
        user = replace(server, user="no_binlog_admin", password="pw")
        proc = dumpcore("restore", str(out), "--database", db, "--skip-binlog", "--state-dir", str(tmp_path / "s"),
                        *conn_args(user), env={"MYSQL_PWD": "pw"})
        err = proc.stderr.decode().strip()
        assert proc.returncode != 0 and len(err.splitlines()) == 1, err
        assert err.startswith("Error: --skip-binlog: the server refused SET SESSION sql_log_bin = 0") and \
            "BINLOG ADMIN" in err and "without --skip-binlog" in err, err
        assert not conn.query_text(f"SHOW DATABASES LIKE '{db}'")  # nothing created
        # the same user without the option restores
        proc = dumpcore("restore", str(out), "--database", db, "-q", "--state-dir", str(tmp_path / "s"),
                        *conn_args(user), env={"MYSQL_PWD": "pw"})
        assert proc.returncode == 0, proc.stderr
        assert_same_database(conn, name, db)
    finally:
        conn.execute("DROP USER IF EXISTS 'no_binlog_admin'@'%'")


def test_on_a_production_like_server_the_binary_log_gets_the_rows_only_without_it(tmp_path, school_dump):
    """The production profile: binary log on and synced, InnoDB log flushed at every
    commit, doublewrite on; a restore writes its rows there, with --skip-binlog it does not."""
    name, out = school_dump
    with Sandbox(tmp_path / "box", profile="production", tied=True) as box:
        with box.options.connect() as c:
            settings = dict(c.query_text("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'sync_binlog', "
                                         "'innodb_flush_log_at_trx_commit', 'innodb_doublewrite')"))
            assert settings == {"log_bin": "ON", "sync_binlog": "1", "innodb_flush_log_at_trx_commit": "1",
                                "innodb_doublewrite": "ON"}

            def logged() -> int:  # bytes of binary log written so far
                return sum(int(size) for _, size in c.query_text("SHOW BINARY LOGS"))

            sizes = []
            for skip in (True, False):
                before = logged()
                summary = restore(out, box.options, RestoreOptions(database=f"copy_{int(skip)}", parallel=2,
                                                                   skip_binlog=skip, state_dir=tmp_path / "s"))
                assert summary.failure() is None
                sizes.append(logged() - before)
        rows_bytes = sum(c["bytes"] for t in read_manifest(out).tables for c in t["chunks"])
        # skipped: not even the CREATEs; written: the rows (compressed by the log format: MIXED)
        assert sizes[0] < 4096 < rows_bytes // 4 < sizes[1], (sizes, rows_bytes)
