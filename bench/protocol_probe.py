"""Issue #22's lever "the binary protocol for the dump's SELECTs": what reading a table
costs the server and the client library through the text protocol (what dumpcore reads)
against the binary protocol (prepared statements), before any encoding. Builds
bench/protocol_probe.c with the C compiler and ``mariadb_config``, then alternates the two
over each table, median of the rounds.

    python -m bench.protocol_probe --server SOCKET|HOST:PORT --database DB [--user root] [--rounds 5] TABLE...

The server's CPU is read from /proc of this machine's mariadbd (give --pid when it runs
more than one); measure with nothing else running."""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.tools import measure

SOURCE = Path(__file__).with_name("protocol_probe.c")


def build(out: Path) -> Path:
    flags = subprocess.run(["mariadb_config", "--cflags", "--libs"], capture_output=True, text=True, check=True)
    binary = out / "protocol_probe"
    subprocess.run(["cc", "-O2", "-o", str(binary), str(SOURCE), *shlex.split(flags.stdout)], check=True)
    return binary


def server_pid() -> int:
    pids = subprocess.run(["pgrep", "-x", "mariadbd"], capture_output=True, text=True).stdout.split()
    if len(pids) != 1:
        sys.exit(f"Error: {len(pids)} mariadbd processes running; give the server's with --pid")
    return int(pids[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="the socket's path, or HOST:PORT")
    ap.add_argument("--database", required=True)
    ap.add_argument("--user", default="root")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pid", type=int)
    ap.add_argument("tables", nargs="+")
    a = ap.parse_args()
    pid = a.pid or server_pid()
    with tempfile.TemporaryDirectory() as tmp:
        probe = build(Path(tmp))
        print("| table | protocol | wall s | client CPU s | server CPU s | client + server s |")
        print("| --- | --- | --- | --- | --- | --- |")
        for table in a.tables:
            runs: dict[str, list[tuple[float, float, float]]] = {"text": [], "binary": []}
            for _ in range(a.rounds):
                for mode in runs:
                    argv = [str(probe), mode, a.server, a.user, a.database, f"SELECT * FROM `{table}`"]
                    wall, client, server, _ = measure(argv, pid)
                    runs[mode].append((wall, client, server))
            for mode, got in runs.items():
                wall, client, server = (statistics.median(x[i] for x in got) for i in range(3))
                print(f"| {table} | {mode} | {wall:.3f} | {client:.3f} | {server:.3f} | {client + server:.3f} |",
                      flush=True)


if __name__ == "__main__":
    main()
