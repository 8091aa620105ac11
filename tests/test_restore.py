"""`dumpcore restore`, `verify` and `cat` against real servers."""
import json
import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from conftest import needs_sakila, run_client
from conftest import journal_file, one_big_many_small
from dbcompare import assert_same_database, assert_same_objects, checksum, raw_rows, table_names
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.errors import RestoreError
from dumpcore.restore.load_data import LOAD_METHODS
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.restore.state import server_identity
from dumpcore.sandbox.sample import SCHOOL_DDL, create_school
from dumpcore.sandbox.sandbox import Sandbox
from edge_data import create_edge_database
from fixture_world import WORLD_ROUTINES, WORLD_TRIGGERS, WORLD_VIEWS, world_schema_script


@pytest.fixture(scope="module")
def edge_dump(server, tmp_path_factory):
    """The every-type database and its dump (module scope: built once)."""
    name = "edge_restore_src"
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        create_edge_database(c, name)
    out = tmp_path_factory.mktemp("edge") / "dump"
    dump_to_directory(server, name, out, DumpOptions(statement_size=256 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(scope="module")
def world_dump(server, world, tmp_path_factory):
    out = tmp_path_factory.mktemp("world") / "dump"
    dump_to_directory(server, world, out)
    return out


@pytest.fixture(scope="module")
def school(server, tmp_path_factory):
    name = "school_src"
    with server.connect() as c:
        create_school(c, name, scale=0.5)
    out = tmp_path_factory.mktemp("school") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=256 << 10, statement_size=64 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")


@contextmanager
def school_schema(server, db: str):
    """The school's tables created in ``db`` as its migrations would; yields a session."""
    with server.connect(db) as c:
        c.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
        for ddl in SCHOOL_DDL:
            c.execute(ddl)
        yield c


def copy_dump(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("journal", "rejects"))
    return dst


def drop(server, name: str) -> None:
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")


# -- exact restores ---------------------------------------------------------------


@pytest.mark.parametrize("method", LOAD_METHODS)
def test_world_restores_exactly_into_a_new_database(server, conn, world, world_dump, tmp_path, db, method):
    drop(server, db)  # restore creates it
    d = copy_dump(world_dump, tmp_path)
    proc = dumpcore("restore", str(d), "--database", db, "--parallel", "2", "--json", "--load-method", method,
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    source_rows = sum(int(conn.scalar(f"SELECT COUNT(*) FROM {world}.{t}")) for t in table_names(conn, world))
    assert summary["total_rows"] == source_rows > 15000 and summary["total_rejected"] == 0
    assert {t["load_method"] for t in summary["tables"]} == {"upsert" if method == "upsert" else "load-data"}
    assert not summary["warnings"]
    assert assert_same_database(conn, world, db) == source_rows
    assert assert_same_objects(conn, world, db) == {"views": WORLD_VIEWS, "triggers": WORLD_TRIGGERS,
                                                     "routines": WORLD_ROUTINES}


@pytest.mark.parametrize("method", LOAD_METHODS)
def test_edge_types_restore_exactly(server, conn, edge_dump, tmp_path, db, method):
    name, out = edge_dump
    drop(server, db)
    summary = restore(copy_dump(out, tmp_path), server, RestoreOptions(database=db, parallel=2, load_method=method))
    assert summary.rows > 60 and not summary.rejected
    assert not summary.warnings, summary.warnings  # no chunk fell back from LOAD DATA to the upserts
    assert {t.method for t in summary.tables.values()} == {"upsert" if method == "upsert" else "load-data"}
    assert_same_database(conn, name, db)


def test_world_into_schema_made_by_its_own_ddl_with_triggers_deferred(server, conn, world, world_dump, tmp_path, db):
    run_client(server, world_schema_script(db))
    before = {r[0] for r in conn.query_text(
        f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")}
    assert before == set(WORLD_TRIGGERS)
    d = copy_dump(world_dump, tmp_path)
    summary = restore(d, server, RestoreOptions(database=db, defer_triggers=True, parallel=2))
    assert not summary.warnings or not any("will fire" in w for w in summary.warnings)
    saved = journal_file(d, server, db, saved_triggers=True)
    assert "CREATE DEFINER" in saved.read_text() or "CREATE TRIGGER" in saved.read_text()
    # no trigger side effects: film_text equals the source, row for row
    assert raw_rows(conn, world, "film_text") == raw_rows(conn, db, "film_text")
    assert_same_database(conn, world, db, objects=False)  # its views and triggers come from its own DDL
    after = {r[0] for r in conn.query_text(
        f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}'")}
    assert after == before


def test_restore_that_would_fire_triggers_is_refused_unless_told(server, conn, world_dump, tmp_path, db):
    d = copy_dump(world_dump, tmp_path)
    restore(d, server, RestoreOptions(database=db, tables=["language"]))  # creates the table
    conn.execute(f"CREATE TRIGGER {quote_ident(db)}.lang_ins BEFORE INSERT ON {quote_ident(db)}.language "
                 "FOR EACH ROW SET NEW.name = NEW.name")
    with pytest.raises(RestoreError, match=r"`lang_ins` \(BEFORE INSERT on `language`\).*--defer-triggers.*"
                                           r"--fire-triggers"):
        restore(d, server, RestoreOptions(database=db, tables=["language"]))
    summary = restore(d, server, RestoreOptions(database=db, tables=["language"], fire_triggers=True))
    assert any("`lang_ins` (BEFORE INSERT on `language`)" in w and "--fire-triggers" in w for w in summary.warnings)


def _restore_twice_is_refused(server, conn, source: str, dump_dir: Path, tmp_path: Path, db: str,
                              firing: list[str], not_firing: list[str]) -> None:
    drop(server, db)
    d = copy_dump(dump_dir, tmp_path)
    first = dumpcore("restore", str(d), "-D", db, "-q", *conn_args(server))
    assert first.returncode == 0, first.stderr.decode()
    before = checksum(conn, db)
    again = dumpcore("restore", str(d), "-D", db, "-q", *conn_args(server))
    err = again.stderr.decode().strip()
    assert again.returncode == 1 and len(err.splitlines()) == 1, err
    assert err.startswith("Error: restore refused before writing anything: ") and f"triggers in `{db}` would fire" in err
    for trig in firing:
        assert trig in err
    for name in not_firing:
        assert f"`{name}`" not in err
    assert "--defer-triggers" in err and "--fire-triggers" in err
    assert checksum(conn, db) == before
    deferred = dumpcore("restore", str(d), "-D", db, "--defer-triggers", "--cleanup", "--verify",
                        *conn_args(server))
    assert deferred.returncode == 0, deferred.stderr.decode()
    assert_same_database(conn, source, db)


def test_restored_twice_into_the_same_database_is_refused_not_rewritten(server, conn, world, world_dump, tmp_path, db):
    """The second restore meets the triggers the first one created; the upserts would fire
    the UPDATE trigger too, the DELETE trigger would not fire."""
    _restore_twice_is_refused(server, conn, world, world_dump, tmp_path, db,
                              ["`rental_bi` (BEFORE INSERT on `rental`)", "`film_ai` (AFTER INSERT on `film`)",
                               "`film_au` (AFTER UPDATE on `film`)"], ["film_ad"])


@needs_sakila
def test_sakila_restored_twice_into_the_same_database_is_refused_not_rewritten(server, conn, sakila, tmp_path, db):
    """Issue #9's report: payment_date, create_date and rental_date became the time of the restore."""
    dump_to_directory(server, sakila, tmp_path / "sakila")
    _restore_twice_is_refused(server, conn, sakila, tmp_path / "sakila", tmp_path / "d", db,
                              ["`customer_create_date` (BEFORE INSERT on `customer`)",
                               "`payment_date` (BEFORE INSERT on `payment`)",
                               "`rental_date` (BEFORE INSERT on `rental`)", "`ins_film` (AFTER INSERT on `film`)"],
                              ["del_film"])


def test_other_time_zone_and_strict_sql_mode_server(server, conn, edge_dump, world, world_dump, tmp_path):
    name, out = edge_dump
    strict = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_BACKSLASH_ESCAPES"
    with Sandbox(extra_args=("--default-time-zone=-07:00", f"--sql-mode={strict}")) as other:
        with other.options.connect() as oc:
            assert oc.scalar("SELECT @@GLOBAL.time_zone") == "-07:00"
            assert "NO_BACKSLASH_ESCAPES" in oc.scalar("SELECT @@GLOBAL.sql_mode")
            for method in ("upsert", "load-data"):
                s = restore(copy_dump(out, tmp_path / f"e-{method}"), other.options,
                            RestoreOptions(database=f"edge_{method[0]}", load_method=method))
                assert not s.warnings and {t.method for t in s.tables.values()} == {method}
                assert_same_database(conn, name, f"edge_{method[0]}", target_conn=oc)
            restore(copy_dump(world_dump, tmp_path / "s"), other.options, RestoreOptions(database="world"))
            assert_same_database(conn, world, "world", target_conn=oc)


# -- damaged dumps ------------------------------------------------------------------


def _flip(p: Path) -> str:
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    return p.name


def _truncate(p: Path) -> str:
    p.write_bytes(p.read_bytes()[:-10])
    return p.name


def _delete(p: Path) -> str:
    p.unlink()
    return p.name


def _edit_manifest(p: Path) -> str:
    m = p.parent.parent / "manifest.json"
    data = json.loads(m.read_text())
    data["tables"][0]["rows"] += 1
    m.write_text(json.dumps(data))
    return "manifest.json"


def _extra(p: Path) -> str:
    (p.parent / "stowaway.00001.sql").write_text("DROP TABLE payment;\n")
    return "stowaway.00001.sql"


@pytest.mark.parametrize("damage,kind", [(_flip, "corrupt"), (_truncate, "truncated"), (_delete, "missing"),
                                         (_edit_manifest, "manifest"), (_extra, "extra")])
def test_damaged_dump_is_named_and_refused_before_any_write(server, conn, world, world_dump, tmp_path, db,
                                                            damage, kind):
    d = copy_dump(world_dump, tmp_path)
    restore(d, server, RestoreOptions(database=db, tables=["film", "language", "payment"]))
    conn.execute(f"UPDATE {quote_ident(db)}.language SET name = 'Changed' WHERE language_id = 1")
    before = checksum(conn, db)
    name = damage(d / "data" / "payment.00001.sql")
    proc = dumpcore("verify", str(d))
    assert proc.returncode == 1
    out = proc.stdout.decode() + proc.stderr.decode()
    assert name in out and (kind in out or kind == "manifest")
    res = dumpcore("restore", str(d), "--database", db, "--cleanup", *conn_args(server))
    assert res.returncode != 0
    err = res.stderr.decode().strip()
    assert err.startswith("Error: ") and name in err and len(err.splitlines()) == 1, err
    assert checksum(conn, db) == before  # nothing was written
    cat = subprocess.run([str(DUMPCORE), "cat", str(d)], capture_output=True)
    assert cat.returncode != 0 and cat.stdout == b""


def test_stream_file_verify_names_corruption_and_truncation(server, world, world_dump, tmp_path):
    stream = tmp_path / "s.sql"
    with open(stream, "wb") as f:
        assert subprocess.run([str(DUMPCORE), "dump", world, "--stdout", "-q", *conn_args(server)],
                              stdout=f).returncode == 0
    ok = dumpcore("verify", str(stream))
    chunks = json.loads((world_dump / "manifest.json").read_text())["totals"]["chunks"]
    assert ok.returncode == 0 and f"{chunks} chunks" in ok.stdout.decode()
    data = stream.read_bytes()
    pos = data.index(b"INSERT INTO `payment`") + 500
    (tmp_path / "bad.sql").write_bytes(data[:pos] + bytes([data[pos] ^ 1]) + data[pos + 1:])
    bad = dumpcore("verify", str(tmp_path / "bad.sql"))
    assert bad.returncode == 1 and "corrupt: payment chunk 1" in bad.stdout.decode()
    (tmp_path / "cut.sql").write_bytes(data[: len(data) // 2])
    cut = dumpcore("verify", str(tmp_path / "cut.sql"))
    assert cut.returncode == 1 and "truncated" in cut.stdout.decode()
    # chunk comments cut out: the rows they covered are named, for the last table too
    trailers = [m for m in re.finditer(rb"-- dumpcore-chunk [^\n]*\n", data)]
    for cut_out, table in ((trailers[:1], None), (trailers[-1:], None), (trailers, None)):
        text = data
        for m in reversed(cut_out):
            text = text[:m.start()] + text[m.end():]
        (tmp_path / "nocomment.sql").write_bytes(text)
        run = dumpcore("verify", str(tmp_path / "nocomment.sql"))
        assert run.returncode == 1 and "which no comment covers" in run.stdout.decode(), run.stdout.decode()


def test_cat_is_a_verified_stream_for_the_client(server, conn, world, world_dump, tmp_path, db):
    cat = subprocess.Popen([str(DUMPCORE), "cat", str(world_dump)], stdout=subprocess.PIPE)
    client = subprocess.run(server.client_command("mariadb", db), stdin=cat.stdout, capture_output=True,
                            env=server.client_env())
    cat.stdout.close()
    assert cat.wait() == 0 and client.returncode == 0, client.stderr
    assert_same_database(conn, world, db)
    with open(tmp_path / "cat.sql", "wb") as f:
        subprocess.run([str(DUMPCORE), "cat", str(world_dump)], stdout=f, check=True)
    assert dumpcore("verify", str(tmp_path / "cat.sql")).returncode == 0


# -- failures during the load -------------------------------------------------------


def test_kill9_half_way_then_resume(server, conn, school, tmp_path, db):
    name, out = school
    d = copy_dump(out, tmp_path)
    journal = journal_file(d, server, db)
    total_chunks = sum(len(t["chunks"]) for t in json.loads((d / "manifest.json").read_text())["tables"])
    assert total_chunks >= 10
    proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "--database", db, "--parallel", "2", "-q",
                             *conn_args(server)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count('"event":"commit"') >= 3:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first_commits = [json.loads(l)["file"] for l in journal.read_text().splitlines()
                     if '"event":"commit"' in l]
    assert 3 <= len(first_commits) < total_chunks, "the kill must land half-way"
    res = dumpcore("restore", str(d), "--database", db, "--resume", "--parallel", "2", "--json", *conn_args(server))
    assert res.returncode == 0, res.stderr.decode()
    summary = json.loads(res.stdout)
    assert summary["skipped_chunks"] >= len(first_commits)
    assert summary["loaded_chunks"] + summary["skipped_chunks"] == total_chunks
    assert_same_database(conn, name, db)  # keyless audit_log included: no duplicates
    lines = journal.read_text().splitlines()
    resumed_at = max(i for i, l in enumerate(lines) if '"event":"resume"' in l)
    reloaded = {json.loads(l)["file"] for l in lines[resumed_at:] if '"event":"begin"' in l}
    assert not reloaded & set(first_commits), "completed chunks were loaded again"


def test_resume_settles_keyless_chunks_that_committed_but_were_not_journaled(server, conn, school, tmp_path, db):
    name, _ = school
    d = tmp_path / "keyless"
    dump_to_directory(server, name, d, DumpOptions(tables=["audit_log"], chunk_size=16 << 10, statement_size=4096))
    restore(d, server, RestoreOptions(database=db, tables=["audit_log"], parallel=1))
    journal = journal_file(d, server, db)
    lines = journal.read_text().splitlines()
    commits = [i for i, l in enumerate(lines) if '"event":"commit"' in l]
    assert len(commits) >= 2
    # A crash between COMMIT and the journal line: the last two commits never got written.
    journal.write_text("\n".join(l for i, l in enumerate(lines) if i not in commits[-2:] and
                                 '"event":"done"' not in l) + "\n")
    summary = restore(d, server, RestoreOptions(database=db, tables=["audit_log"], resume=True))
    assert sum(t.chunks for t in summary.tables.values()) == 0  # settled by fingerprint, nothing reloaded
    assert raw_rows(conn, name, "audit_log") == raw_rows(conn, db, "audit_log")


def test_rows_the_target_refuses_go_to_rejects_and_the_rest_loads(server, conn, school, tmp_path, db):
    name, out = school
    d = copy_dump(out, tmp_path)
    with school_schema(server, db) as c:
        # a rule the dump breaks (a narrower column is refused by the pre-flight, tests/test_typecheck.py)
        c.execute("ALTER TABLE students ADD CONSTRAINT short_last_name CHECK (CHAR_LENGTH(last_name) <= 6)")
    too_long = int(conn.scalar(f"SELECT COUNT(*) FROM {name}.students WHERE CHAR_LENGTH(last_name) > 6"))
    total = int(conn.scalar(f"SELECT COUNT(*) FROM {name}.students"))
    assert 0 < too_long < total
    proc = dumpcore("restore", str(d), "--database", db, "--parallel", "2", *conn_args(server))
    assert proc.returncode == 1
    err = proc.stderr.decode().strip().splitlines()[-1]
    target = d / "rejects" / quote(server_identity(conn), safe="") / db  # each target's rejects apart
    assert err == f"Error: {too_long} row(s) rejected (students: {too_long}); see {target}"
    assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.students") == str(total - too_long)
    rejects = (target / "students.sql").read_text()
    assert rejects.count("error 4025: CONSTRAINT `short_last_name` failed") == too_long
    assert rejects.count("INSERT INTO `students`") == too_long
    # every other table is complete
    for t in ("attendance", "lectures", "classes"):
        assert raw_rows(conn, name, t) == raw_rows(conn, db, t)


# -- the workflows users run -------------------------------------------------------


def test_seed_workflow_dump_recreate_with_migration_cleanup_restore(server, conn, school, tmp_path, db):
    name, out = school
    d = copy_dump(out, tmp_path)
    with school_schema(server, db) as c:  # as migrations re-create it, one column and index more
        c.execute("ALTER TABLE students ADD COLUMN nickname VARCHAR(30) NULL, ADD INDEX ix_last (last_name)")
        c.execute("INSERT INTO attendance_statuses VALUES (9, 'seeded', 'left by a seed')")
    proc = dumpcore("restore", str(d), "--database", db, "--cleanup", "--parallel", "2", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert_same_database(conn, name, db, columns_of_source=True)
    assert conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(db)}.students WHERE nickname IS NOT NULL") == "0"


def test_verify_against_finds_changed_deleted_and_extra_rows(server, conn, school, tmp_path, db):
    name, out = school
    d = copy_dump(out, tmp_path)
    restore(d, server, RestoreOptions(database=db))
    ok = dumpcore("verify", str(d), "--against", db, *conn_args(server))
    assert ok.returncode == 0 and "OK" in ok.stdout.decode()
    q = quote_ident(db)
    conn.execute(f"UPDATE {q}.students SET first_name = 'Changed' WHERE id = 7")
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")  # the damage is deliberate
    conn.execute(f"DELETE FROM {q}.lectures WHERE id = 3")
    conn.execute(f"INSERT INTO {q}.audit_log VALUES ('2030-01-01', 'x', 'y', NULL)")
    bad = dumpcore("verify", str(d), "--against", db, *conn_args(server))
    assert bad.returncode == 1
    out_text = bad.stdout.decode()
    students = conn.scalar(f"SELECT COUNT(*) FROM {name}.students")
    logs = int(conn.scalar(f"SELECT COUNT(*) FROM {name}.audit_log"))
    assert re.search(rf"table `students`: {students} rows on both sides but their contents differ; differs in "
                     r"data/students\.\d+\.sql \(keys \d+\.\.\d+: \d+ rows live, \d+ dumped\)", out_text)
    assert re.search(r"table `lectures`: \d+ rows live, \d+ in the dump; differs in data/lectures\.\d+\.sql "
                     r"\(keys \d+\.\.\d+", out_text)
    assert f"table `audit_log`: {logs + 1} rows live, {logs} in the dump" in out_text
    err = bad.stderr.decode().strip()
    assert err.startswith(f"Error: `{db}` differs from the dump in ") and all(
        f"`{t}`" in err for t in ("students", "lectures", "audit_log"))


def test_preflight_reports_all_drift_at_once_and_keyless_rows(server, conn, school, tmp_path, db):
    name, out = school
    d = copy_dump(out, tmp_path)
    with school_schema(server, db) as c:
        c.execute("ALTER TABLE students DROP COLUMN notes")
        c.execute("ALTER TABLE lectures DROP COLUMN topic, DROP COLUMN room")
        c.execute("INSERT INTO audit_log VALUES ('2020-01-01', 'a', 'b', NULL)")
    before = checksum(conn, db)
    proc = dumpcore("restore", str(d), "--database", db, *conn_args(server))
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1 and len(err.splitlines()) == 1
    assert "table `students`: missing column(s) `notes`" in err
    assert "table `lectures`: missing column(s) `room`, `topic`" in err
    assert "table `audit_log` has no key" in err and "--cleanup" in err
    assert checksum(conn, db) == before


def test_subset_restore_warns_about_parents_left_out(server, school, tmp_path, db):
    name, out = school
    proc = dumpcore("restore", str(copy_dump(out, tmp_path)), "--database", db, "--tables", "attendance",
                    *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    err = proc.stderr.decode()
    assert "Warning: table `attendance` references `attendance_statuses`, `lectures`, `students`, which is not restored" \
        in err


def test_bad_restore_input_is_one_line_error(server, world_dump, tmp_path):
    cases = [
        (["restore", str(tmp_path / "nope")], r"Error: .*nope: not a dump directory"),
        (["restore", str(world_dump), "--tables", "ghost"], r"Error: table `ghost` is not in the dump"),
        (["restore", str(world_dump), "--cleanup", "--append"], r"Error: --cleanup and --append exclude each other"),
        (["restore", str(world_dump), "--database", "never_restored", "--resume"], r"Error: nothing to resume"),
        (["verify", str(tmp_path / "nope")], r"Error: .*nope: no such dump directory or stream file"),
    ]
    for args, pattern in cases:
        proc = dumpcore(*args, *conn_args(server))
        err = proc.stderr.decode().strip()
        assert proc.returncode != 0 and re.match(pattern, err) and len(err.splitlines()) == 1, (args, err)


@pytest.mark.parametrize("method,statement", [("upsert", "INSERT INTO%"), ("load-data", "LOAD DATA%")])
def test_lost_connections_are_retried_and_nothing_is_lost(server, conn, school, tmp_path, db, method, statement):
    """KILL CONNECTION of loading sessions mid-restore: each chunk is rolled back by the
    server and retried on a new connection; the result is still identical. A KILL that
    lands on the COMMIT of the keyless table's chunk stops the restore instead (whether
    that chunk is in cannot be known), and --resume settles it."""
    import threading

    name, out = school
    d = copy_dump(out, tmp_path)
    killed = []
    stop = threading.Event()

    def killer():
        with server.connect() as k:
            while not stop.is_set() and len(killed) < 3:
                for pid, info in k.query_text(
                        f"SELECT ID, LEFT(INFO, 20) FROM information_schema.PROCESSLIST WHERE DB = '{db}' "
                        f"AND COMMAND = 'Query' AND INFO LIKE '{statement}'"):
                    try:
                        k.execute(f"KILL CONNECTION {pid}")
                        killed.append(pid)
                    except Exception:  # noqa: BLE001 - the session may have ended by itself
                        pass
                    break
                time.sleep(0.01)

    th = threading.Thread(target=killer)
    th.start()
    stopped = None
    try:
        summary = restore(d, server, RestoreOptions(database=db, parallel=2, load_method=method))
    except RestoreError as exc:  # a KILL that landed on the COMMIT of keyless audit_log's chunk
        stopped = exc
    finally:
        stop.set()
        th.join()
    if stopped is not None:
        assert "lost while its COMMIT ran" in str(stopped) and "audit_log" in str(stopped), stopped
        summary = restore(d, server, RestoreOptions(database=db, parallel=2, load_method=method, resume=True))
    assert killed, "no loading session was caught to kill"
    assert {t.method for t in summary.tables.values()} == {method}
    assert not summary.rejected
    assert_same_database(conn, name, db)


def test_statements_larger_than_the_targets_packet_are_refused_before_writing(server, conn, school, tmp_path, db):
    name, out = school
    d = tmp_path / "bigstmt"
    dump_to_directory(server, name, d, DumpOptions(statement_size=200_000))
    original = conn.scalar("SELECT @@GLOBAL.max_allowed_packet")
    conn.execute("SET GLOBAL max_allowed_packet = 65536")  # new sessions see it; put back below
    try:
        proc = dumpcore("restore", str(d), "--database", db, *conn_args(server))
    finally:
        conn.execute(f"SET GLOBAL max_allowed_packet = {int(original)}")
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1 and len(err.splitlines()) == 1
    assert "larger than the target's max_allowed_packet (65536)" in err and "data/attendance.00001.sql" in err
    assert table_names(conn, db) == []  # nothing was created


def test_each_table_is_counted_once_complete_unless_target_triggers_fire(server, conn, tmp_path, db):
    """A table whose rows and keys are all in has its live rows counted then, by the
    connection that completed it, while the other tables still load; with --fire-triggers
    (a trigger could still change a complete table from another table's load) every count
    waits for the end. Either way the counts are right."""
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT PRIMARY KEY, t VARCHAR(100))")
        c.execute("INSERT INTO big SELECT seq, REPEAT('x', 60) FROM seq_1_to_60000")
        c.execute("CREATE TABLE small (id INT PRIMARY KEY, big_id INT, KEY ix_big (big_id))")  # a key put back after
        c.execute("INSERT INTO small SELECT seq, seq FROM seq_1_to_300")
    d = tmp_path / "dump"
    dump_to_directory(server, db, d, DumpOptions(chunk_size=256 << 10))
    positions = {}
    for fire in (False, True):
        target = f"{db}_{int(fire)}"
        drop(server, target)
        conn.execute("SET GLOBAL log_output = 'TABLE'")
        conn.execute("TRUNCATE TABLE mysql.general_log")
        conn.execute("SET GLOBAL general_log = 1")
        try:
            summary = restore(d, server, RestoreOptions(database=target, parallel=2, fire_triggers=fire))
        finally:
            conn.execute("SET GLOBAL general_log = 0")
        log = [r[0] for r in conn.query_text("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                                             "WHERE command_type = 'Query' ORDER BY event_time")]
        loads_big = [i for i, q in enumerate(log) if re.match(r"(INSERT INTO|LOAD DATA .* INTO TABLE) `big`", q, re.S)]
        count_small = [i for i, q in enumerate(log) if f"COUNT(*) FROM `{target}`.`small`" in q]  # alone or batched
        assert len(loads_big) >= 5 and len(count_small) == 1, (len(loads_big), count_small)
        positions[fire] = count_small[0] < loads_big[-1]
        assert summary.tables["big"].live == 60000 and summary.tables["small"].live == 300
        assert not any(t.short or t.extra for t in summary.tables.values())
        drop(server, target)
    assert positions == {False: True, True: False}, "counted while big loads; with --fire-triggers, after"


def _first_commit_answer_lost(monkeypatch, server, careful_only: bool = False) -> list[int]:
    """The first COMMIT of a restore's loader (``careful_only``: of one in careful mode,
    UNIQUE_CHECKS=1) goes through on the server, then its session is killed and the client
    sees the error it would see had the OK been lost on the way."""
    import threading

    from dumpcore.connect import connection as connection_module
    from dumpcore.errors import ServerError

    real = connection_module.Connection.execute
    dropped: list[int] = []
    careful: set[int] = set()

    def execute(self, sql, context=""):
        affected = real(self, sql, context)
        if sql == "SET SESSION UNIQUE_CHECKS = 1":
            careful.add(id(self))
        elif (sql in ("COMMIT", b"COMMIT") and not dropped and (id(self) in careful or not careful_only)
              and threading.current_thread().name.startswith("restore")):
            dropped.append(self.thread_id())
            with server.connect() as admin:
                admin.execute(f"KILL CONNECTION {self.thread_id()}")
            raise ServerError(2013, "Lost connection to server during query", "COMMIT")
        return affected

    monkeypatch.setattr(connection_module.Connection, "execute", execute)
    return dropped


def _source_table(conn, server, tmp_path, db: str, key: str) -> tuple[str, Path]:
    src = f"{db}_src"
    q = quote_ident(src)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q}")
    conn.execute(f"CREATE TABLE {q}.k (a INT NOT NULL, b VARCHAR(40){key})")
    conn.execute(f"INSERT INTO {q}.k SELECT seq, CONCAT('row ', seq % 100) FROM {q}.seq_1_to_6000")
    out = tmp_path / "d"
    dump_to_directory(server, src, out, DumpOptions(chunk_size=32 << 10, statement_size=8 << 10))
    assert len(json.loads((out / "manifest.json").read_text())["tables"][0]["chunks"]) >= 3
    return src, out


@pytest.mark.parametrize("method", ["upsert", "load-data"])
def test_a_keyless_chunk_whose_commit_answer_is_lost_is_not_loaded_twice(server, conn, tmp_path, db, method,
                                                                        monkeypatch):
    """The connection drops after the server committed a chunk of a keyless table but
    before its OK arrived: the client cannot know the chunk is in. Loading it again would
    duplicate its rows (it did: 6,000 rows restored as ~8,400, with a warning that blamed
    the target), so the restore stops with one line instead, and --resume settles that
    chunk from the table's content and completes it exactly."""
    src, out = _source_table(conn, server, tmp_path, db, key="")
    dropped = _first_commit_answer_lost(monkeypatch, server)
    with pytest.raises(RestoreError, match="lost while its COMMIT ran") as err:
        restore(out, server, RestoreOptions(database=db, parallel=2, load_method=method))
    monkeypatch.undo()
    assert dropped and "--resume" in err.value.one_line() and len(err.value.one_line().splitlines()) == 1
    summary = restore(out, server, RestoreOptions(database=db, parallel=2, load_method=method, resume=True))
    assert summary.tables["k"].live == 6000 and not summary.warnings
    assert_same_database(conn, src, db)


@pytest.mark.parametrize("method", ["upsert", "load-data"])
def test_a_keyed_chunk_whose_commit_answer_is_lost_is_loaded_again(server, conn, tmp_path, db, method, monkeypatch):
    """With a key, loading the chunk again upserts the same rows: the restore retries it on
    a new connection and completes exactly, without stopping. (Through LOAD DATA, the
    second load finds its rows in and the chunk goes by upserts, which the summary says.)"""
    src, out = _source_table(conn, server, tmp_path, db, key=", PRIMARY KEY (a)")
    dropped = _first_commit_answer_lost(monkeypatch, server)
    summary = restore(out, server, RestoreOptions(database=db, parallel=2, load_method=method))
    monkeypatch.undo()
    assert dropped and summary.tables["k"].live == 6000
    if method == "upsert":
        assert summary.warnings == []
    else:
        assert len(summary.warnings) == 1 and "loaded by upserts after LOAD DATA" in summary.warnings[0]
        assert "Duplicate entry" in summary.warnings[0]
    assert_same_database(conn, src, db)


def test_a_connection_lost_while_counting_a_finished_table_is_replaced_and_the_count_made_at_the_end(
        server, conn, school, tmp_path, db, monkeypatch):
    """A loader counts the live rows of a table its chunk completed; its connection is lost
    right then (seen: a KILL meant for a LOAD DATA landing on the count). The restore goes
    on with a new connection for the next chunk, counts that table at the end, and is
    exact."""
    from dumpcore.restore import completion

    name, out = school
    real = completion.live_row_counts
    lost: list[list[str]] = []

    def live_row_counts(c, database, tables, *rest):
        if not lost and tables:
            lost.append(list(tables))
            with server.connect() as admin:
                admin.execute(f"KILL CONNECTION {c.thread_id()}")
        return real(c, database, tables, *rest)

    monkeypatch.setattr(completion, "live_row_counts", live_row_counts)
    summary = restore(copy_dump(out, tmp_path), server, RestoreOptions(database=db, parallel=2))
    assert lost, "no count was made during the load"
    for table in lost[0]:
        assert summary.tables[table].live == summary.tables[table].expected > 0, table
    assert not summary.rejected and summary.warnings == []
    assert_same_database(conn, name, db)


def test_a_keyless_chunk_whose_commit_answer_is_lost_in_careful_mode_is_not_loaded_twice(
        server, conn, tmp_path, db, monkeypatch):
    """The same in careful mode (a row the target refuses: statements tried one by one,
    UNIQUE_CHECKS=1): putting UNIQUE_CHECKS back on the lost connection failed too, and
    that error hid the lost COMMIT, so the chunk was loaded again (6,000 rows, one refused,
    restored as 8,475). Now it stops; --resume cannot settle a chunk that lost a row to
    the target and says so, and a restore with --cleanup loads it exactly."""
    src, out = _source_table(conn, server, tmp_path, db, key="")
    q = quote_ident(db)
    conn.execute(f"CREATE TABLE {q}.k (a INT NOT NULL, b VARCHAR(40), CONSTRAINT no_77 CHECK (a <> 77))")
    dropped = _first_commit_answer_lost(monkeypatch, server, careful_only=True)
    with pytest.raises(RestoreError, match="lost while its COMMIT ran"):
        restore(out, server, RestoreOptions(database=db, parallel=2, load_method="upsert"))
    monkeypatch.undo()
    assert dropped
    duplicated = f"SELECT COUNT(*) FROM (SELECT a FROM {q}.k GROUP BY a HAVING COUNT(*) > 1) d"
    assert int(conn.scalar(f"SELECT COUNT(*) FROM {q}.k")) < 6000 and conn.scalar(duplicated) == "0"
    with pytest.raises(RestoreError, match="cannot tell which chunks of keyless table `k` were committed"):
        restore(out, server, RestoreOptions(database=db, parallel=2, load_method="upsert", resume=True))
    summary = restore(out, server, RestoreOptions(database=db, parallel=2, load_method="upsert", cleanup=True))
    assert summary.tables["k"].live == 5999 and summary.tables["k"].rejected == 1
    assert conn.scalar(f"SELECT COUNT(*) FROM {q}.k WHERE a = 77") == "0" and conn.scalar(duplicated) == "0"


def test_a_restores_progress_shows_each_table_from_its_first_chunk_to_its_last(server, db, tmp_path):
    """The bar's line of a table shows while its chunks load and goes when its last is
    committed: before, every table was shown from the start and none went, so at 10,000
    tables the terminal showed the first tables in the load order, loaded or not. Each
    table with rows is started before its first rows, done once after its last, and tables
    are done while others still load."""
    one_big_many_small(server, db, 3000, 10, 4, 30)
    d = tmp_path / "d"
    dump_to_directory(server, db, d, DumpOptions(chunk_size=64 << 10, statement_size=16 << 10))
    seen: list[tuple] = []

    class Recorder:
        def begin(self, tables): seen.append(("begin", len(tables)))
        def end(self): pass
        def table_started(self, table): seen.append(("started", table))
        def advance(self, table, rows, nbytes): seen.append(("advance", table, rows))
        def table_done(self, result): seen.append(("done", result.table, result.rows))

    summary = restore(d, server, RestoreOptions(database=f"{db}_copy", parallel=2), Recorder())
    try:
        assert seen[0] == ("begin", 11)
        for name, t in summary.tables.items():
            events = [e for e in seen[1:] if e[1] == name]
            if not t.rows:
                assert events == [], (name, events)  # nothing to load: never shown
                continue
            kinds = [e[0] for e in events]
            assert kinds[0] == "started" and kinds[-1] == "done" and kinds.count("done") == 1, (name, kinds)
            assert sum(e[2] for e in events if e[0] == "advance") == t.rows == events[-1][2]
        assert sum(1 for e in seen if e[0] == "advance" and e[1] == "big") > 1  # several chunks
        kinds = [e[0] for e in seen]
        assert kinds.index("done") < len(kinds) - 1 - kinds[::-1].index("advance")
    finally:
        with server.connect() as c:
            c.execute(f"DROP DATABASE IF EXISTS {quote_ident(db + '_copy')}")
