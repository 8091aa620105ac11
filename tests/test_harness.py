"""The test harness itself: its MariaDB does not outlive a run that is stopped."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent

_SLEEPER = '''
import time
from pathlib import Path

def test_waits_to_be_stopped(server):
    with server.connect() as c:
        pid = Path(c.query_text("SELECT @@pid_file")[0][0]).read_text().strip()
    Path(%r).write_text(f"{server.port} {pid}")
    time.sleep(120)
'''


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_a_run_stopped_by_sigterm_stops_its_server(tmp_path):
    """A CI time limit or `timeout` sends SIGTERM: the session's server is stopped, not
    left running (it was once, using a core, after a hung run was killed)."""
    port_file = tmp_path / "port"
    (tmp_path / "test_sleeper.py").write_text(_SLEEPER % str(port_file))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    env.pop("DUMPCORE_TEST_DSN", None)  # its own sandbox, whatever this run uses
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
                            str(tmp_path / "test_sleeper.py")], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not port_file.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_file.exists(), run.communicate(timeout=10)[0].decode()
        port, pid = (int(x) for x in port_file.read_text().split())
        assert _listening(port)
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
        stopped = not _listening(port)
    finally:
        if run.poll() is None:
            run.kill()
        if port_file.exists() and _listening(int(port_file.read_text().split()[0])):
            os.kill(int(port_file.read_text().split()[1]), signal.SIGKILL)  # not left behind by a failing run
    assert stopped
