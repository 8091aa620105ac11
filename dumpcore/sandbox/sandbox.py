"""A throwaway MariaDB server from the system ``mariadbd``.

Own temp data dir, own unix socket, a free port on 127.0.0.1; root with no
password. It stops only its own process (the pid it started, checked against the
data dir in its command line). Used by ``dumpcore sandbox``, the tests, the demo
and the benchmarks.

A sandbox in a temp dir of its own (no ``root`` given: the tests', the demo's) is
throwaway: its server gets SIGTERM from the kernel when the thread that started it
ends, so a run killed outright (SIGKILL, an OOM kill) leaves no server running. A
sandbox in a named directory (``dumpcore sandbox start --dir``) is meant to outlive
the command and is not tied, unless ``tied=True`` (the tests' servers in their tmp dirs).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ..connect.connection import ConnectionOptions
from ..errors import ConnectError, SandboxError
from ..records import record

STATE_FILE = "sandbox.json"

# Settings for a disposable server: durability traded for speed, big packets.
SERVER_SETTINGS = (
    "--innodb-buffer-pool-size=1G",
    "--innodb-log-file-size=512M",
    "--innodb-flush-log-at-trx-commit=2",
    "--max-allowed-packet=256M",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    "--max-connections=200",
    "--skip-log-bin",
    "--local-infile=1",  # restore --load-method load-data (LOAD DATA LOCAL INFILE)
)

# A production-like server (issue #22), given after SERVER_SETTINGS (the last of an option
# wins): the binary log on and synced at every commit, InnoDB's log flushed at every
# commit, the doublewrite buffer on -- what a user's server does, and what a restore pays for.
PRODUCTION_SETTINGS = (
    "--log-bin=binlog",
    "--server-id=1",
    "--sync-binlog=1",
    "--innodb-flush-log-at-trx-commit=1",
    "--innodb-doublewrite=1",
)
PROFILES = {"sandbox": (), "production": PRODUCTION_SETTINGS}


def find_program(*names: str) -> str:
    for name in names:
        for d in (None, "/usr/sbin", "/usr/local/sbin", "/usr/bin"):
            path = shutil.which(name, path=d) if d else shutil.which(name)
            if path:
                return path
    raise SandboxError(
        f"{names[0]} not found", hint="install MariaDB (apt-get install mariadb-server) or run `make test` which does"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@record
class SandboxState:
    pid: int
    port: int
    socket: str
    datadir: str
    version: str = ""

    def options(self) -> ConnectionOptions:
        return ConnectionOptions(host="127.0.0.1", port=self.port, user="root", password="", socket=self.socket)

    def socket_options(self) -> ConnectionOptions:
        return ConnectionOptions(host=None, user="root", password="", socket=self.socket)


PR_SET_PDEATHSIG = 1  # prctl(2)


def _ended_with(parent: int):
    """For Popen's ``preexec_fn``: the child gets SIGTERM when the thread that started
    it ends (prctl PR_SET_PDEATHSIG, kept across exec), and exits at once if that
    process is already gone. libc is loaded here, before the fork, not in the child."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def tie() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # it ended before the tie was made
            os._exit(1)

    return tie


class Sandbox:
    """Start, stop and describe one throwaway server living under ``root``."""

    def __init__(self, root: str | os.PathLike | None = None, extra_args: tuple[str, ...] = (),
                 tied: bool | None = None, profile: str = "sandbox"):
        """``tied``: the server ends with the thread that starts it (default: when the
        sandbox is in a temp dir of its own, i.e. no ``root``). ``profile``: ``sandbox``
        (durability traded for speed) or ``production`` (PRODUCTION_SETTINGS)."""
        if profile not in PROFILES:
            raise SandboxError(f"unknown server profile {profile!r}", hint=f"use one of {', '.join(PROFILES)}")
        self._own_root = root is None
        self.tied = self._own_root if tied is None else tied
        # absolute: mariadbd would read a relative data dir from its own base dir (/usr)
        self.root = Path(root).absolute() if root is not None else Path(tempfile.mkdtemp(prefix="dumpcore-sandbox-"))
        self.profile = profile
        self.extra_args = PROFILES[profile] + tuple(extra_args)
        self.state: SandboxState | None = self.read_state()

    # -- state on disk ----------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.root / STATE_FILE

    def read_state(self) -> SandboxState | None:
        try:
            return SandboxState(**json.loads(self.state_path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def is_running(self) -> bool:
        st = self.state
        if st is None:
            return False
        try:
            cmdline = Path(f"/proc/{st.pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        # Only our own process: its command line names our data dir.
        return any(arg == f"--datadir={st.datadir}".encode() for arg in cmdline)

    # -- lifecycle ----------------------------------------------------------
    def start(self, timeout: float = 60.0) -> SandboxState:
        if self.is_running():
            return self.state  # type: ignore[return-value]
        self.root.mkdir(parents=True, exist_ok=True)
        datadir = self.root / "data"
        sock = self.root / "mysqld.sock"
        if len(str(sock)) > 100:
            raise SandboxError(f"socket path too long for a unix socket: {sock}", hint="use a shorter --dir")
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        # Its own temp dir, for the install's bootstrap server as for the server: internal
        # temp tables never share /tmp with other servers or with anything that cleans /tmp
        # (seen: a test server, and then an install, losing a #sql-temptable file).
        tmpdir = self.root / "tmp"
        tmpdir.mkdir(exist_ok=True)
        if not (datadir / "mysql").is_dir():
            shutil.rmtree(datadir, ignore_errors=True)
            install = [
                find_program("mariadb-install-db", "mysql_install_db"),
                "--no-defaults",
                f"--datadir={datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                f"--tmpdir={tmpdir}",  # passed on to the bootstrap server
                *as_root,
            ]
            proc = subprocess.run(install, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SandboxError(f"mariadb-install-db failed: {proc.stderr.strip()[-300:]}")
        port = free_port()
        log = self.root / "error.log"
        args = [
            find_program("mariadbd", "mysqld"),
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={sock}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.root / 'mariadbd.pid'}",
            f"--log-error={log}",
            f"--tmpdir={tmpdir}",
            f"--secure-file-priv={self.root}",
            *as_root,
            *SERVER_SETTINGS,
            *self.extra_args,
        ]
        with open(os.devnull, "rb") as devnull:
            proc = subprocess.Popen(args, stdin=devnull, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True,
                                    preexec_fn=_ended_with(os.getpid()) if self.tied else None)
        state = SandboxState(pid=proc.pid, port=port, socket=str(sock), datadir=str(datadir))
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
                raise SandboxError(f"mariadbd exited with code {proc.returncode}: {' | '.join(tail)}")
            try:
                with state.socket_options().connect() as conn:
                    state.version = conn.server_version
                break
            except ConnectError:
                if time.monotonic() > deadline:
                    proc.kill()
                    raise SandboxError(f"mariadbd did not accept connections within {timeout:.0f}s; see {log}")
                time.sleep(0.1)
        self.state = state
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state.__dict__, indent=2))
        tmp.replace(self.state_path)
        return state

    def stop(self, timeout: float = 60.0, remove: bool | None = None) -> bool:
        """Stop our server if it runs; returns whether it was running."""
        was_running = self.is_running()
        if was_running:
            pid = self.state.pid  # type: ignore[union-attr]
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self.is_running() and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.is_running():
                os.kill(pid, signal.SIGKILL)
            try:  # reap if it is our child
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        self.state_path.unlink(missing_ok=True)
        self.state = None
        if remove if remove is not None else self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)
        return was_running

    @property
    def options(self) -> ConnectionOptions:
        if self.state is None:
            raise SandboxError(f"no sandbox running under {self.root}", hint="run `dumpcore sandbox start`")
        return self.state.options()

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def default_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dumpcore" / "sandbox"
