"""The tools under test, each run as a child process and measured the same way.

Wall seconds, the child's own CPU (user + sys) and peak RSS from wait4, and the
server's CPU over the same interval from /proc/<mariadbd>/stat.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dumpcore.connect.connection import ConnectionOptions, quote_ident

TICK = os.sysconf("SC_CLK_TCK")
REPO = Path(__file__).resolve().parents[1]
DUMPCORE = REPO / ".venv" / "bin" / "dumpcore"
GNU_TIME = "/usr/bin/time"  # Debian package `time`


@dataclass
class Run:
    tool: str
    phase: str  # dump | restore
    wall: float
    client_cpu: float
    server_cpu: float
    peak_rss_mb: float
    output_bytes: int
    store_cpu: float | None = None  # the S3 server's CPU over the run (the -s3 tools)


def server_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def measure(argv: list[str], server_pid: int, stdin: Path | None = None, stdout: Path | None = None,
            env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, float, float]:
    """Run argv to completion: (wall, client cpu, server cpu, peak rss MB). Raises on failure.

    CPU and peak RSS come from GNU time, which forks the tool from its own small
    process: a child forked from this (large) Python process would report our RSS,
    because Linux carries the old memory map's high-water mark across exec.
    """
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    stats = tempfile.NamedTemporaryFile(prefix="bench-time-", suffix=".txt", delete=False)
    stats.close()
    try:
        s0 = server_cpu_seconds(server_pid)
        t0 = time.perf_counter()
        proc = subprocess.run([GNU_TIME, "-f", "%U %S %M", "-o", stats.name, *argv], stdin=fin, stdout=fout,
                              stderr=subprocess.PIPE, env=env, cwd=cwd)
        wall = time.perf_counter() - t0
        s1 = server_cpu_seconds(server_pid)
        fields = Path(stats.name).read_text().split()
    finally:
        if stdin:
            fin.close()  # type: ignore[union-attr]
        if stdout:
            fout.close()  # type: ignore[union-attr]
        os.unlink(stats.name)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-800:]}")
    user, system, rss_kb = float(fields[-3]), float(fields[-2]), int(fields[-1])
    return wall, user + system, s1 - s0, rss_kb / 1024


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Tools:
    """Command lines for every tool against one server."""

    def __init__(self, options: ConnectionOptions, server_pid: int, work: Path, source_db: str, s3=None):
        self.o = options
        self.pid = server_pid
        self.work = work
        self.db = source_db
        self.env = options.client_env()
        self.s3 = s3  # bench/s3.py's S3Server, for the -s3 tools
        self._s3_runs = 0

    def _s3_env(self, cache: Path) -> dict:
        """The S3 server's credentials, and a cache of dumpcore's own (staging, fetched copies)."""
        from .s3 import CREDENTIALS

        return {**(self.env or os.environ), **CREDENTIALS, "DUMPCORE_CACHE_DIR": str(cache)}

    def s3_url(self, tool: str) -> str:
        from .s3 import BUCKET

        self._s3_runs += 1
        return f"s3://{BUCKET}/{tool}-{self._s3_runs}"

    def forget_s3(self, url: str) -> None:
        """Delete a dump from the S3 server (an in-memory server would hold every run's)."""
        from dumpcore.store.objectstore import open_location

        loc = open_location(url, self.s3.endpoint)
        loc.delete(sorted(loc.list()))

    def _conn_args(self) -> list[str]:
        return ["-h", "127.0.0.1", "-P", str(self.o.port), "-u", self.o.user or "root"]

    def _fresh(self, path: Path) -> Path:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        return path

    # -- dumps ----------------------------------------------------------------------
    def dump(self, tool: str) -> tuple[Run, Path | str]:
        if tool.startswith("dumpcore") and tool.endswith("-s3"):
            # dumpcore-wN-s3: -o s3://bench/... on the local S3 server, the staging cache fresh
            workers = tool.split("-w", 1)[1].split("-")[0]
            url = self.s3_url(tool)
            cache = self._fresh(self.work / "s3-cache")
            env = self._s3_env(cache)
            argv = [str(DUMPCORE), "dump", self.db, "-o", url, "--endpoint-url", self.s3.endpoint, "-q",
                    "--workers", workers, *self._conn_args()]
            s0 = self.s3.cpu_seconds()
            wall, cpu, scpu, rss = measure(argv, self.pid, env=env)
            store_cpu = self.s3.cpu_seconds() - s0
            shutil.rmtree(cache, ignore_errors=True)
            from dumpcore.store.objectstore import open_location

            stored = open_location(url, self.s3.endpoint).list()
            return Run(tool, "dump", wall, cpu, scpu, rss, sum(stored.values()), store_cpu), url
        if tool.startswith("dumpcore"):
            # dumpcore-wN, dumpcore-wN-zstd (--compress zstd, level 3)
            workers = tool.split("-w", 1)[1].split("-")[0] if "-w" in tool else "1"
            compress = ["--compress", "zstd"] if tool.endswith("-zstd") else []
            env = self.env
            if tool.endswith("-subset"):  # a tenth of the customers and everything they need (~9% of the rows)
                compress = ["--subset", "customers:id % 10 = 0"]
            elif tool.endswith("-masked"):  # customers' id (orders.customer_id follows), e-mail and name masked
                compress = ["--mask", "customers.id=hash", "--mask", "customers.email=email",
                            "--mask", "customers.name=name"]
                env = {**(env or os.environ), "DUMPCORE_MASK_KEY": "bench-only secret, 32 bytes long!"}
            out = self._fresh(self.work / f"dump-{tool}")
            argv = [str(DUMPCORE), "dump", self.db, "-o", str(out), "-q", "--workers", workers, *compress,
                    *self._conn_args()]
            wall, cpu, scpu, rss = measure(argv, self.pid, env=env)
        elif tool.startswith("mydumper"):
            threads = tool.rsplit("-t", 1)[1]
            out = self._fresh(self.work / f"dump-{tool}")
            # mydumper 0.10 (Debian 12) has no --hex-blob: it writes binary under SET NAMES binary
            argv = ["mydumper", "-B", self.db, "-o", str(out), "-t", threads, "-r", "100000", "--trx-consistency-only",
                    "-h", "127.0.0.1", "-P", str(self.o.port), "-u", self.o.user or "root"]
            wall, cpu, scpu, rss = measure(argv, self.pid, env=self.env)
        elif tool == "mariadb-dump":
            out = self._fresh(self.work / "dump-mariadb-dump.sql")
            argv = ["mariadb-dump", "--single-transaction", "--quick", "--hex-blob", "--host=127.0.0.1",
                    f"--port={self.o.port}", f"--user={self.o.user or 'root'}", self.db]
            wall, cpu, scpu, rss = measure(argv, self.pid, stdout=out, env=self.env)
        else:
            raise ValueError(tool)
        return Run(tool, "dump", wall, cpu, scpu, rss, tree_bytes(out)), out

    # -- restores -------------------------------------------------------------------
    def restore(self, tool: str, dumps: dict[str, Path], target: str, load_data_dir: Path) -> Run:
        q = quote_ident(target)
        with self.o.connect() as c:
            c.execute(f"DROP DATABASE IF EXISTS {q}")
        if tool.startswith("dumpcore") and tool.endswith("-s3"):
            # dumpcore-pN-s3: from the S3 dump's URL, a fresh cache each run (the whole dump fetched)
            n = tool.split("-p", 1)[1].split("-")[0]
            url = dumps["dumpcore-s3"]
            cache = self._fresh(self.work / "s3-cache")
            argv = [str(DUMPCORE), "restore", str(url), "--endpoint-url", self.s3.endpoint, "--database", target,
                    "--parallel", n, "-q", *self._conn_args()]
            s0 = self.s3.cpu_seconds()
            wall, cpu, scpu, rss = measure(argv, self.pid, env=self._s3_env(cache))
            store_cpu = self.s3.cpu_seconds() - s0
            size = tree_bytes(cache / "fetched")
            shutil.rmtree(cache, ignore_errors=True)
            return Run(tool, "restore", wall, cpu, scpu, rss, size, store_cpu)
        elif tool.startswith("dumpcore"):
            # dumpcore-pN restores the plain dump, dumpcore-pN-zstd the compressed one,
            # dumpcore-pN-noproof the plain one with --no-verify (the proof's cost: the difference),
            # dumpcore-pN-skipbinlog with --skip-binlog (a server with the binary log on)
            n = tool.split("-p", 1)[1].split("-")[0]
            src = dumps["dumpcore-zstd" if tool.endswith("-zstd") else "dumpcore"]
            for leftover in ("journal", "rejects"):
                shutil.rmtree(src / leftover, ignore_errors=True)
            argv = [str(DUMPCORE), "restore", str(src), "--database", target, "--parallel", n, "-q",
                    *(["--no-verify"] if tool.endswith("-noproof") else []),
                    *(["--skip-binlog"] if tool.endswith("-skipbinlog") else []), *self._conn_args()]
            wall, cpu, scpu, rss = measure(argv, self.pid, env=self.env)
            size = tree_bytes(src / "data")
        elif tool.startswith("myloader"):
            n = tool.rsplit("-t", 1)[1]
            argv = ["myloader", "-d", str(dumps["mydumper"]), "-B", target, "-t", n, "-o", "-h", "127.0.0.1",
                    "-P", str(self.o.port), "-u", self.o.user or "root"]
            wall, cpu, scpu, rss = measure(argv, self.pid, env=self.env)
            size = tree_bytes(dumps["mydumper"])
        elif tool == "mariadb-client":
            with self.o.connect() as c:
                c.execute(f"CREATE DATABASE {q}")
            argv = self.o.client_command("mariadb", target)
            argv.insert(1, "--max-allowed-packet=256M")
            wall, cpu, scpu, rss = measure(argv, self.pid, stdin=dumps["mariadb-dump"], env=self.env)
            size = tree_bytes(dumps["mariadb-dump"])
        elif tool == "load-data-infile":
            with self.o.connect() as c:
                c.execute(f"CREATE DATABASE {q}")
                c.execute(f"USE {q}")
                c.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
                for (name,) in c.query_text(f"SHOW TABLES FROM {quote_ident(self.db)}"):
                    ddl = c.query_text(f"SHOW CREATE TABLE {quote_ident(self.db)}.{quote_ident(name)}")[0][1]
                    c.execute(ddl)
            script = "SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0;\n" + "".join(
                f"LOAD DATA INFILE '{f}' INTO TABLE {quote_ident(f.stem)} CHARACTER SET binary;\n"
                for f in sorted(load_data_dir.glob("*.tsv")))
            script_path = self.work / "load-data.sql"
            script_path.write_text(script)
            argv = self.o.client_command("mariadb", target)
            wall, cpu, scpu, rss = measure(argv, self.pid, stdin=script_path, env=self.env)
            size = tree_bytes(load_data_dir)
        else:
            raise ValueError(tool)
        return Run(tool, "restore", wall, cpu, scpu, rss, size)

    def export_tsv(self, directory: Path) -> None:
        """SELECT ... INTO OUTFILE once, for the LOAD DATA ceiling (the server writes the files)."""
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o777)
        with self.o.connect() as c:
            for (name,) in c.query_text(f"SHOW TABLES FROM {quote_ident(self.db)}"):
                path = directory / f"{name}.tsv"
                if path.exists():
                    path.unlink()
                c.execute(f"SELECT * INTO OUTFILE '{path}' CHARACTER SET binary FROM "
                          f"{quote_ident(self.db)}.{quote_ident(name)}")
