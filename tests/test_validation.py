"""Validation off the critical path (dumpcore.dump.validation): checks run on their own thread,
and a failure found there still fails the dump before anything is published."""
import io
import os
import signal
import subprocess
import sys
import threading

import pytest

from clirun import DUMPCORE, conn_args
from dumpcore.dump import chunks, validation
from dumpcore.schema import sqltext
from dumpcore.dump.chunks import STREAM_END
from dumpcore.dump.dump import DumpOptions, dump_to_directory, dump_to_stream
from dumpcore.errors import DumpcoreError, GeneratedSQLError
from dumpcore.dump.validation import Validator


@pytest.fixture
def broken_statements(monkeypatch):
    """Every generated INSERT loses its closing parenthesis of the column list (a bug the
    checks must catch). Returns the checks parsed in this process (there must be none:
    the validator process parses them)."""
    real_parts = chunks.statement_parts
    here: list[str] = []

    def parts(*args, **kwargs):
        head, tail = real_parts(*args, **kwargs)
        return head.replace(b") VALUES\n", b" VALUES\n"), tail

    monkeypatch.setattr(chunks, "statement_parts", parts)
    monkeypatch.setattr(sqltext, "parse_one", here.append)
    return here


@pytest.fixture
def two_tables(server, db):
    with server.connect(db) as c:
        for t in ("a", "b"):
            c.execute(f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(20))")
            c.execute(f"INSERT INTO {t} SELECT seq, CONCAT('v', seq) FROM seq_1_to_3000")
    return db


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failure_found_by_the_background_thread_fails_the_dump_and_leaves_nothing(
        server, two_tables, tmp_path, broken_statements, workers):
    out = tmp_path / "d"
    with pytest.raises(GeneratedSQLError, match=r"generated statement template of table `\w` does not parse"):
        dump_to_directory(server, two_tables, out, DumpOptions(workers=workers))
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no dump, no partial directory
    assert broken_statements == []  # found by the validator process, not parsed here
    assert not [t for t in threading.enumerate() if t.name.startswith("dump-worker")]


def test_a_failure_found_by_the_background_thread_ends_a_stream_without_its_end_line(
        server, two_tables, broken_statements):
    out = io.BytesIO()
    with pytest.raises(GeneratedSQLError, match="does not parse"):
        dump_to_stream(server, two_tables, out)
    assert b"INSERT INTO" in out.getvalue() and STREAM_END not in out.getvalue()
    assert broken_statements == []


def test_a_dump_sends_every_statement_to_the_validator_process(server, two_tables, tmp_path, monkeypatch):
    real_submit = Validator.submit
    sent: list[tuple[str, str]] = []
    here: list[str] = []

    def submit(self, check, *args, **kwargs):
        sent.append((f"{check.__module__}:{check.__qualname__}", args[1] if len(args) > 1 else ""))
        return real_submit(self, check, *args, **kwargs)

    monkeypatch.setattr(Validator, "submit", submit)
    monkeypatch.setattr(sqltext, "parse_one", here.append)
    dump_to_directory(server, two_tables, tmp_path / "d", DumpOptions(workers=2, validate="all",
                                                                      statement_size=16 << 10))
    chunk_checks = [w for ref, w in sent
                    if ref == "dumpcore.schema.sqltext:_validate_now" and w.startswith("statement in data/")]
    assert len(chunk_checks) > 4  # every statement of both tables, 16 KiB each
    assert here == []  # none parsed in this process


def test_checks_run_in_another_process_and_answer_in_order():
    answers: list = []
    v = Validator()
    v.submit(os.getpid, on_result=answers.append)
    v.submit(sqltext.check_server_ddl, "CREATE TABLE t (a INT)", on_result=answers.append)
    v.submit(sqltext.check_server_ddl, "CREATE TABLE t (a INT", on_result=answers.append)
    v.finish()
    assert answers[0] != os.getpid() and isinstance(answers[0], int)
    assert answers[1] is None and answers[2].startswith("Expecting )")
    assert v.checks == 3


def test_a_failure_is_raised_at_a_later_submit_and_by_finish():
    v = Validator()
    v.submit(sqltext._validate_now, "SELECT 1", "statement", False)
    v.submit(sqltext._validate_now, "SELEC 1 FROM", "statement", False)
    with pytest.raises(GeneratedSQLError, match="generated statement does not parse"):
        for _ in range(500):  # the failure surfaces at a later submit, once the answer is in
            v.submit(sqltext._validate_now, "SELECT 2", "statement", False)
            threading.Event().wait(0.01)
    with pytest.raises(GeneratedSQLError):
        v.finish()


def test_a_validator_process_that_dies_fails_the_checks_it_owed():
    v = Validator()
    v.submit(os.getpid)
    v.finish()
    os.kill(validation._PROCESS.pid, signal.SIGKILL)  # type: ignore[union-attr]
    v = Validator()
    with pytest.raises(DumpcoreError, match="SQL validator process"):
        for _ in range(500):
            v.submit(sqltext._validate_now, "SELECT 1", "statement", False)
            threading.Event().wait(0.01)
        v.finish()
    v = Validator()  # the next dump starts a new one
    v.submit(sqltext._validate_now, "SELECT 1", "statement", False)
    v.finish()
    assert v.checks == 1


class _Silent:
    """A validator process that answers only when told (flow control without timing)."""

    ended = None

    def __init__(self):
        self.sent: list = []

    def send(self, owner, ref, args, size, on_result):
        self.sent.append((owner, size))

    def answer(self):
        owner, size = self.sent.pop(0)
        owner._answered(size, None)


def test_validator_bounds_what_waits_to_be_parsed(monkeypatch):
    silent = _Silent()
    monkeypatch.setattr(validation, "_process", lambda: silent)
    v = Validator(max_pending_bytes=100)
    v.submit(sqltext._validate_now, "x" * 55, "s", False)  # 56 bytes: the text and "s"
    v.submit(sqltext._validate_now, "y" * 29, "s", False)
    blocked = threading.Thread(target=v.submit, args=(sqltext._validate_now, "z" * 29, "s", False))
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()  # 56 + 30 + 30 > 100: waits for the parser
    silent.answer()
    blocked.join(5)
    assert not blocked.is_alive()
    silent.answer()
    silent.answer()
    v.finish()
    assert v.parsed_bytes == 116 and v.checks == 3


def test_the_cli_waits_for_its_validator_process(server, two_tables, tmp_path):
    """Its CPU time counts in the dump's own (a benchmark reads the dump's rusage), and no
    validator is left behind."""
    out = tmp_path / "d"
    dump = subprocess.Popen([str(DUMPCORE), "dump", two_tables, "-o", str(out), "-q", *conn_args(server)])
    _, status, usage = os.wait4(dump.pid, 0)
    dump.returncode = os.waitstatus_to_exitcode(status)
    assert dump.returncode == 0 and (out / "manifest.json").is_file()
    # the validator is a fork of the CLI (same command line): none is left
    left = subprocess.run(["pgrep", "-f", f"dump {two_tables} -o {out}"], capture_output=True, text=True).stdout
    assert left == ""
    assert usage.ru_utime + usage.ru_stime > 0


def test_the_validator_defers_package_metadata_until_it_is_used():
    """sqlglot's import does not pay for importlib.metadata (it needs it only to look up
    plugin dialects by unknown names), and everything still works the same."""
    probe = (
        "import sys\n"
        "from dumpcore.dump import validation\n"
        "from dumpcore.schema import sqltext\n"
        "validation._defer_package_metadata()\n"
        "sqltext.load_parser()\n"
        "print('email' in sys.modules, 'version' in vars(sys.modules['importlib.metadata']))\n"
        "import sqlglot\n"
        "print(sqlglot.parse_one('SELECT 1', read='mysql').sql())\n"
        "try:\n"
        "    sqlglot.parse_one('SELECT 1', read='nosuchdialect')\n"
        "except ValueError as exc:\n"
        "    print(str(exc))\n"
        "from importlib.metadata import version\n"
        "print(version('sqlglot') == sqlglot.__version__)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["False False", "SELECT 1", "Unknown dialect 'nosuchdialect'.", "True"]


def test_a_one_dump_process_ends_its_validator_before_publishing(server, two_tables, tmp_path, monkeypatch):
    """The CLI's dump tells its validator process to end once every check is answered, so
    that the process's exit (its memory given back) overlaps the manifest and the publish
    instead of following them. Seen from inside a dump run as the CLI runs it: when the
    manifest is written, the validator has exited (its reader thread reaped it)."""
    from dumpcore.dump import dump as dump_mod
    from dumpcore.cli.fastpath import parse, runner

    monkeypatch.setattr(validation, "_END_AT_FINISH", False)  # restored after the test
    seen: list[bool] = []
    real_write = dump_mod.write_manifest

    def write_manifest(*args, **kwargs):
        proc = validation._PROCESS
        proc._reader.join(timeout=10)  # type: ignore[union-attr]
        seen.append(not proc._reader.is_alive())  # type: ignore[union-attr]
        return real_write(*args, **kwargs)

    monkeypatch.setattr(dump_mod, "write_manifest", write_manifest)
    out = tmp_path / "d"
    argv = ["dump", two_tables, "-o", str(out), "-q", *conn_args(server)]
    with pytest.raises(SystemExit) as ended:
        runner(*parse(argv), argv)()
    assert ended.value.code == 0 and (out / "manifest.json").is_file()
    assert seen == [True]
    # A later dump in the same process gets a validator of its own.
    dump_to_directory(server, two_tables, tmp_path / "again")
    assert (tmp_path / "again" / "manifest.json").is_file()
