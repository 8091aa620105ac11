"""The local S3-compatible server `make bench` runs the object-storage tools against, started
as its own process on a free port of 127.0.0.1 (as tests/s3server.py starts moto for the
tests) and stopped at the end.

``BENCH_S3_SERVER`` picks it: ``moto`` (moto's standalone server, Python; what the tests
use) or ``s3rver`` (npm's s3rver, Node: files on disk under the bench's work directory;
installed by `make bench-s3rver`). bench/README.md, Object storage, has what each costs.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1"}
BUCKET = "bench"
HERE = Path(__file__).resolve().parent
S3RVER = HERE / "node_modules" / ".bin" / "s3rver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """One server process (killed by its pid at stop) and the bucket the bench uses."""

    def __init__(self, work: Path, kind: str | None = None):
        self.kind = kind or os.environ.get("BENCH_S3_SERVER", "moto")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.work = work
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.kind == "moto":
            return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        if self.kind == "s3rver":
            if not S3RVER.exists():
                raise SystemExit("Error: s3rver is not installed; run `make bench-s3rver` (npm install s3rver)")
            root = self.work / "s3rver"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            return [str(S3RVER), "--address", "127.0.0.1", "--port", str(self.port), "--directory", str(root),
                    "--silent", "--configure-bucket", BUCKET]
        raise SystemExit(f"Error: BENCH_S3_SERVER={self.kind}: moto or s3rver")

    def start(self, timeout: float = 30) -> float:
        """Start it; the seconds it took to answer. Its credentials go into this process's
        environment too (the bench lists and deletes dumps on it)."""
        os.environ.update(CREDENTIALS)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the {self.kind} server exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # it answers (403 without credentials)
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f"the {self.kind} server did not answer on {self.endpoint} within {timeout}s")
        started = time.monotonic() - t0
        if self.kind == "moto":  # moto takes an unsigned PUT; s3rver made its bucket at start
            urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/{BUCKET}", method="PUT"), timeout=10).close()
        return started

    def cpu_seconds(self) -> float:
        """The server process's CPU so far (user + system)."""
        if self.proc is None:
            return 0.0
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
