"""Failures that read as one line, with nothing lost (issue #21, items 1, 2, 4 and 5): a
damaged chunk blocks only its own table, a full disk is one `Error:` line naming the path,
a statement too large for the target's max_allowed_packet is announced by the dump, and
rejects from restores into different targets keep apart."""
from __future__ import annotations

import errno
import json
import os
import time
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from clirun import conn_args, dumpcore
from dbcompare import assert_same_database
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.state import Journal, server_identity
from conftest import journal_file

CUSTOMERS = 2000
ORDERS = 4000


@pytest.fixture(scope="module")
def shop(server, tmp_path_factory):
    """customers <- orders (a foreign key), several chunks each."""
    name = "failures_src"
    q = quote_ident(name)
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {q}")
        c.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
        c.execute(f"CREATE TABLE {q}.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB")
        c.execute(f"CREATE TABLE {q}.orders (id INT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(40), "
                  "FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB")
        c.execute(f"INSERT INTO {q}.customers SELECT seq, CONCAT('cust-', seq) FROM {q}.seq_1_to_{CUSTOMERS}")
        c.execute(f"INSERT INTO {q}.orders SELECT seq, 1 + seq % {CUSTOMERS}, CONCAT('order-', seq) "
                  f"FROM {q}.seq_1_to_{ORDERS}")
    out = tmp_path_factory.mktemp("shop") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=16 << 10, statement_size=4 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {q}")


def copy_of(out: Path, tmp_path: Path) -> Path:
    d = tmp_path / "dump"
    shutil.copytree(out, d, ignore=shutil.ignore_patterns("journal", "rejects"))
    return d


def one_line_error(proc, code: int = 1) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, (proc.returncode, err)
    lines = [line for line in err.splitlines() if not line.startswith("Warning: ")]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in err, err
    return lines[0]


def last_error_line(proc, code: int = 1) -> str:
    """The `Error:` line that ends a restore's report (the table of counts comes first)."""
    err = proc.stderr.decode()
    assert proc.returncode == code and "Traceback" not in err, (proc.returncode, err)
    return err.splitlines()[-1]


def damage_customers_chunk(d: Path, how: str) -> str:
    """Change one byte of the second customers chunk: in a value (the SQL still loads) or
    in the syntax (the server refuses it). Returns the chunk's file name."""
    chunk = sorted((d / "data").glob("customers.*"))[1]
    data = bytearray(chunk.read_bytes())
    at = data.index(b"'cust-") + 1 if how == "value" else data.index(b"(", data.index(b"VALUES"))
    data[at] = ord("X")
    chunk.write_bytes(bytes(data))
    return chunk.name


# -- 1. a damaged chunk blocks only its own table ------------------------------------


def test_a_damaged_chunk_blocks_only_the_tables_it_belongs_to(server, conn, shop, tmp_path, db):
    name, out = shop
    d = copy_of(out, tmp_path)
    bad = damage_customers_chunk(d, "value")
    # orders alone: customers' chunks are not needed (foreign keys are not checked while loading)
    ok = dumpcore("restore", str(d), "-D", db, "--tables", "orders", *conn_args(server))
    assert ok.returncode == 0, ok.stderr.decode()
    assert "table `orders` references `customers`, which is not restored" in ok.stderr.decode()
    assert int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.orders")) == ORDERS
    # customers itself is still refused before anything is written
    refused = one_line_error(dumpcore("restore", str(d), "-D", db, "--tables", "customers", *conn_args(server)))
    assert f"failed verification, nothing was written: corrupt: data/{bad}:" in refused, refused
    assert int(conn.scalar(f"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}' "
                           "AND TABLE_NAME = 'customers'")) == 0


@pytest.mark.parametrize("how", ["value", "syntax"])
def test_no_verify_says_a_damaged_chunk_was_found_while_loading(server, conn, shop, tmp_path, db, how):
    name, out = shop
    d = copy_of(out, tmp_path)
    bad = damage_customers_chunk(d, how)
    line = one_line_error(dumpcore("restore", str(d), "-D", db, "--no-verify", "-j", "1", *conn_args(server)))
    assert line.startswith(f"Error: data/{bad}: its bytes differ from the manifest (xxh3_128 "), line
    assert ("found while loading it, as --no-verify skipped the pre-flight check of every chunk; its transaction "
            "was rolled back and nothing more is loaded (") in line, line
    assert "changed since the pre-flight" not in line
    assert line.endswith(f"; see `dumpcore verify {d}`, then restore from an intact copy of the dump (--resume "
                         "continues), or restore the other tables with --tables"), line
    # the damaged chunk's rows were not committed
    assert int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.customers WHERE name LIKE 'Xust-%'")) == 0


# -- 2. a full disk under the restore's state ----------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs, unmounted afterwards (mounting needs root)."""
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` up, then free ``leave`` bytes (whole pages) at its end."""
    path = disk / "filler"
    page = b"\0" * 4096
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(page)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    if leave:
        os.truncate(path, path.stat().st_size - leave)
    return path


def test_a_full_state_directory_is_one_line_before_anything_is_written(server, conn, shop, small_disk, tmp_path, db):
    name, out = shop
    d = copy_of(out, tmp_path)
    fill(small_disk)
    state = small_disk / "state"
    line = one_line_error(dumpcore("restore", str(d), "-D", f"{db}_new", "--state-dir", str(state),
                                   *conn_args(server)))
    assert line == (f"Error: cannot write the restore's journal {journal_file(state, server, db + '_new')}: No space left on "
                    f"device; nothing was written to `{db}_new`; free space there (or give another --state-dir DIR) "
                    "and run the same restore again"), line
    assert int(conn.scalar(f"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{db}_new'")) == 0


def test_a_dump_directory_that_fills_while_loading_is_one_line_and_resume_finishes(server, conn, shop, small_disk,
                                                                                 db):
    name, _ = shop
    d = small_disk / "dump"  # the state goes into the dump directory, as by default
    dump_to_directory(server, name, d, DumpOptions(chunk_size=2 << 10, statement_size=1 << 10))
    chunks = len(list((d / "data").iterdir()))
    filler = fill(small_disk, leave=4096)  # room for the journal's first 25 lines or so
    line = one_line_error(dumpcore("restore", str(d), "-D", db, "-j", "1", *conn_args(server)))
    assert line.startswith(f"Error: cannot write the restore's journal {journal_file(d, server, db)}: No space left on "
                           f"device; the chunks committed so far stay in `{db}` and are recorded in the journal; "
                           "free space there and run the same restore with --resume"), line
    loaded = int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.orders")) + int(
        conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.customers"))
    assert 0 < loaded < CUSTOMERS + ORDERS and chunks > 20  # it stopped part of the way
    filler.unlink()
    resumed = dumpcore("restore", str(d), "-D", db, "-j", "1", "--resume", "--json", *conn_args(server))
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert json.loads(resumed.stdout)["complete"] is True
    assert_same_database(conn, name, db)



def test_a_journal_line_cut_by_a_full_disk_does_not_hide_what_resume_appends(tmp_path):
    """A write that ENOSPC cut leaves half a line at the journal's end; the resumed run's
    lines must not be glued to it (a reader stops at the first unreadable line)."""
    path = tmp_path / "journal" / "db.jsonl"
    first = Journal(path, "db")
    first.open(fresh=True)
    first.write(event="start", server="s", database="db")
    first.write(event="commit", xxh3_128="a" * 32, rows=5)
    first.close()
    with open(path, "ab") as f:
        f.write(b'{"event":"commit","xxh3_1')  # where the disk filled up
    resumed = Journal(path, "db")
    resumed.open(fresh=False)
    resumed.write(event="resume")
    resumed.write(event="commit", xxh3_128="b" * 32, rows=7)
    resumed.close()
    assert [e["event"] for e in Journal(path).read()] == ["start", "commit", "resume", "commit"]


def test_journal_lines_written_side_by_side_are_each_whole_and_synced(tmp_path, monkeypatch):
    """Loaders write the journal side by side: every line whole, every one on disk when its
    write returns (an fsync began after it was written), and an fsync covers the lines
    written before it (fewer fsyncs than lines when writers overlap)."""
    import threading

    path = tmp_path / "journal" / "db.jsonl"
    journal = Journal(path, "db")
    journal.open(fresh=True)
    size_at_sync: list[int] = []
    real_fsync = os.fsync

    def fsync(fd):
        size_at_sync.append(os.fstat(fd).st_size)
        time.sleep(0.002)  # a disk that takes its time: writers pile up behind it
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    late: list[str] = []

    def writer(n: int) -> None:
        for i in range(50):
            name = f"w{n}.{i}"
            journal.write(event="commit", file=name, rows=i)
            # this line's end in the file, found by its text: some fsync began at or past it
            end = path.read_bytes().index(f'"file":"{name}"'.encode())
            if not any(s > end for s in size_at_sync):
                late.append(name)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    journal.close()
    events = Journal(path).read()
    assert len(events) == 200 and {e["file"] for e in events} == {f"w{n}.{i}" for n in range(4) for i in range(50)}
    assert not late, late[:5]
    assert len(size_at_sync) < 200


def test_a_keyed_tables_chunk_lines_wait_for_the_next_fsync_a_keyless_tables_do_not(server, conn, tmp_path, db,
                                                                                     monkeypatch):
    """A keyed table's chunk may be loaded again after a crash of the machine (upserts): its
    journal lines are flushed, not fsynced each; a keyless table's are on disk before the
    load goes on (resume tells its committed chunks by them); and the last line is on disk
    when the restore returns."""
    from dumpcore.restore.restore import RestoreOptions, restore

    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.keyed (id INT PRIMARY KEY, v VARCHAR(40))")
    conn.execute(f"INSERT INTO {q}.keyed SELECT seq, REPEAT('k', 30) FROM {q}.seq_1_to_2000")
    conn.execute(f"CREATE TABLE {q}.loose (v VARCHAR(40))")
    conn.execute(f"INSERT INTO {q}.loose SELECT REPEAT('l', 30) FROM {q}.seq_1_to_2000")
    dump_to_directory(server, db, tmp_path / "d", DumpOptions(workers=1, chunk_size=8 << 10, statement_size=4 << 10))
    target = db + "_fs"
    state = tmp_path / "state"
    synced_at: list[int] = []
    real_fsync = os.fsync
    journal_fds: set[int] = set()
    real_open = Journal.open

    def open_(self, fresh: bool = True):
        real_open(self, fresh)
        journal_fds.add(self._f.fileno())

    def fsync(fd):
        if fd in journal_fds:
            synced_at.append(os.fstat(fd).st_size)
        return real_fsync(fd)
    monkeypatch.setattr(Journal, "open", open_)
    monkeypatch.setattr(os, "fsync", fsync)
    try:
        s = restore(tmp_path / "d", server, RestoreOptions(database=target, parallel=1, state_dir=state))
        assert s.failure() is None and s.proof_state() == "proven"
        path = journal_file(state, server, target)
        text = path.read_bytes()
        lines = text.splitlines(keepends=True)
        ends, at = [], 0
        for line in lines:
            at += len(line)
            ends.append((json.loads(line), at))
        chunk_events = [(e, end) for e, end in ends if e.get("event") in ("begin", "commit")]
        keyed = [end for e, end in chunk_events if e["file"].startswith("data/keyed.")]
        loose = [end for e, end in chunk_events if e["file"].startswith("data/loose.")]
        assert len(keyed) >= 6 and len(loose) >= 6
        assert all(end in synced_at for end in loose)  # each synced when written
        assert not any(end in synced_at for end in keyed)  # none on its own
        assert max(synced_at) == len(text)  # the whole journal on disk at the end
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")


# -- 4. a row larger than the target's max_allowed_packet ----------------------------


@contextmanager
def global_max_allowed_packet(conn, value: int):
    """The server's max_allowed_packet for new sessions, put back afterwards."""
    before = int(conn.scalar("SELECT @@GLOBAL.max_allowed_packet"))
    conn.execute(f"SET GLOBAL max_allowed_packet = {value}")
    try:
        yield
    finally:
        conn.execute(f"SET GLOBAL max_allowed_packet = {before}")


def test_a_row_larger_than_the_statement_size_is_announced_by_the_dump_and_the_restore_says_what_to_set(
        server, conn, tmp_path, db):
    src = f"{db}_src"
    q = quote_ident(src)
    conn.execute(f"CREATE DATABASE {q}")
    try:
        conn.execute(f"CREATE TABLE {q}.files (id INT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB")
        conn.execute(f"CREATE TABLE {q}.tags (id INT PRIMARY KEY, tag VARCHAR(20)) ENGINE=InnoDB")
        conn.execute(f"INSERT INTO {q}.files SELECT seq, REPEAT('x', 100) FROM {q}.seq_1_to_50")
        conn.execute(f"INSERT INTO {q}.files VALUES (51, REPEAT('y', 300000))")
        conn.execute(f"INSERT INTO {q}.tags SELECT seq, CONCAT('tag-', seq) FROM {q}.seq_1_to_100")
        out = tmp_path / "dump"
        dumped = dumpcore("dump", src, "-o", str(out), "--statement-size", "64KiB", *conn_args(server))
        assert dumped.returncode == 0, dumped.stderr.decode()
        entry = {t["name"]: t for t in json.loads((out / "manifest.json").read_text())["tables"]}
        size = entry["files"]["max_statement_bytes"]
        need = entry["files"]["max_allowed_packet"]
        assert size == max(c["max_statement_bytes"] for c in entry["files"]["chunks"]) > 300000
        assert need % 1024 == 0 and size < need <= size + 1024
        assert 0 < entry["tags"]["max_statement_bytes"] <= 64 << 10
        err = dumped.stderr.decode()
        assert (f"Warning: table `files`: a row makes a statement of {size:,} bytes, larger than --statement-size "
                f"(65,536); a restore needs max_allowed_packet >= {need} on the target\n") in err, err
        assert f"\nmax_allowed_packet for a restore: >= {need} (`files`)\n" in err, err
        with global_max_allowed_packet(conn, need - 1024):
            line = one_line_error(dumpcore("restore", str(out), "-D", db, *conn_args(server)))
        assert line.startswith("Error: restore refused before writing anything: statements larger than the target's "
                               f"max_allowed_packet ({need - 1024}): data/files."), line
        assert line.endswith(f"; raise max_allowed_packet on the target to at least {need} (SET GLOBAL "
                             f"max_allowed_packet={need}; the restore's new connections get it): the largest "
                             f"statement holds a single row of {size:,} bytes (data/files.00001.sql), which a "
                             "smaller --statement-size cannot split"), line
        with global_max_allowed_packet(conn, need):  # the advice, exactly, is enough
            restored = dumpcore("restore", str(out), "-D", db, *conn_args(server))
        assert restored.returncode == 0, restored.stderr.decode()
        assert_same_database(conn, src, db)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {q}")


# -- 5. rejects of restores into different targets ----------------------------------


def customers_refusing(conn, database: str, names: list[str]) -> None:
    """`customers` created ahead in ``database`` with a CHECK that refuses ``names``."""
    refused = ", ".join(f"'{n}'" for n in names)
    conn.execute(f"CREATE TABLE {quote_ident(database)}.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL "
                 f"CHECK (name NOT IN ({refused}))) ENGINE=InnoDB")


def rejects_of(conn, d: Path, database: str) -> Path:
    return d / "rejects" / quote(server_identity(conn), safe="") / database


def test_rejects_of_restores_into_different_targets_keep_apart(server, conn, shop, tmp_path, db):
    name, out = shop
    d = copy_of(out, tmp_path)
    other = f"{db}_other"
    conn.execute(f"CREATE DATABASE {quote_ident(other)}")
    try:
        for target, refused in ((db, "cust-7"), (other, "cust-9")):
            customers_refusing(conn, target, [refused])
            proc = dumpcore("restore", str(d), "-D", target, "--tables", "customers", *conn_args(server))
            assert last_error_line(proc) == f"Error: 1 row(s) rejected (customers: 1); see {rejects_of(conn, d, target)}"
        for target, refused in ((db, "cust-7"), (other, "cust-9")):
            rows = (rejects_of(conn, d, target) / "customers.sql").read_text()
            assert rows.count("INSERT INTO `customers`") == 1 and f"'{refused}'" in rows, rows
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(other)}")


def test_a_resumed_restore_keeps_the_rejects_of_the_run_it_continues(server, conn, shop, tmp_path, db):
    name, out = shop
    d = copy_of(out, tmp_path)
    customers_refusing(conn, db, ["cust-7", f"cust-{CUSTOMERS}"])  # in the first chunk and in the last
    bad = d / "data" / damage_customers_chunk(d, "value")  # the second: the first run stops there
    args = ["restore", str(d), "-D", db, "--tables", "customers", "-j", "1", *conn_args(server)]
    assert "its bytes differ from the manifest" in one_line_error(dumpcore(*args, "--no-verify"))
    shutil.copyfile(out / "data" / bad.name, bad)  # a good copy of the chunk
    resumed = last_error_line(dumpcore(*args, "--resume"))
    # both runs' rejected rows: counted (not missing), and both in the file
    assert resumed == f"Error: 2 row(s) rejected (customers: 2); see {rejects_of(conn, d, db)}", resumed
    rows = (rejects_of(conn, d, db) / "customers.sql").read_text()
    assert "'cust-7'" in rows and f"'cust-{CUSTOMERS}'" in rows, rows
