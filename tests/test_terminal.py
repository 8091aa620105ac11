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

from clirun import DUMPCORE, conn_args

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
