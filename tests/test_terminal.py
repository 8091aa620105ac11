"""What a person sees in a terminal: the CLI run under a pseudo terminal (so the progress
bar is on), 80 columns wide. Ctrl-C ends a slow compressed dump at once, with nothing
drawn after its Error line; progress and summaries fit 80 columns."""
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time

import pytest

from clirun import DUMPCORE, conn_args, dumpcore

WIDTH = 80
_ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class TerminalRun:
    """A dumpcore command whose stdout and stderr are a pseudo terminal of WIDTH columns
    (stdin is /dev/null: nothing here reads the terminal); what it wrote is collected on
    a thread, with the time each piece arrived."""

    def __init__(self, args: list[str], env: dict | None = None):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, WIDTH, 0, 0))
        full_env = {**os.environ, "COLUMNS": str(WIDTH), "LINES": "30", "TERM": "xterm-256color", **(env or {})}
        self.proc = subprocess.Popen([str(DUMPCORE), *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                                     env=full_env)
        os.close(slave)
        self._master = master
        self.pieces: list[tuple[float, bytes]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            self.pieces.append((time.monotonic(), data))

    def wait(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        os.close(self._master)
        return code

    @property
    def raw(self) -> bytes:
        return b"".join(p for _, p in self.pieces)

    def lines(self) -> list[str]:
        """What a person reads: escape sequences dropped, each redraw (CR) a line of its own."""
        text = _ESCAPE.sub(b"", self.raw).decode("utf-8", "replace")
        return [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def _big_table(server, db: str, rows: int) -> None:
    with server.connect(db) as c:
        c.execute("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))")
        c.execute(f"INSERT INTO big SELECT seq, CONCAT(MD5(seq), SHA1(seq), MD5(seq * 7)) FROM seq_1_to_{rows}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_ends_a_zstd_19_dump_at_once_with_nothing_drawn_after_the_error(server, db, tmp_path, workers):
    _big_table(server, db, 400_000)  # ~45 MB of SQL: zstd -19 takes far longer than the test waits
    out = tmp_path / "dump"
    run = TerminalRun(["dump", db, "-o", str(out), "--compress", "zstd:19", "-w", workers, *conn_args(server)])
    deadline = time.monotonic() + 60
    while not any(tmp_path.glob(".dump*/data/.*tmp")) and time.monotonic() < deadline and run.proc.poll() is None:
        time.sleep(0.01)
    time.sleep(1.0)  # the rows stream and zstd is busy compressing
    assert run.proc.poll() is None, "the dump ended before it could be interrupted"
    sent = time.monotonic()
    run.proc.send_signal(signal.SIGINT)
    code = run.wait()
    took = time.monotonic() - sent
    assert code == 130
    assert took < 2.0, f"Ctrl-C took {took:.1f} s to end the dump"
    raw = run.raw
    errors = [m.start() for m in re.finditer(rb"Error: ", raw)]
    assert len(errors) == 1, raw[-2000:]
    after = raw[errors[0]:]
    # the Error line is the last thing written: no progress bar redrawn after it
    assert after.rstrip(b"\r\n").replace(b"\x1b[?25h", b"") == \
        b"Error: interrupted; nothing was kept (the partial dump directory was removed)", after
    assert list(tmp_path.iterdir()) == []


# -- 80 columns -----------------------------------------------------------------------

LONG = "customer_order_line_items_with_their_shipping_history_archive"  # 61 characters


def _assert_fits(lines: list[str], what: str) -> None:
    long = [line for line in lines if len(line) > WIDTH]
    assert not long, f"{what}: lines longer than {WIDTH} columns:\n" + "\n".join(long)


@pytest.fixture
def long_names(server, db):
    """Tables whose names are longer than a summary line leaves them, one of them large
    enough for numbers in the millions of bytes, and a column of 2,000 distinct values."""
    with server.connect(db) as c:
        c.execute(f"CREATE TABLE {LONG} (id INT PRIMARY KEY, customer INT NOT NULL, note VARCHAR(100))")
        c.execute(f"INSERT INTO {LONG} SELECT seq, seq % 2000, CONCAT(MD5(seq), MD5(seq + 1)) FROM seq_1_to_150000")
        c.execute(f"CREATE TABLE {LONG}_2 (id INT PRIMARY KEY)")
        c.execute(f"INSERT INTO {LONG}_2 SELECT seq FROM seq_1_to_10")
        c.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    return db


def test_progress_and_summaries_fit_80_columns(server, long_names, tmp_path, monkeypatch):
    db = long_names
    conn = conn_args(server)
    monkeypatch.chdir(tmp_path)  # short relative paths: a path is printed whole, the test is about the rest
    dump = TerminalRun(["dump", db, "-o", "d", "--compress", "zstd", "--chunk-size", "1MiB",
                        "--stats", f"{LONG}.customer", *conn])
    assert dump.wait() == 0, dump.raw.decode()[-3000:]
    lines = dump.lines()
    _assert_fits(lines, "dump")
    assert any("rows" in line and "MiB" in line and "━" in line for line in lines), "no progress bar was drawn"
    assert not any(re.search(r"\d (kB|MB|GB)\b", line) for line in lines)  # binary units, as in the summary
    assert any(line.startswith("customer_order_line") and "…" in line for line in lines)  # cut in the middle
    stats = [line for line in lines if re.match(r"\s+\d+\s+[\d,]+$", line)]
    assert len(stats) == 20  # the 20 values with the most rows, not 2,000 lines
    assert any(re.match(r"\s+other\s+[\d,]+\s+\(1,980 more values: see the manifest\)$", line) for line in lines)
    copy = "terminal_copy"  # short: a database name in a sentence is printed whole, as a path is
    restore = TerminalRun(["restore", "d", "-D", copy, "--parallel", "2", *conn])
    try:
        assert restore.wait() == 0, restore.raw.decode()[-3000:]
        _assert_fits(restore.lines(), "restore")
        assert any("chunks loaded" in line for line in restore.lines())
        verify = TerminalRun(["verify", "d"])
        assert verify.wait() == 0
        _assert_fits(verify.lines(), "verify")
        against = TerminalRun(["verify", "d", "--against", copy, *conn])
        assert against.wait() == 0
        _assert_fits(against.lines(), "verify --against")
    finally:
        with server.connect() as c:
            c.execute(f"DROP DATABASE IF EXISTS {copy}")


def test_summary_layout_at_80_columns_keeps_numbers_whole(monkeypatch):
    from dumpcore.cli.commands import restore_summary_lines

    monkeypatch.setenv("COLUMNS", "80")
    table = {"name": LONG * 2, "expected": 123_456_789, "rows": 123_456_789, "rejected": 12_345, "live": 123_456_789,
             "seconds": 12345.67, "short": 0, "extra": 0}
    d = {"tables": [table, {**table, "name": "t", "short": 5}], "total_rows": 246_913_578, "total_rejected": 24_690,
         "rows_per_second": 1_234_567, "seconds": 23456.78, "loaded_chunks": 123_456, "skipped_chunks": 0}
    lines = restore_summary_lines(d)
    _assert_fits(lines, "restore summary")
    assert all("123,456,789" in line for line in lines[1:3]) and "12345.67" in lines[1]
    assert lines[1].startswith("customer_o") and "…" in lines[1] and lines[1].split()[0].endswith("archive")
    assert "(1,234,567 rows/s; 123,456 chunks loaded, 0 already committed)" in lines
    assert "`t`: SHORT by 5" in lines


def test_a_summary_of_many_tables_lists_the_largest_and_every_problem_and_counts_the_rest(monkeypatch):
    """50,000 tables would be 50,000 summary lines: a summary lists TABLES_SHOWN of them (on
    a restore, every table with a problem first, then the largest) in their own order, one
    line sums the rest, and the total is that of every table."""
    from dumpcore.cli.commands import TABLES_SHOWN, dump_summary_lines, restore_summary_lines
    from dumpcore.dump.chunks import ChunkInfo, TableResult
    from dumpcore.dump.dump import DumpSummary

    monkeypatch.setenv("COLUMNS", "80")
    n = 5_000
    rows = [i * 37 % 101 for i in range(n)]
    results = [TableResult(f"t{i:05d}", rows=r, bytes=100 * r + i % 7,
                           chunks=[ChunkInfo(f"data/t{i:05d}.00001.sql", f"t{i:05d}", 1, r, 100 * r)], seconds=0.01)
               for i, r in enumerate(rows)]
    lines = dump_summary_lines(DumpSummary("db", "d", "", results, 12.5, 1 << 20))
    _assert_fits(lines, "dump summary")
    names = [line.split()[0] for line in lines[1:TABLES_SHOWN + 1]]
    largest = sorted(results, key=lambda t: -t.bytes)[:TABLES_SHOWN]
    assert names == sorted(t.table for t in largest)  # the largest, in the dump's order
    more = lines[TABLES_SHOWN + 1]
    assert more.startswith(f"({n - TABLES_SHOWN:,} more tables)")
    assert f"{sum(rows) - sum(t.rows for t in largest):,}" in more.split(")")[1].split()
    assert lines[TABLES_SHOWN + 2].split()[:2] == ["total", f"{sum(rows):,}"]
    assert len(lines) == TABLES_SHOWN + 3  # header, tables, the rest, total (no statement sizes here)

    tables = [{"name": f"t{i:05d}", "expected": r, "rows": r, "rejected": 0, "live": r, "seconds": 0.01,
               "short": 0, "extra": 0} for i, r in enumerate(rows)]
    tables[10] = {**tables[10], "rows": 0, "live": 0, "short": tables[10]["expected"]}  # small tables with problems
    tables[11] = {**tables[11], "live": tables[11]["rows"] + 1, "extra": 1}
    tables[12] = {**tables[12], "rejected": 2}
    d = {"tables": tables, "total_rows": sum(t["rows"] for t in tables), "total_rejected": 2,
         "rows_per_second": 1000, "seconds": 12.5, "loaded_chunks": n, "skipped_chunks": 0}
    lines = restore_summary_lines(d)
    _assert_fits(lines, "restore summary")
    listed = [line.split()[0] for line in lines[1:TABLES_SHOWN + 1]]
    assert {"t00010", "t00011", "t00012"} <= set(listed) and listed == sorted(listed)
    assert lines[TABLES_SHOWN + 1].startswith(f"({n - TABLES_SHOWN:,} more tables)")
    assert lines[TABLES_SHOWN + 2].split()[:3] == ["total", f"{sum(rows):,}", f"{d['total_rows']:,}"]
    assert f"`t00010`: SHORT by {rows[10]}" in lines and "`t00011`: +1 beyond the dump" in lines
    small = restore_summary_lines({**d, "tables": tables[:TABLES_SHOWN]})  # up to TABLES_SHOWN: every one
    assert [line.split()[0] for line in small[1:TABLES_SHOWN + 1]] == [t["name"] for t in tables[:TABLES_SHOWN]]
    assert small[TABLES_SHOWN + 1].startswith("total")


def test_a_table_dumped_by_two_workers_takes_no_longer_than_the_dump(server, db, tmp_path, monkeypatch):
    from dumpcore.dump import dump as dump_module
    from dumpcore.dump.dump import DumpOptions, dump_to_directory

    monkeypatch.setattr(dump_module, "SPLIT_BYTES", 1 << 20)  # a test-sized table is read in key ranges
    _big_table(server, db, 200_000)
    with server.connect(db) as c:
        c.execute("ANALYZE TABLE big")
    summary = dump_to_directory(server, db, tmp_path / "d", DumpOptions(workers=2))
    big = next(t for t in summary.tables if t.table == "big")
    assert len(big.chunks) >= 4  # read in parts, side by side
    for t in summary.tables:  # a sum of the parts' times would exceed the dump's
        assert t.seconds <= summary.seconds, (t.table, t.seconds, summary.seconds)


# -- the words of the summaries ---------------------------------------------------------


def test_plan_of_a_ddl_file_counts_in_words_and_names_the_file(tmp_path):
    ddl = tmp_path / "shop.sql"
    ddl.write_text("CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT PRIMARY KEY, a_id INT,"
                   " FOREIGN KEY (a_id) REFERENCES a (id));\nCREATE VIEW v AS SELECT id FROM a;\n")
    proc = dumpcore("plan", "--ddl", str(ddl))
    assert proc.returncode == 0, proc.stderr.decode()
    first = proc.stdout.decode().splitlines()[0]
    assert first == f"{ddl} (ddl): 2 tables, 1 view, 0 cycles"


def test_verify_names_a_missing_chunk_and_counts_only_what_it_checked(server, world, tmp_path):
    from dumpcore.store.manifest import read_manifest

    d = tmp_path / "d"
    assert dumpcore("dump", world, "-o", str(d), "--chunk-size", "16KiB", "-q", *conn_args(server)).returncode == 0
    chunks = [c for _, c in read_manifest(d).chunks()]
    gone = chunks[1]
    (d / gone["file"]).unlink()
    proc = dumpcore("verify", str(d))
    out = proc.stdout.decode()
    assert proc.returncode == 1
    want = sum(c["bytes"] for c in chunks) - gone["bytes"]
    assert f"{len(chunks) - 1:,} chunks, {want:,} bytes checked in " in out
    assert f"; 1 listed file missing: {gone['file']}" in " ".join(out.split())
    assert proc.stderr.decode() == f"Error: 1 problem in {d}: {gone['file']}\n"
    _assert_fits(out.splitlines()[1:], "verify")  # the BAD line names the file and says what is wrong


def test_an_unreadable_manifest_is_named_once(tmp_path):
    d = tmp_path / "bad4"
    d.mkdir()
    (d / "manifest.json").write_text('{"format": ')
    proc = dumpcore("verify", str(d))
    assert proc.returncode == 1
    bad = proc.stdout.decode().splitlines()[0]
    assert bad.startswith("BAD manifest: manifest.json: not valid JSON"), bad
    assert bad.count("manifest.json") == 1
    restore = dumpcore("restore", str(d), "-h", "127.0.0.1", "-P", "1")
    assert restore.stderr.decode().count("manifest.json") == 1, restore.stderr.decode()
    (d / "manifest.json").write_bytes(b"\xff\xfe")
    for command in (["verify", str(d)], ["restore", str(d), "-h", "127.0.0.1", "-P", "1"], ["cat", str(d)]):
        err = dumpcore(*command).stderr.decode()
        assert err.startswith("Error: ") and err.count("\n") == 1 and err.count("manifest.json") == 1, err
    (d / "manifest.json").unlink()
    (d / "manifest.json").mkdir()
    proc = dumpcore("verify", str(d))
    assert proc.stdout.decode().splitlines()[0] == "BAD manifest: manifest.json: cannot be read (Is a directory)"
    assert proc.stderr.decode() == f"Error: 1 problem in {d}: manifest.json\n"


def test_restore_parallel_0_means_one_connection_per_core_as_dump_workers_0(server, world, tmp_path, db):
    d = tmp_path / "d"
    assert dumpcore("dump", world, "-o", str(d), "-q", *conn_args(server)).returncode == 0
    proc = dumpcore("restore", str(d), "-D", db, "--parallel", "0", "-q", *conn_args(server))
    assert proc.returncode == 0, proc.stderr.decode()
    bad = dumpcore("restore", str(d), "-D", db, "--parallel", "-1", *conn_args(server))
    assert bad.returncode == 2
    assert bad.stderr.decode() == "Error: --parallel takes 0 (one connection per CPU core) or more, not -1\n"


def test_help_shows_every_command_description_whole():
    from dumpcore.cli.app import app, sandbox_app

    import inspect

    text = " ".join(dumpcore("--help").stdout.decode().split())
    sandbox = " ".join(dumpcore("sandbox", "--help").stdout.decode().split())
    assert text.count("...") == sandbox.count("...") == 1  # only "[ARGS]..." of the usage line
    for group, shown in ((app, text), (sandbox_app, sandbox)):
        for info in group.registered_commands:
            whole = " ".join(inspect.getdoc(info.callback).split("\n\n")[0].split())
            assert whole in shown, whole


def test_a_long_warning_is_broken_between_words_for_a_person_and_one_line_for_a_pipe(server, db, tmp_path,
                                                                                    monkeypatch):
    """A restore's warning longer than the terminal: under a terminal its words are laid out
    in lines of at most 80 columns (the terminal would cut them anywhere); through a pipe it
    stays one line, the same words."""
    child = "order_line_items_of_the_northern_region_2026"
    with server.connect(db) as c:
        c.execute("CREATE TABLE purchase_orders_of_the_northern_region (id INT PRIMARY KEY)")
        c.execute(f"CREATE TABLE {child} (id INT PRIMARY KEY, o INT, CONSTRAINT fk_o FOREIGN KEY (o) REFERENCES "
                  "purchase_orders_of_the_northern_region (id))")
    monkeypatch.chdir(tmp_path)  # a short relative path: a path is printed whole, the test is about the rest
    d = "d"
    assert dumpcore("dump", db, "-o", d, "-q", *conn_args(server)).returncode == 0
    piped = dumpcore("restore", d, "-D", f"{db}_p", "--tables", child, *conn_args(server))
    assert piped.returncode == 0, piped.stderr.decode()
    [one] = [line for line in piped.stderr.decode().splitlines() if line.startswith("Warning: ")]
    assert len(one) > WIDTH
    run = TerminalRun(["restore", d, "-D", f"{db}_t", "--tables", child, *conn_args(server)])
    try:
        assert run.wait() == 0, run.raw.decode()[-2000:]
        lines = run.lines()
        _assert_fits(lines, "restore")
        start = next(i for i, line in enumerate(lines) if line.startswith("Warning: "))
        parts = [lines[start]] + [line for line in lines[start + 1:start + 4] if line.startswith("  ")]
        assert len(parts) > 1 and " ".join(p.strip() for p in parts) == one
    finally:
        with server.connect() as c:
            c.execute(f"DROP DATABASE IF EXISTS {db}_p")
            c.execute(f"DROP DATABASE IF EXISTS {db}_t")
