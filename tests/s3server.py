"""A real S3-compatible server for the tests: moto's standalone server (``moto_server``),
started as its own process on a free port of 127.0.0.1 and stopped at exit, as the
MariaDB sandbox is. Ceph's RADOS Gateway (Debian's ``radosgw``) needs a monitor and an OSD
of a whole Ceph cluster first, more than a test harness brings up reliably; moto is what
s3fs's own test suite uses. DUMPCORE_TEST_S3_ENDPOINT=http://host:port points the tests at
an existing, disposable S3-compatible server instead (buckets are created and left)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

# Recognisable credentials: a test greps every output and file for the secret.
ACCESS_KEY = "dumpcoretestkey"
SECRET_KEY = "SeCrEt-dumpcore-7f3a9c-not-for-output"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """moto's server in a process of its own (killed by its pid at stop)."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.endpoint} within {timeout}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def create_bucket(endpoint: str, name: str) -> None:
    """A new bucket (moto takes an unsigned PUT; a real server is given one already)."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{name}", method="PUT"), timeout=10).close()
