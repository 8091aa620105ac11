"""Issue #9: a restore never silently changes or loses data; dumps are private and leave no leftovers."""
import json
import re
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, raw_rows
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from conftest import journal_file

ROWS = 20_000


def make_source(conn, name: str, rows: int = ROWS) -> None:
    """A keyed table with a creation time (what triggers like to rewrite), a keyless log."""
    q = quote_ident(name)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
                 "created_at DATETIME NOT NULL) ENGINE=InnoDB")
    conn.execute(f"CREATE TABLE {q}.notes (at DATETIME NOT NULL, body TEXT) ENGINE=InnoDB")
    conn.execute(f"INSERT INTO {q}.items SELECT seq, CONCAT('item-', seq), '2001-02-03 04:05:06' + INTERVAL seq "
                 f"SECOND FROM {q}.seq_1_to_{rows}")
    conn.execute(f"INSERT INTO {q}.notes SELECT '2010-01-01' + INTERVAL seq MINUTE, REPEAT('n', seq % 50) "
                 f"FROM {q}.seq_1_to_{rows // 10}")


@pytest.fixture(scope="module")
def source(server, tmp_path_factory):
    name = "safety_src"
    with server.connect() as c:
        make_source(c, name)
    out = tmp_path_factory.mktemp("safety") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=64 << 10, statement_size=16 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


def copy_dump(src: Path, dst: Path) -> Path:
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    for leftover in ("journal", "rejects"):
        subprocess.run(["rm", "-rf", str(dst / leftover)], check=True)
    return dst


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


# -- 4. private files ------------------------------------------------------------------


def test_dump_and_restore_state_are_private_whatever_the_umask(server, source, tmp_path, db):
    name, _ = source
    out = tmp_path / "dump"
    proc = subprocess.run(["sh", "-c", 'umask 000 && exec "$@"', "sh", str(DUMPCORE), "dump", name, "-o", str(out),
                           "-q", *conn_args(server)], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    got = modes(out)
    assert got[str(Path("."))] == 0o700
    assert len(got) > 10
    for rel, mode in got.items():
        want = 0o700 if (out / rel).is_dir() else 0o600
        assert mode == want, f"{rel}: {oct(mode)}"
    # restore state: journal, rejects and saved triggers
    with server.connect() as c:
        c.execute(f"CREATE TABLE {quote_ident(db)}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
                  "created_at DATETIME NOT NULL, CHECK (CHAR_LENGTH(name) <= 6))")  # most rows are rejected
        c.execute(f"CREATE TRIGGER {quote_ident(db)}.items_ins BEFORE INSERT ON {quote_ident(db)}.items "
                  "FOR EACH ROW SET NEW.created_at = NOW()")
    res = subprocess.run(["sh", "-c", 'umask 000 && exec "$@"', "sh", str(DUMPCORE), "restore", str(out), "-D", db,
                          "--defer-triggers", "-q", *conn_args(server)], capture_output=True)
    assert res.returncode == 1, res.stderr.decode()
    state = [p for p in (out / "journal").rglob("*")] + [p for p in (out / "rejects").rglob("*")]
    assert any(p.name.endswith(".jsonl") for p in state) and any(p.name.endswith("saved-triggers.sql") for p in state)
    assert any(p.parent.name == "rejects" for p in state)
    for p in [out / "journal", out / "rejects", *state]:
        assert stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600), p


# -- 5. a killed dump's partial directory ------------------------------------------------


def _partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*"))


def test_killed_dump_leftover_is_removed_by_the_next_dump_and_a_running_one_is_kept(server, conn, tmp_path, db):
    make_source(conn, db, rows=150_000)
    out = tmp_path / "dump"
    proc = subprocess.Popen([str(DUMPCORE), "dump", db, "-o", str(out), "-q", "--chunk-size", "64KiB",
                             "--statement-size", "16KiB", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = _partials(out)
        if found and len(list((found[0] / "data").glob("*.sql"))) >= 3:
            break
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    leaked = _partials(out)
    assert len(leaked) == 1 and leaked[0].name == f".dump.partial-{proc.pid}", "the kill must land mid-dump"
    assert list((leaked[0] / "data").glob("*.sql")) and not (leaked[0] / "manifest.json").exists()
    assert not out.exists()
    # a partial directory of a dump still running (here: a live process of ours) is never touched
    sleeper = subprocess.Popen(["sleep", "60"])
    running = out.parent / f".dump.partial-{sleeper.pid}"
    (running / "data").mkdir(parents=True)
    try:
        again = dumpcore("dump", db, "-o", str(out), *conn_args(server))
        assert again.returncode == 0, again.stderr.decode()
        err = again.stderr.decode()
        assert f"Warning: removed {leaked[0]}" in err and f"process {proc.pid} is gone" in err
        assert f"Warning: {running} belongs to a dump that is still running (process {sleeper.pid}); left alone" in err
        assert _partials(out) == [running] and (running / "data").is_dir()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert dumpcore("verify", str(out)).returncode == 0


# -- 1. triggers (see also test_restore.py: Sakila restored twice) ---------------------------


def test_before_insert_trigger_that_rewrites_a_column_stops_the_restore(server, conn, source, tmp_path, db):
    name, out = source
    d = copy_dump(out, tmp_path / "d")
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL)")
    conn.execute(f"CREATE TRIGGER {q}.stamp BEFORE INSERT ON {q}.items FOR EACH ROW SET NEW.created_at = NOW()")
    conn.execute(f"CREATE TRIGGER {q}.audit AFTER DELETE ON {q}.items FOR EACH ROW SET @x = 1")  # never fires
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and len(err.splitlines()) == 1, err
    assert "`stamp` (BEFORE INSERT on `items`)" in err and "`audit`" not in err
    assert "--defer-triggers" in err and "--fire-triggers" in err
    assert conn.scalar(f"SELECT COUNT(*) FROM {q}.items") == "0"
    assert conn.scalar(f"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}'") == "1"
    # --defer-triggers: exact, and the triggers are back afterwards
    ok = dumpcore("restore", str(d), "-D", db, "--defer-triggers", "-q", *conn_args(server))
    assert ok.returncode == 0, ok.stderr.decode()
    assert raw_rows(conn, name, "items") == raw_rows(conn, db, "items")
    assert {r[0] for r in conn.query_text(
        f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")} == {"stamp", "audit"}
    # --fire-triggers: the user asked for it; the rewritten column is the trigger's doing, said in a warning
    conn.execute(f"DELETE FROM {q}.items WHERE id <= 10")
    fired = dumpcore("restore", str(d), "-D", db, "--fire-triggers", "--tables", "items", *conn_args(server))
    assert fired.returncode == 0, fired.stderr.decode()
    assert "Warning: triggers fired while loading (--fire-triggers): `stamp` (BEFORE INSERT on `items`)" in \
        fired.stderr.decode()
    assert conn.scalar(f"SELECT COUNT(*) FROM {q}.items WHERE created_at > '2020-01-01'") == str(ROWS)


# -- 2. journals bound to their target; every restore counts the live rows ---------------------


def test_resume_after_the_target_was_dropped_is_refused(server, conn, source, tmp_path, db):
    name, out = source
    d = copy_dump(out, tmp_path / "d")
    assert dumpcore("restore", str(d), "-D", db, "-q", *conn_args(server)).returncode == 0
    conn.execute(f"DROP DATABASE {quote_ident(db)}")
    conn.execute(f"CREATE DATABASE {quote_ident(db)}")
    res = dumpcore("restore", str(d), "-D", db, "--resume", *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and len(err.splitlines()) == 1, err
    assert err.startswith(f"Error: cannot resume: the journal {journal_file(d, server, db)} does not describe "
                          f"`{db}` any more: `items` holds 0 of the {ROWS:,} rows committed")
    assert "run without --resume" in err
    assert conn.scalar(f"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}'") == "0"
    again = dumpcore("restore", str(d), "-D", db, "-q", *conn_args(server))
    assert again.returncode == 0, again.stderr.decode()
    assert_same_database(conn, name, db)


def test_journals_of_one_database_name_on_two_servers_are_kept_apart(tmp_path):
    """journal/<server>/<db>.jsonl: a restore into `app` on a second server starts its own
    journal beside the first's (it used to start it over the first's, which could then not
    resume); a journal an older version left at journal/<db>.jsonl is used for its own server
    only."""
    from dumpcore.restore.state import StateDir

    state = StateDir(tmp_path, "test")
    a, b = state.journal_path("app", "db-1:3306"), state.journal_path("app", "db-2:3306")
    assert a != b and a.parent.parent == b.parent.parent == tmp_path / "journal"
    legacy = tmp_path / "journal" / "app.jsonl"
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"event": "start", "server": "db-1:3306", "database": "app"}) + "\n")
    assert state.journal_path("app", "db-1:3306") == legacy
    assert state.journal_path("app", "db-2:3306") == b
    assert state.saved_triggers_path("app", "db-1:3306") != state.saved_triggers_path("app", "db-2:3306")


def test_journal_names_its_target_and_resume_elsewhere_is_refused(server, conn, source, tmp_path, db):
    _, out = source
    d = copy_dump(out, tmp_path / "d")
    assert dumpcore("restore", str(d), "-D", db, "-q", "--tables", "notes", *conn_args(server)).returncode == 0
    journal = journal_file(d, server, db)
    lines = journal.read_text().splitlines()
    start = json.loads(lines[0])
    host, port = conn.query_text("SELECT @@hostname, @@port")[0]
    assert start["event"] == "start" and start["database"] == db and start["server"] == f"{host}:{port}"
    assert start["started_at"].endswith("Z")
    start["server"] = "db-prod-7:3306"  # as if the journal came from a restore on another server
    journal.write_text("\n".join([json.dumps(start)] + lines[1:]) + "\n")
    res = dumpcore("restore", str(d), "-D", db, "--resume", "--tables", "notes", *conn_args(server))
    err = res.stderr.decode().strip()
    assert res.returncode == 1 and len(err.splitlines()) == 1, err
    assert f"belongs to a restore into `{db}` on db-prod-7:3306 started {start['started_at']}, not to `{db}` on " \
           f"{host}:{port}" in err


def test_rows_merged_away_by_a_unique_key_of_the_target_fail_the_restore(server, conn, source, tmp_path, db):
    """A migration added a unique key the source never had: upserts fold rows into each other
    without any error. The live count shows it; on main this exited 0."""
    name, out = source
    d = copy_dump(out, tmp_path / "d")
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL, "
                 "UNIQUE KEY by_name (name(6)))")  # 'item-1', 'item-10', 'item-100' ... are one row here
    res = dumpcore("restore", str(d), "-D", db, "--json", *conn_args(server))
    assert res.returncode == 1
    # the proof compares each chunk's range before its COMMIT: the folded chunk is never
    # committed (before the proof, it was, and the live count found the missing rows after)
    assert int(conn.scalar(f"SELECT COUNT(*) FROM {q}.items")) == 0
    err = res.stderr.decode().strip().splitlines()
    # the chunks load on two connections: the first to reach its proof is named, any of them
    assert len(err) == 1 and re.match(r"Error: the restored content differs from the dump: table `items`, "
                                      r"data/items\.\d{5}\.sql: keys \d+\.\.\d+: ", err[0]), err
    assert "in the dump; that chunk was rolled back" in err[0]
    # without the proof, the live count still refuses to call it complete
    res = dumpcore("restore", str(d), "-D", db, "--json", "--no-verify", "--tables", "items", *conn_args(server))
    assert res.returncode == 1, res.stderr.decode()
    live = int(conn.scalar(f"SELECT COUNT(*) FROM {q}.items"))
    assert 0 < live < ROWS
    err = res.stderr.decode().strip().splitlines()
    assert err[-1] == (f"Error: restore incomplete: `items` holds {live:,} rows, the dump has {ROWS:,}: "
                       f"{ROWS - live:,} missing")
    report = json.loads(res.stdout)
    items = next(t for t in report["tables"] if t["name"] == "items")
    assert report["complete"] is False
    assert (items["expected"], items["rows"], items["rejected"], items["live"], items["short"]) == \
        (ROWS, ROWS, 0, live, ROWS - live)
    assert [t["name"] for t in report["tables"]] == ["items"]


def test_summary_reports_expected_restored_rejected_and_live(server, conn, source, tmp_path, db):
    _, out = source
    d = copy_dump(out, tmp_path / "d")
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    lines = res.stderr.decode().splitlines()
    assert lines[0].split() == ["table", "expected", "restored", "rejected", "live", "seconds"]
    items = next(l for l in lines if l.startswith("items "))
    assert items.split()[1:5] == [f"{ROWS:,}", f"{ROWS:,}", "0", f"{ROWS:,}"]
    assert lines[-1] == f"complete, proven; restore state in {d} (the dump directory)"


# -- 6. rows beyond the dump; restore --verify ---------------------------------------------------


def test_rows_the_target_held_before_are_said_and_verify_fails_on_them(server, conn, source, tmp_path, db):
    name, out = source
    d = copy_dump(out, tmp_path / "d")
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL)")
    conn.execute(f"INSERT INTO {q}.items SELECT seq, 'stale', '1999-01-01' FROM {q}.seq_{ROWS + 1}_to_{ROWS + 7}")
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    err = res.stderr.decode()
    assert f"Warning: table `items` holds 7 row(s) beyond the dump ({ROWS + 7:,} live, {ROWS:,} from the dump)" in err
    assert "+7 beyond the dump" in err
    checked = dumpcore("restore", str(d), "-D", db, "--verify", "--tables", "items", *conn_args(server))
    cerr = checked.stderr.decode().strip()
    assert checked.returncode == 1
    assert cerr.splitlines()[-1].startswith(f"Error: `{db}` differs from the dump after the restore: table `items`: "
                                            f"{ROWS + 7} rows live, {ROWS} in the dump")
    conn.execute(f"DELETE FROM {q}.items WHERE id > {ROWS}")
    clean = dumpcore("restore", str(d), "-D", db, "--verify", "--tables", "items", *conn_args(server))
    assert clean.returncode == 0 and f"verified: `{db}` matches the dump" in clean.stderr.decode()


# -- 3. a read-only dump directory ------------------------------------------------------------------


@pytest.fixture
def read_only_copy(source, tmp_path):
    """The dump on a read-only filesystem. As root (who ignores permission bits) a tmpfs
    remounted read-only: every write fails with EROFS, as on a mounted snapshot; as another
    user, chmod -R a-w is enough."""
    _, out = source
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if os.geteuid() != 0:
        d = copy_dump(out, mnt / "dump")
        subprocess.run(["chmod", "-R", "a-w", str(mnt)], check=True)
        yield d
        subprocess.run(["chmod", "-R", "u+w", str(mnt)], check=True)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("root without CAP_SYS_ADMIN cannot mount a read-only filesystem here")
    try:
        d = copy_dump(out, mnt / "dump")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        with pytest.raises(OSError):
            (d / "probe").write_text("x")
        yield d
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_restore_from_a_read_only_dump_keeps_its_state_in_the_users_state_dir(server, conn, source, read_only_copy,
                                                                             tmp_path, db):
    name, _ = source
    d = read_only_copy
    env = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    res = dumpcore("restore", str(d), "-D", db, *conn_args(server), env=env)
    assert res.returncode == 0, res.stderr.decode()
    digest = json.loads((d / "manifest.json").read_text())["manifest_xxh3_128"][:16]
    state = tmp_path / "xdg" / "dumpcore" / f"{name}-{digest}"
    assert res.stderr.decode().splitlines()[-1] == \
        f"complete, proven; restore state in {state} (the dump directory is not writable)"
    assert journal_file(state, server, db).is_file()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert_same_database(conn, name, db)
    # the state is found again: --resume works from the read-only dump
    again = dumpcore("restore", str(d), "-D", db, "--resume", "--json", *conn_args(server), env=env)
    assert again.returncode == 0, again.stderr.decode()
    assert json.loads(again.stdout)["loaded_chunks"] == 0
    # --state-dir wins
    other = tmp_path / "mine"
    third = dumpcore("restore", str(d), "-D", db, "--cleanup", "--state-dir", str(other), "--json", *conn_args(server), env=env)
    assert third.returncode == 0, third.stderr.decode()
    assert json.loads(third.stdout)["state_dir"] == f"{other} (--state-dir)"
    assert journal_file(other, server, db).is_file()


def test_a_parent_directory_that_cannot_be_opened_does_not_fail_a_finished_dump(tmp_path):
    """The last step of a dump fsyncs the directory that holds it. One the user may write
    into but not read (mode -wx) cannot be opened to sync: that is left to the file
    system, while any other failure (a directory that is not there) is still raised."""
    import shutil
    import tempfile

    from dumpcore.dump.partials import sync_dir

    base = Path(tempfile.mkdtemp(prefix="dumpcore-dropbox-"))  # reachable by any user, unlike tmp_path
    try:
        os.chmod(base, 0o755)
        dropbox = base / "dropbox"
        dropbox.mkdir()
        sync_dir(dropbox)  # readable: synced
        os.chmod(dropbox, 0o333)
        pid = os.fork()
        if pid == 0:  # a child, as a user the mode applies to (root's reads are never refused)
            code = 3
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                os.stat(dropbox)  # reachable
                try:
                    os.open(dropbox, os.O_RDONLY | os.O_DIRECTORY)
                    code = 2  # could open it: this would test nothing
                except PermissionError:
                    sync_dir(dropbox)
                    code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with pytest.raises(FileNotFoundError):
            sync_dir(tmp_path / "missing")
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- 7. SQL loaded twice by the client (issue #20 item 4) -------------------------------------------


def _client_loads(server, how: str, name: str, dump_dir: Path, target: str, append: bool) -> subprocess.CompletedProcess:
    """One load of the dump's SQL into ``target`` by the `mariadb` client: `dump --stdout |`,
    `cat DIR |` or `cd DIR && mariadb < scripts/load.sql` (DIR made with --append when ``append``)."""
    flag = ["--append"] if append else []
    if how == "load_sql":
        d = dump_dir / ("append" if append else "plain")
        if not d.exists():
            made = dumpcore("dump", name, "-o", str(d), "-q", *flag, *conn_args(server))
            assert made.returncode == 0, made.stderr.decode()
        with open(d / "scripts" / "load.sql", "rb") as f:
            return subprocess.run(server.client_command("mariadb", target), stdin=f, capture_output=True, cwd=d,
                                  env=server.client_env())
    argv = ([str(DUMPCORE), "dump", name, "--stdout", "-q", *flag, *conn_args(server)] if how == "stdout"
            else [str(DUMPCORE), "cat", str(dump_dir / "plain"), *flag])
    producer = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    client = subprocess.run(server.client_command("mariadb", target), stdin=producer.stdout, capture_output=True,
                            env=server.client_env())
    producer.stdout.close()
    producer.wait()
    return client


@pytest.mark.parametrize("how", ["stdout", "cat", "load_sql"])
def test_loading_the_sql_twice_stops_at_a_keyless_table_that_holds_rows_unless_append(server, conn, source, tmp_path,
                                                                                     db, how):
    """`dump --stdout | mariadb DB` (or cat, or load.sql) run twice left the keyless table
    with its rows twice, both exit codes 0. The second load now stops before any row with
    the guard's message and leaves every table as it was; with --append it adds them."""
    name, _ = source
    made = dumpcore("dump", name, "-o", str(tmp_path / "plain"), "-q", *conn_args(server))
    assert made.returncode == 0, made.stderr.decode()
    first = _client_loads(server, how, name, tmp_path, db, append=False)
    assert first.returncode == 0, first.stderr.decode()
    notes, items = raw_rows(conn, name, "notes"), raw_rows(conn, name, "items")
    assert raw_rows(conn, db, "notes") == notes and raw_rows(conn, db, "items") == items

    second = _client_loads(server, how, name, tmp_path, db, append=False)
    assert second.returncode != 0
    assert ("dumpcore: table `notes` has no key and already holds rows: loading this dump's rows again would add "
            "them twice; empty it first (or use dumpcore restore --cleanup), or make the SQL with --append to add "
            "them") in second.stderr.decode(), second.stderr.decode()
    assert raw_rows(conn, db, "notes") == notes and raw_rows(conn, db, "items") == items  # nothing loaded

    appended = _client_loads(server, how, name, tmp_path, db, append=True)
    assert appended.returncode == 0, appended.stderr.decode()
    assert raw_rows(conn, db, "notes") == sorted(notes + notes, key=lambda r: tuple((v is None, v or b"") for v in r))
    assert raw_rows(conn, db, "items") == items  # keyed rows are merged, as before
