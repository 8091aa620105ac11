"""The CLI as a mysqldump/mydumper user meets it: --version, one-line usage errors with the
peer's habit mapped, plain help, Ctrl-C, the progress bar, and the messages for the
mistakes of the first hour. Each asserts the exact message and exit code."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, table_names
from dumpcore import __version__
from dumpcore.connect.connection import quote_ident
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.restore import RestoreOptions, restore
from dumpcore.sandbox.sample import create_school
from test_restore import copy_dump
from conftest import journal_file


def one_line_error(proc, code: int) -> str:
    """The stderr of a failed command: exactly one line; returned without its newline."""
    err = proc.stderr.decode()
    assert proc.returncode == code, (proc.returncode, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "╭" not in err and "Traceback" not in err
    return err.rstrip("\n")


def test_version():
    from importlib.metadata import version

    proc = dumpcore("--version")
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.decode() == f"dumpcore {__version__}\n" == f"dumpcore {version('dumpcore')}\n"


@pytest.mark.parametrize("args,expected", [
    (["dump", "db", "--threads", "4"],
     "Error: no such option --threads for `dumpcore dump`; use --workers N (connections reading at once; "
     "mydumper's --threads)"),
    (["restore", "some-dir", "--threads", "4"],
     "Error: no such option --threads for `dumpcore restore`; use --parallel N (connections loading at once; "
     "myloader's --threads)"),
    (["dump", "db", "--ignore-table", "db.t"],
     "Error: no such option --ignore-table for `dumpcore dump`; use --exclude TABLE (repeatable; the table name "
     "without the database)"),
    (["restore", "d", "--overwrite-tables"],
     "Error: no such option --overwrite-tables for `dumpcore restore`; use --cleanup (empties the dumped tables "
     "first, children first)"),
    (["dump", "db", "--wher", "id > 3"],
     "Error: no such option --wher for `dumpcore dump`; did you mean --where? see `dumpcore dump --help`"),
    (["restore"], "Error: missing argument DIRECTORY; see `dumpcore restore --help`"),
    (["dump", "db", "--workers", "many"],
     "Error: invalid value for --workers: input should be a valid integer, unable to parse string as an integer; "
     "see `dumpcore dump --help`"),
    (["plan", "--ddl"], "Error: option '--ddl' requires an argument; see `dumpcore plan --help`"),
])
def test_usage_errors_are_one_line_with_a_sensible_suggestion(args, expected):
    proc = dumpcore(*args)
    assert one_line_error(proc, 2) == expected
    assert proc.stdout == b""


def test_unknown_command_suggests_the_near_one():
    err = one_line_error(dumpcore("dmup"), 2)
    assert err.startswith("Error: no such command `dmup`; did you mean `dumpcore dump`? commands: ")
    assert "plan" in err and "restore" in err and "sample" in err


def test_help_is_plain_and_says_what_depends_on_the_machine():
    restore_help = " ".join(dumpcore("restore", "--help").stdout.decode().split())
    assert "--parallel <int> Connections loading chunks at once; 0: one per CPU core. [default: (the number of CPU cores)]" \
        in restore_help
    for cmd in ("plan", "dump", "restore", "verify", "sample"):
        text = dumpcore(cmd, "--help").stdout.decode()
        assert "<bool>" not in text and "╭" not in text
        flat = " ".join(text.split())
        assert "-p, --password SECRET Password as -pSECRET or --password=SECRET; bare -p or --password prompts." \
            in flat
        assert "Read only this option file's [client] section" in flat
    assert "--dir <path> Where the sandbox keeps its data. [default: ($XDG_CACHE_HOME/dumpcore/sandbox, else " \
           "~/.cache/dumpcore/sandbox)]" in " ".join(dumpcore("sandbox", "start", "--help").stdout.decode().split())


# -- Ctrl-C -----------------------------------------------------------------------


def _interrupt_when(proc, ready, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the command ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)


def test_ctrl_c_in_restore_says_what_was_kept_and_resume_continues(server, conn, tmp_path, db):
    src = f"{db}_src"
    with server.connect() as c:
        create_school(c, src, scale=0.5)
    try:
        d = tmp_path / "dump"
        dump_to_directory(server, src, d, DumpOptions(chunk_size=64 << 10, statement_size=16 << 10))
        journal = journal_file(d, server, db)
        proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", db, "--parallel", "1", *conn_args(server)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _interrupt_when(proc, lambda: journal.exists() and journal.read_text().count('"event":"commit"') >= 2)
        err = proc.communicate(timeout=60)[1].decode()
        assert proc.returncode == 130
        assert err == ("Error: interrupted; the chunks loaded so far stay committed and are recorded in the journal: "
                       "run the same restore with --resume to continue\n")
        committed = journal.read_text().count('"event":"commit"')
        res = dumpcore("restore", str(d), "-D", db, "--resume", "--json", *conn_args(server))
        assert res.returncode == 0, res.stderr.decode()
        assert json.loads(res.stdout)["skipped_chunks"] == committed
        assert_same_database(conn, src, db)
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")


def test_ctrl_c_in_dump_leaves_nothing_and_says_so(server, db, tmp_path):
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(100))")
        c.execute("INSERT INTO big SELECT seq, REPEAT('x', 100) FROM seq_1_to_400000")
    out = tmp_path / "dump"
    proc = subprocess.Popen([str(DUMPCORE), "dump", db, "-o", str(out), "--chunk-size", "64KiB", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _interrupt_when(proc, lambda: any(len(list(p.glob("data/big.*"))) >= 3 for p in tmp_path.glob(".dump*")))
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 130
    assert err == "Error: interrupted; nothing was kept (the partial dump directory was removed)\n"
    assert list(tmp_path.iterdir()) == []


# -- progress and summaries ---------------------------------------------------------


def test_progress_columns_show_rows_with_separators_and_bytes_as_bytes():
    from dumpcore.cli.progress import BytesColumn, RichDumpProgress, RowsColumn

    p = RichDumpProgress()
    p.progress.disable = True  # no terminal needed: the columns are rendered directly
    p.begin([("payment", 1_234_567), ("tiny", 3)])
    p.advance("payment", 4_321, 5_250_000)
    p.advance("payment", 1_000, 250_000)
    task = p.progress.tasks[p.tasks["payment"]]
    assert str(RowsColumn().render(task)) == "5,321/1,234,567 rows"
    assert str(BytesColumn().render(task)) == "5.2 MiB"  # the bytes given, not the row count; binary units
    total = p.progress.tasks[p.total]
    assert str(RowsColumn().render(total)) == "5,321/1,234,570 rows"
    p.end()


def test_parallel_restore_reports_wall_times_and_a_full_resume_reports_no_rate(server, conn, tmp_path, db):
    src = f"{db}_src"
    with server.connect() as c:
        create_school(c, src, scale=0.3)
    try:
        d = tmp_path / "dump"
        dump_to_directory(server, src, d, DumpOptions(chunk_size=32 << 10, statement_size=8 << 10))
        summary = restore(d, server, RestoreOptions(database=db, parallel=2))
        attendance = summary.tables["attendance"]
        assert attendance.chunks >= 6
        # two connections load attendance side by side: a sum of chunk times would exceed the whole run
        for t in summary.tables.values():
            assert t.seconds <= summary.seconds, (t.table, t.seconds, summary.seconds)
        again = dumpcore("restore", str(d), "-D", db, "--resume", *conn_args(server))
        assert again.returncode == 0, again.stderr.decode()
        total_chunks = sum(t.chunks for t in summary.tables.values())
        lines = again.stderr.decode().splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("total "))
        last = " ".join(lines[at: at + 2])  # the note goes on the next line when it does not fit in 80 columns
        assert re.match(rf"total\s+[\d,]+\s+[\d,]+\s+0\s+[\d,]+\s+[\d.]+\s+\(-; 0 chunks loaded, "
                        rf"{total_chunks:,} already committed\)", last), last
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(src)}")


# -- messages for the first hour's mistakes -----------------------------------------


def test_restore_of_a_stream_file_says_it_is_a_stream(server, world, tmp_path):
    stream = tmp_path / "world.sql"
    with open(stream, "wb") as f:
        assert subprocess.run([str(DUMPCORE), "dump", world, "--stdout", "-q", *conn_args(server)],
                              stdout=f).returncode == 0
    err = one_line_error(dumpcore("restore", str(stream), *conn_args(server)), 1)
    assert err == (f"Error: {stream}: this is a stream (from `dumpcore dump --stdout`), not a dump directory; "
                   "pipe it to mariadb (`mariadb DB < world.sql`) or use cat (`cat world.sql | mariadb DB`)")
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    err = one_line_error(dumpcore("restore", str(other), *conn_args(server)), 1)
    assert err == (f"Error: {other}: not a dump directory (a file, and not a dumpcore stream); give the directory "
                   "written by `dumpcore dump -o DIR`")


def test_verify_on_a_file_that_is_not_a_dumpcore_dump(tmp_path):
    f = tmp_path / "mysqldump.sql"
    f.write_text("-- MySQL dump 10.13\nCREATE TABLE t (id INT);\n")
    err = one_line_error(dumpcore("verify", str(f)), 1)
    assert err == (f"Error: {f}: not a dumpcore dump (it does not start with the '-- dumpcore' header); verify "
                   "checks a dump directory, or a stream from `dumpcore dump --stdout` or `dumpcore cat`")


def test_verify_against_a_missing_database(server, world, tmp_path):
    d = tmp_path / "dump"
    dump_to_directory(server, world, d, DumpOptions(tables=["language"]))
    err = one_line_error(dumpcore("verify", str(d), "--against", "no_such_db", *conn_args(server)), 1)
    assert err == (f"Error: database `no_such_db` does not exist on {server.describe()}; restore the dump first, "
                   "or name the database to compare with --against")


def test_plan_ddl_without_a_readable_statement_warns(tmp_path):
    f = tmp_path / "data-only.sql"
    f.write_text("INSERT INTO t VALUES (1);\nSELECT 1;\n")
    proc = dumpcore("plan", "--ddl", str(f), "--json")
    assert proc.returncode == 0
    assert proc.stderr.decode() == (f"Warning: {f}: no CREATE TABLE or CREATE VIEW statement could be read; "
                                    "the plan is empty\n")
    assert json.loads(proc.stdout)["table_count"] == 0


def test_plan_output_refuses_to_overwrite_scripts_without_force(tmp_path):
    from fixture_world import write_world_schema

    ddl = write_world_schema(tmp_path / "world.sql")
    out = tmp_path / "scripts"
    out.mkdir()
    (out / "cleanup.sql").write_text("-- my edited copy\n")
    err = one_line_error(dumpcore("plan", "--ddl", str(ddl), "-o", str(out)), 1)
    assert err == (f"Error: {out / 'cleanup.sql'} exists; use --force to overwrite, or another -o directory")
    assert (out / "cleanup.sql").read_text() == "-- my edited copy\n"
    assert sorted(p.name for p in out.iterdir()) == ["cleanup.sql"]  # nothing else written either
    forced = dumpcore("plan", "--ddl", str(ddl), "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr.decode()
    assert "DELETE FROM" in (out / "cleanup.sql").read_text()


def test_sample_creates_the_school_in_the_users_server_and_never_replaces_a_database(server, conn, db):
    name = f"{db}_school"
    try:
        proc = dumpcore("sample", name, "--scale", "0.05", *conn_args(server))
        assert proc.returncode == 0, proc.stderr.decode()
        tables = table_names(conn, name)
        rows = sum(int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(name)}.{quote_ident(t)}")) for t in tables)
        said = " ".join(line.strip() for line in proc.stdout.decode().split("\n  try:")[0].splitlines())
        assert said == f"created `{name}` on {server.describe()}: {len(tables)} tables, {rows:,} rows"
        assert {"students", "classes", "attendance"} <= set(tables) and rows > 100
        before = int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(name)}.students"))
        err = one_line_error(dumpcore("sample", name, *conn_args(server)), 1)
        assert err == (f"Error: database `{name}` already exists on {server.describe()}; name a new database; "
                       "dumpcore sample never replaces one")
        assert int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(name)}.students")) == before
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
