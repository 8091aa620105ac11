"""Fault injection: killed and interrupted dumps and restores, a server restarted under a
dump and a restore, a full disk, a slow --stdout reader, concurrent writers. Each test
asserts the exact end state."""
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, raw_rows
from dumpcore.connect.connection import ConnectionOptions, quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sandbox import Sandbox, free_port
from dumpcore.verify.verify import verify_path
from test_safety import copy_dump, make_source
from conftest import journal_file


@pytest.fixture(scope="module")
def many_chunks(server, tmp_path_factory):
    name = "faults_src"
    with server.connect() as c:
        make_source(c, name, rows=60_000)
    out = tmp_path_factory.mktemp("faults") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=32 << 10, statement_size=8 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def _same_command(text: str) -> str:
    """Processes whose command line has ``text`` (the dump's validator is a fork: same one)."""
    return subprocess.run(["pgrep", "-f", text], capture_output=True, text=True).stdout


def _wait_for(pred, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.005)
    raise AssertionError("timed out")


def _commits(journal: Path) -> int:
    return journal.read_text().count('"event":"commit"') if journal.exists() else 0


def test_sigint_of_restore_then_resume_is_exact_without_duplicates(server, conn, many_chunks, tmp_path, db):
    name, out = many_chunks
    d = copy_dump(out, tmp_path / "d")
    journal = journal_file(d, server, db)
    total = sum(len(t["chunks"]) for t in json.loads((d / "manifest.json").read_text())["tables"])
    proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", db, "--parallel", "2", "-q", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(lambda: _commits(journal) >= 3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.decode().startswith("Error: interrupted;"), err.decode()
    assert "Traceback" not in err.decode() and len(err.decode().strip().splitlines()) == 1
    done = _commits(journal)
    assert 3 <= done < total, "the interrupt must land half-way"
    res = dumpcore("restore", str(d), "-D", db, "--resume", "--json", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    summary = json.loads(res.stdout)
    assert summary["complete"] and summary["loaded_chunks"] + summary["skipped_chunks"] == total
    assert summary["skipped_chunks"] >= done
    assert_same_database(conn, name, db)  # the keyless `notes` included: no duplicates


@pytest.mark.parametrize("how", ["sigint", "kill9"])
def test_after_an_interrupted_keyless_restore_the_advice_is_resume_and_append_is_refused(server, conn, many_chunks,
                                                                                           tmp_path, db, how):
    """Issue #20 item 3: the re-run after a Ctrl-C (or a kill) of a restore into a keyless
    table was refused with "use --cleanup ... or --append", and --append then loaded the
    committed chunks twice. The advice names --resume and never --append, --append is
    refused, and --resume ends with exactly the dump's rows."""
    name, _ = many_chunks
    d = tmp_path / "notes"
    dump_to_directory(server, name, d, DumpOptions(tables=["notes"], chunk_size=4 << 10, statement_size=1 << 10))
    journal = journal_file(d, server, db)
    total = len(json.loads((d / "manifest.json").read_text())["tables"][0]["chunks"])
    proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", db, "--parallel", "1", "-q", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(lambda: _commits(journal) >= 3)
    proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    if how == "sigint":
        assert proc.returncode == 130 and "--resume" in err.decode(), err.decode()
    assert 3 <= _commits(journal) < total, "the interrupt must land half-way"
    held = raw_rows(conn, db, "notes")
    assert 0 < len(held) < len(raw_rows(conn, name, "notes"))

    plain = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    message = plain.stderr.decode().strip()
    assert plain.returncode == 1 and len(message.splitlines()) == 1, message
    assert message.startswith("Error: restore refused before writing anything: an interrupted restore into this "
                              f"database (journal {journal}, started "), message
    assert "run the same restore with --resume to finish it" in message and "`notes`" in message
    assert "--append" not in message, message
    appended = dumpcore("restore", str(d), "-D", db, "--append", *conn_args(server))
    message = appended.stderr.decode().strip()
    assert appended.returncode == 1 and len(message.splitlines()) == 1, message
    assert "--resume" in message and "--append would load the rows that the interrupted restore already " \
           "committed into `notes` a second time" in message, message
    assert raw_rows(conn, db, "notes") == held  # neither refused run wrote anything

    resumed = dumpcore("restore", str(d), "-D", db, "--resume", "--json", *conn_args(server))
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert json.loads(resumed.stdout)["complete"]
    assert raw_rows(conn, db, "notes") == raw_rows(conn, name, "notes")  # every row once


@pytest.mark.parametrize("point", ["schema", "data"])
def test_kill9_of_a_dump_leaves_no_dump_and_the_rerun_cleans_up(server, conn, many_chunks, tmp_path, point):
    name, _ = many_chunks
    out = tmp_path / "dump"
    proc = subprocess.Popen([str(DUMPCORE), "dump", name, "-o", str(out), "-q", "--chunk-size", "32KiB",
                             "--statement-size", "8KiB", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = tmp_path / f".dump.partial-{proc.pid}"
    if point == "schema":
        _wait_for(lambda: partial.is_dir())
    else:
        _wait_for(lambda: len(list(partial.glob("data/*.sql"))) >= 2)
    proc.kill()
    proc.wait()
    assert partial.is_dir() and not out.exists() and not (partial / "manifest.json").exists()
    _wait_for(lambda: _same_command(f"dump {name} -o {out}") == "", timeout=10)  # its validator ends too
    again = dumpcore("dump", name, "-o", str(out), *conn_args(server))
    assert again.returncode == 0, again.stderr.decode()
    assert f"Warning: removed {partial}" in again.stderr.decode()
    assert not partial.exists() and verify_path(out).ok


def test_sigint_of_a_dump_with_worker_threads_is_one_line_and_leaves_nothing(server, many_chunks, tmp_path):
    """Ctrl-C reaches the dump's own thread; the worker threads stop at their next
    statement, the partial directory is removed, the process ends at once."""
    name, _ = many_chunks
    out = tmp_path / "dump"
    proc = subprocess.Popen([str(DUMPCORE), "dump", name, "-o", str(out), "-q", "--workers", "2", "--chunk-size",
                             "32KiB", "--statement-size", "8KiB", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = tmp_path / f".dump.partial-{proc.pid}"
    _wait_for(lambda: len(list(partial.glob("data/*.sql"))) >= 2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.decode().startswith("Error: interrupted;"), err.decode()
    assert len(err.decode().strip().splitlines()) == 1
    assert not out.exists() and not partial.exists()
    assert _same_command(f"dump {name} -o {out}") == ""  # the validator was ended with it, not left behind


def test_a_full_disk_is_one_line_error_and_leaves_nothing(server, many_chunks, tmp_path):
    name, _ = many_chunks
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("needs root with CAP_SYS_ADMIN to mount a small tmpfs")
    try:
        res = dumpcore("dump", name, "-o", str(mnt / "dump"), *conn_args(server))
        err = res.stderr.decode().strip()
        assert res.returncode == 1 and len(err.splitlines()) == 1, err
        assert err.startswith(f"Error: cannot write the dump to {mnt / 'dump'}: No space left on device"), err
        assert list(mnt.iterdir()) == []  # no dump, no partial directory
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_a_reader_of_stdout_slower_than_net_write_timeout(server, conn, many_chunks, tmp_path):
    name, _ = many_chunks
    old = conn.scalar("SELECT @@GLOBAL.net_write_timeout")
    conn.execute("SET GLOBAL net_write_timeout = 1")
    try:
        proc = subprocess.Popen([str(DUMPCORE), "dump", name, "--stdout", "-q", *conn_args(server)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3)  # the client's pipe and socket buffers fill; the server waits to write
        data = proc.stdout.read()
        err = proc.stderr.read()
        assert proc.wait() == 0, err.decode()
    finally:
        conn.execute(f"SET GLOBAL net_write_timeout = {int(old)}")
    (tmp_path / "s.sql").write_bytes(data)
    assert verify_path(tmp_path / "s.sql").ok


def test_server_restarted_mid_dump_and_mid_restore(server, conn, many_chunks, tmp_path):
    """One clear error naming the table and chunk; once the server is back, a new dump works
    and --resume completes the restore exactly."""
    name, out = many_chunks
    port = free_port()  # the same port after the restart: the journal is bound to host:port
    box = Sandbox(tmp_path / "box", extra_args=(f"--port={port}",), tied=True)
    box.start()
    try:
        sock = ConnectionOptions(host=None, user="root", password="", socket=box.state.socket)
        d = copy_dump(out, tmp_path / "d")
        journal = journal_file(d, sock, "copy")
        proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", "copy", "--parallel", "2", "-q",
                                 *conn_args(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(lambda: _commits(journal) >= 3)
        box.stop(remove=False)
        _, err = proc.communicate(timeout=120)
        line = err.decode().strip()
        assert proc.returncode == 1 and len(line.splitlines()) == 1, line
        assert line.startswith("Error: data/") and ".sql: " in line and "server" in line.lower(), line
        box.start()
        res = dumpcore("restore", str(d), "-D", "copy", "--resume", "--json", *conn_args(sock))
        assert res.returncode == 0, res.stderr.decode()
        assert json.loads(res.stdout)["complete"] is True
        with sock.connect() as bc:
            assert_same_database(conn, name, "copy", target_conn=bc)
        # a dump from the sandbox, its server stopped half-way
        dumped = tmp_path / "from_box"
        dproc = subprocess.Popen([str(DUMPCORE), "dump", "copy", "-o", str(dumped), "-q", "--chunk-size", "32KiB",
                                  "--statement-size", "8KiB", *conn_args(sock)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(lambda: any(tmp_path.glob(".from_box.partial-*/data/*.sql")))
        box.stop(remove=False)
        _, derr = dproc.communicate(timeout=120)
        dline = derr.decode().strip()
        assert dproc.returncode == 1 and len(dline.splitlines()) == 1 and dline.startswith("Error: "), dline
        assert "server" in dline.lower() and "Traceback" not in dline
        assert not dumped.exists() and not list(tmp_path.glob(".from_box.partial-*")), dline
        box.start()
        assert dumpcore("dump", "copy", "-o", str(dumped), "-q", *conn_args(sock)).returncode == 0
        assert verify_path(dumped).ok
    finally:
        box.stop(remove=True)


def test_parallel_restore_while_another_client_writes_elsewhere(server, conn, many_chunks, tmp_path, db):
    name, out = many_chunks
    d = copy_dump(out, tmp_path / "d")
    other = quote_ident(f"{db}_busy")
    conn.execute(f"CREATE DATABASE {other}")
    conn.execute(f"CREATE TABLE {other}.counter (id INT PRIMARY KEY, n BIGINT NOT NULL)")
    conn.execute(f"INSERT INTO {other}.counter SELECT seq, 0 FROM {other}.seq_1_to_50")
    stop = threading.Event()
    writes = []

    def writer():
        with server.connect() as w:
            i = 0
            while not stop.is_set():
                w.execute("START TRANSACTION")
                w.execute(f"UPDATE {other}.counter SET n = n + 1 WHERE id IN ({i % 50 + 1}, {(i * 7) % 50 + 1})")
                w.execute(f"INSERT INTO {other}.counter VALUES ({1000 + i}, {i})")
                w.execute("COMMIT")
                writes.append(i)
                i += 1

    th = threading.Thread(target=writer)
    th.start()
    try:
        summary = restore(d, server, RestoreOptions(database=db, parallel=4))
    finally:
        stop.set()
        th.join()
        conn.execute(f"DROP DATABASE {other}")
    assert len(writes) > 10, "the other client must have written during the restore"
    assert summary.failure() is None
    manifest = json.loads((d / "manifest.json").read_text())
    for t in manifest["tables"]:
        assert summary.tables[t["name"]].live == t["rows"] == \
            int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.{quote_ident(t['name'])}"))
    assert_same_database(conn, name, db)


def test_kill9_of_a_restore_with_deferred_triggers_then_resume_brings_them_back(server, conn, many_chunks,
                                                                                tmp_path, db):
    """The triggers were dropped for the load; the kill came before they were re-created.
    --resume must re-create them from the journal (before: they stayed lost, silently)."""
    name, out = many_chunks
    d = copy_dump(out, tmp_path / "d")
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL)")
    with server.connect(db) as other:  # created under a context of its own, which must come back with it
        other.execute("SET NAMES latin1")
        other.execute("SET SESSION sql_mode = 'ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO'")
        other.execute(f"CREATE TRIGGER {q}.stamp BEFORE INSERT ON {q}.items FOR EACH ROW SET NEW.created_at = NOW()")
    definition = ("SELECT ACTION_STATEMENT, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, SQL_MODE "
                  f"FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")
    before = conn.query_text(definition)
    assert before[0][1] == "latin1"
    journal = journal_file(d, server, db)
    proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", db, "--defer-triggers", "--parallel", "2", "-q",
                             *conn_args(server)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _commits(journal) >= 3)
    proc.kill()
    proc.wait()
    triggers = f"SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'"
    assert conn.scalar(triggers) == "0", "the kill must land while the trigger is dropped"
    res = dumpcore("restore", str(d), "-D", db, "--resume", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    assert ("Warning: 1 trigger(s) dropped by the interrupted --defer-triggers restore are re-created after the "
            "load: `stamp`") in res.stderr.decode()
    assert conn.scalar(triggers) == "1"
    assert conn.query_text(definition) == before  # from the journal, under its creation context
    # the trigger did not fire during the resumed load; it is the target's own, not the source's
    assert_same_database(conn, name, db, objects=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_of_a_dump_on_a_slow_disk_ends_at_once(server, many_chunks, tmp_path, workers):
    """Every fsync takes 0.1 s: the writers wait for the disk (a bounded backlog of
    finished chunks), and Ctrl-C drops that backlog instead of syncing it at exit."""
    name, _ = many_chunks
    slow = tmp_path / "slowdisk"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import os, time\n"
        "def _slow(real):\n"
        "    def call(fd):\n"
        "        time.sleep(0.1)\n"
        "        return real(fd)\n"
        "    return call\n"
        "os.fsync, os.fdatasync = _slow(os.fsync), _slow(os.fdatasync)\n"
        "import dumpcore.dump.chunks\n"
        "dumpcore.dump.chunks.BATCH_SYNC_BYTES = 0  # every chunk synced on its own, as a big one is\n")
    out = tmp_path / "dump"
    proc = subprocess.Popen([str(DUMPCORE), "dump", name, "-o", str(out), "-q", "--workers", workers,
                             "--chunk-size", "16KiB", "--statement-size", "8KiB", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(slow)})
    partial = tmp_path / f".dump.partial-{proc.pid}"
    _wait_for(lambda: len(list(partial.glob("data/*.sql"))) >= 3)
    time.sleep(0.5)  # time enough to queue many more chunks than the disk took
    unsynced = len(list(partial.glob("data/.*.tmp")))
    proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - t0
    assert proc.returncode == 130 and err.decode().startswith("Error: interrupted;"), err.decode()
    assert unsynced <= 8 + int(workers), unsynced  # the backlog, and one chunk being written per worker
    assert took < 3.0, f"{took:.1f} s from Ctrl-C to exit"
    assert not out.exists() and not partial.exists()


def test_a_sandbox_install_keeps_its_temp_files_out_of_tmp(tmp_path, monkeypatch):
    """mariadb-install-db's bootstrap server writes its internal temp tables in the sandbox's
    own temp dir, as the sandbox's server does, not in /tmp: a clean-clone CI run had an
    install fail when one of them vanished from /tmp mid-bootstrap."""
    from dumpcore.sandbox import sandbox as sandbox_module
    from dumpcore.sandbox.sandbox import Sandbox

    commands: list[list[str]] = []
    real_run = sandbox_module.subprocess.run

    def spy(argv, *args, **kwargs):
        commands.append([str(a) for a in argv])
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(sandbox_module.subprocess, "run", spy)
    root = tmp_path / "box"
    box = Sandbox(root, tied=True)
    box.start()
    try:
        installs = [c for c in commands if "install" in Path(c[0]).name]
        assert len(installs) == 1 and f"--tmpdir={root / 'tmp'}" in installs[0], commands
        with box.options.connect() as c:
            assert c.scalar("SELECT @@tmpdir") == str(root / "tmp")
    finally:
        box.stop(remove=True)
