"""The snapshot's binary log position and GTID in the manifest, and the replica statements.

A sandbox of its own is started with the binary log on (the session's test server runs
with --skip-log-bin), so the positions here belong to these tests alone.
"""
from __future__ import annotations

import json
import threading

import pytest

from dumpcore.schema import sqltext
from dumpcore.connect.connection import ConnectionOptions, quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.store.manifest import read_manifest
from dumpcore.dump.replication import (LOCKED_MARIADB, SNAPSHOT_STATUS, replication_statements)
from dumpcore.sandbox.sandbox import Sandbox

from clirun import conn_args, dumpcore
from conftest import run_client


@pytest.fixture(scope="module")
def binlog_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("binlog")
    box = Sandbox(root, extra_args=("--log-bin=binlog", "--server-id=7", f"--tmpdir={root}"), tied=True)
    box.start()
    try:
        with box.options.connect() as c:  # a user without RELOAD: no commit lock for it
            c.execute("CREATE USER 'noreload'@'%' IDENTIFIED BY 'pw'")
            c.execute("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON *.* TO 'noreload'@'%'")
        yield box.options
    finally:
        box.stop(remove=True)


def _limited(options: ConnectionOptions) -> ConnectionOptions:
    return ConnectionOptions(host="127.0.0.1", port=options.port, user="noreload", password="pw")


def _fill(options: ConnectionOptions, database: str, rows: int) -> None:
    with options.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(database)}")
        c.execute(f"CREATE DATABASE {quote_ident(database)}")
        c.execute(f"CREATE TABLE {quote_ident(database)}.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
        for i in range(0, rows, 100):
            c.execute(f"INSERT INTO {quote_ident(database)}.t VALUES "
                      + ",".join(f"({k}, 'row {k}')" for k in range(i, min(rows, i + 100))))


def _server_position(options: ConnectionOptions) -> tuple[str, int, str]:
    with options.connect() as c:
        file, pos = c.query_text("SHOW MASTER STATUS")[0][:2]
        return file, int(pos), c.variable("gtid_binlog_pos")


def test_quiet_snapshot_records_the_servers_position(binlog_server, tmp_path):
    _fill(binlog_server, "quiet", 250)
    file, pos, gtid = _server_position(binlog_server)
    assert gtid.startswith("0-7-")
    dump_to_directory(binlog_server, "quiet", tmp_path / "d")
    rep = read_manifest(tmp_path / "d").data["replication"]
    assert rep["binlog"] == {"file": file, "position": pos}
    assert rep["gtid"] == gtid
    assert rep["method"] == LOCKED_MARIADB and rep["flavour"] == "mariadb"
    assert _server_position(binlog_server) == (file, pos, gtid)  # a dump writes nothing to the binlog

    # Without RELOAD: the snapshot's own binlog position, same answer, no lock.
    dump_to_directory(_limited(binlog_server), "quiet", tmp_path / "d2")
    rep2 = read_manifest(tmp_path / "d2").data["replication"]
    assert rep2["method"] == SNAPSHOT_STATUS
    assert (rep2["binlog"], rep2["gtid"]) == (rep["binlog"], rep["gtid"])


@pytest.mark.parametrize("user", ["root", "noreload"])
def test_position_matches_the_rows_dumped_under_concurrent_writes(binlog_server, tmp_path, user):
    """Each writer transaction inserts one row and takes the next GTID sequence number, so
    the rows the dump holds must be exactly those committed up to the recorded GTID."""
    database = f"busy_{user}"
    _fill(binlog_server, database, 50)
    _, _, gtid0 = _server_position(binlog_server)
    seq0 = int(gtid0.split("-")[2])
    stop = threading.Event()
    committed = []

    def writer() -> None:
        with binlog_server.connect() as w:
            k = 1000
            while not stop.is_set():
                w.execute(f"INSERT INTO {quote_ident(database)}.t VALUES ({k}, 'concurrent')")
                committed.append(k)
                k += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 20:  # the writer is going before the snapshot starts
            threading.Event().wait(0.01)
        options = binlog_server if user == "root" else _limited(binlog_server)
        summary = dump_to_directory(options, database, tmp_path / "d", DumpOptions(statement_size=4096))
    finally:
        stop.set()
        thread.join()
    rep = read_manifest(tmp_path / "d").data["replication"]
    domain, server_id, seq = rep["gtid"].split("-")
    assert (domain, server_id) == ("0", "7")
    assert len(committed) > summary.rows - 50  # writes went on after the snapshot
    assert summary.rows == 50 + (int(seq) - seq0)
    with binlog_server.connect() as c:  # the file/position and the GTID name the same point
        assert c.scalar(f"SELECT BINLOG_GTID_POS('{rep['binlog']['file']}', {rep['binlog']['position']})") == rep["gtid"]


def test_binlog_off_is_said_in_the_manifest(server, db, conn, tmp_path):
    conn.execute(f"CREATE TABLE {quote_ident(db)}.t (id INT PRIMARY KEY)")
    dump_to_directory(server, db, tmp_path / "d")
    rep = read_manifest(tmp_path / "d").data["replication"]
    assert rep["binlog"] is None and "binary log is off" in rep["reason"]
    out = dumpcore("restore", "--print-replication", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    assert b"binary log is off" in out.stdout + out.stderr


def test_print_replication_statements(binlog_server, tmp_path):
    _fill(binlog_server, "printed", 10)
    file, pos, gtid = _server_position(binlog_server)
    out = dumpcore("dump", "printed", "-o", str(tmp_path / "d"), "-q", *conn_args(binlog_server))
    assert out.returncode == 0, out.stderr
    shown = dumpcore("restore", "--print-replication", str(tmp_path / "d"))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.decode().splitlines()
    assert f"CHANGE MASTER TO MASTER_LOG_FILE='{file}', MASTER_LOG_POS={pos};" in lines
    assert f"SET GLOBAL gtid_slave_pos = '{gtid}';" in lines
    assert "CHANGE MASTER TO MASTER_USE_GTID=slave_pos;" in lines
    with binlog_server.connect() as c:
        assert c.scalar("SELECT COUNT(*) FROM printed.t") == "10"  # only printed: nothing was restored
        # The statements as a replica takes them: the sandbox itself, pointed at nothing, started never.
        c.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=9")  # a replica knows its source
        for stmt in [x for x in lines if not x.startswith("--")]:
            c.execute(stmt.rstrip(";"))
        shown_status = run_client(binlog_server, "SHOW SLAVE STATUS\\G").stdout.decode()
        status = {k.strip(): v.strip() for k, _, v in (x.partition(":") for x in shown_status.splitlines())}
        assert (status["Master_Log_File"], status["Read_Master_Log_Pos"]) == (file, str(pos))
        assert status["Using_Gtid"] == "Slave_Pos" and c.variable("gtid_slave_pos") == gtid
        c.execute("RESET SLAVE ALL")


@pytest.mark.parametrize("version, change, auto, reset", [
    ("8.0.36", "CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000003', SOURCE_LOG_POS=157;",
     "CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION=1;", "RESET MASTER;"),
    ("8.4.2", "CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000003', SOURCE_LOG_POS=157;",
     "CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION=1;", "RESET BINARY LOGS AND GTIDS;"),
    ("5.7.44", "CHANGE MASTER TO MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=157;",
     "CHANGE MASTER TO MASTER_AUTO_POSITION=1;", "RESET MASTER;"),
])
def test_mysql_statements(version, change, auto, reset):
    gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77, 4f22fa47-71ca-11e1-9e33-c80aa9429562:1-5"
    rep = {"binlog": {"file": "binlog.000003", "position": 157}, "gtid": gtid, "flavour": "mysql",
           "server_version": version, "method": "flush_tables_with_read_lock"}
    lines = replication_statements(rep)
    assert lines[1] == change and lines[-1] == auto and reset in lines
    assert f"SET @@GLOBAL.gtid_purged = '{gtid}';" in lines
    statements = [x for x in lines if not x.startswith("--")]
    assert len(sqltext.split_statements("\n".join(statements))) == len(statements)  # one statement a line
    assert "MASTER_USE_GTID" not in json.dumps(lines)
    assert replication_statements({"binlog": None, "reason": "off"}) == []
