"""Validation off the critical path (dumpcore.validation): checks run on their own thread,
and a failure found there still fails the dump before anything is published."""
import io
import threading

import pytest

from dumpcore import chunks, sqltext
from dumpcore.chunks import STREAM_END
from dumpcore.dump import DumpOptions, dump_to_directory, dump_to_stream
from dumpcore.errors import GeneratedSQLError
from dumpcore.validation import Validator


@pytest.fixture
def broken_statements(monkeypatch):
    """Every generated INSERT loses its closing parenthesis of the column list (a bug the
    checks must catch); records the thread each check ran on."""
    real_parts = chunks.statement_parts
    real_check = sqltext._validate_now
    threads: list[str] = []

    def parts(*args, **kwargs):
        head, tail = real_parts(*args, **kwargs)
        return head.replace(b") VALUES\n", b" VALUES\n"), tail

    def check(sql, what, allow_command):
        threads.append(threading.current_thread().name)
        return real_check(sql, what, allow_command)

    monkeypatch.setattr(chunks, "statement_parts", parts)
    monkeypatch.setattr(sqltext, "_validate_now", check)
    return threads


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
    with pytest.raises(GeneratedSQLError, match=r"generated statement in data/\w\.(part0000\.)?00001\.sql does not parse"):
        dump_to_directory(server, two_tables, out, DumpOptions(workers=workers))
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no dump, no partial directory
    assert broken_statements and set(broken_statements) == {"dumpcore-validate"}
    assert not [t for t in threading.enumerate() if t.name.startswith(("dumpcore-validate", "dump-worker"))]


def test_a_failure_found_by_the_background_thread_ends_a_stream_without_its_end_line(
        server, two_tables, broken_statements):
    out = io.BytesIO()
    with pytest.raises(GeneratedSQLError, match="does not parse"):
        dump_to_stream(server, two_tables, out)
    assert b"INSERT INTO" in out.getvalue() and STREAM_END not in out.getvalue()
    assert set(broken_statements) == {"dumpcore-validate"}


def test_a_dump_checks_every_statement_on_the_background_thread(server, two_tables, tmp_path, monkeypatch):
    real_check = sqltext._validate_now
    seen: list[tuple[str, str]] = []

    def check(sql, what, allow_command):
        seen.append((threading.current_thread().name, what))
        return real_check(sql, what, allow_command)

    monkeypatch.setattr(sqltext, "_validate_now", check)
    dump_to_directory(server, two_tables, tmp_path / "d", DumpOptions(workers=2, validate="all",
                                                                      statement_size=16 << 10))
    chunk_checks = [w for _, w in seen if w.startswith("statement in data/")]
    assert len(chunk_checks) > 4  # every statement of both tables, 16 KiB each
    assert {name for name, _ in seen} == {"dumpcore-validate"}


def test_validator_runs_checks_in_order_and_raises_the_first_failure_on_the_next_submit():
    done: list[int] = []
    v = Validator()
    v.submit(done.append, 1)
    v.submit(sqltext.validate, "SELEC 1 FROM", "statement")
    gate = threading.Event()
    v.submit(gate.wait, 5)
    gate.set()
    with pytest.raises(GeneratedSQLError, match="generated statement does not parse"):
        for _ in range(200):  # the failure surfaces at a later submit, once the thread got there
            v.submit(done.append, 2)
            threading.Event().wait(0.01)
    with pytest.raises(GeneratedSQLError):
        v.finish()
    assert done[0] == 1


def test_validator_bounds_what_waits_to_be_parsed():
    gate = threading.Event()
    v = Validator(max_pending_bytes=100)
    v.submit(lambda text: gate.wait(5), "x" * 60)  # blocks the thread while holding 60 bytes
    v.submit(len, "y" * 30)
    blocked = threading.Thread(target=v.submit, args=(len, "z" * 30))
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()  # 60 + 30 + 30 > 100: waits for the parser
    gate.set()
    blocked.join(5)
    assert not blocked.is_alive()
    v.finish()
    assert v.parsed_bytes == 120
