"""Run the installed CLI as a user would: a subprocess, its exit code and both streams."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DUMPCORE = Path(sys.executable).with_name("dumpcore")


def conn_args(options) -> list[str]:
    args = []
    if options.host:
        args += ["-h", options.host]
    if options.port:
        args += ["-P", str(options.port)]
    if options.user:
        args += ["-u", options.user]
    if options.socket and not options.host:
        args += ["-S", options.socket]
    return args


def dumpcore(*args: str, env: dict | None = None, input: bytes | None = None, cwd=None,
             stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([str(DUMPCORE), *args], capture_output=stdout is subprocess.PIPE,
                          stdout=None if stdout is subprocess.PIPE else stdout, input=input, env=full_env,
                          cwd=cwd, timeout=600)
