"""The test harness itself: its MariaDB does not outlive a run that is stopped."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


_STARTER = '''
import sys, time
from dumpcore.sandbox.sandbox import Sandbox
box = Sandbox(*sys.argv[1:2], tied=True if sys.argv[2:] == ["tied"] else None)
st = box.start()
print(st.pid, st.port, box.root, flush=True)
time.sleep(120)
'''


def _ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (this container's init does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _started_then_killed(tmp_path: Path, *root: str) -> tuple[int, int, Path]:
    """A process that starts a sandbox, killed outright once the server answers."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS.parent), os.environ.get("PYTHONPATH", "")]))
    starter = subprocess.Popen([sys.executable, "-c", _STARTER, *root], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = starter.stdout.readline().split()  # type: ignore[union-attr]
        assert len(line) == 3, line + [starter.communicate(timeout=30)[0]]
        pid, port, box_root = int(line[0]), int(line[1]), Path(line[2])
        assert _listening(port) and not _ended(pid)
    finally:
        starter.kill()
        starter.wait(timeout=30)
    return pid, port, box_root


@pytest.mark.parametrize("how", ["own temp dir", "named, tied"])
def test_a_throwaway_sandbox_ends_with_the_process_that_started_it(tmp_path, how):
    """The tests' and the demo's servers (a sandbox in a temp dir of its own, or in a
    named one with tied=True) get SIGTERM from the kernel when their starter is killed
    with SIGKILL, which no handler can catch."""
    import shutil

    pid, port, box_root = _started_then_killed(tmp_path, *([] if how == "own temp dir"
                                                           else [str(tmp_path / "box"), "tied"]))
    try:
        deadline = time.monotonic() + 60
        while not _ended(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        ended = _ended(pid)
    finally:
        if not _ended(pid):
            os.kill(pid, signal.SIGKILL)  # not left behind by a failing run
        shutil.rmtree(box_root, ignore_errors=True)
    assert ended and not _listening(port)


def test_a_sandbox_in_a_named_directory_outlives_the_command_that_started_it(tmp_path):
    """`dumpcore sandbox start --dir D` leaves a server running for later commands: that
    one is not tied to its starter."""
    from dumpcore.sandbox.sandbox import Sandbox

    named = tmp_path / "box"
    pid, port, _ = _started_then_killed(tmp_path, str(named))
    try:
        time.sleep(2)  # a tied server would be shutting down by now
        assert not _ended(pid) and _listening(port)
    finally:
        Sandbox(named).stop(remove=True)
    assert _ended(pid)
