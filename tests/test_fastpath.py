"""The typer-free fast path of dump, restore and verify (issue #11, start-up): its option
table is the typer commands' own, it reads a command line exactly as typer does or leaves
it to typer, and nothing heavy is loaded before the first server round trip."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dumpcore.cli import commands, fastgen
from dumpcore.cli.connect import normalize_password_args
from dumpcore.cli.fastpath import parse

HEAVY = ("typer", "click", "rich", "pydantic", "pydantic_core", "sqlglot")


def test_fastspec_is_generated_from_the_typer_commands():
    """cli/fastspec.py is what cli/fastgen.py makes of cli/app.py now: `make fastspec` after
    changing an option of dump, restore or verify."""
    assert fastgen.SPEC_PATH.read_text() == fastgen.render(fastgen.build_spec()), "stale: run `make fastspec`"


def typer_parse(monkeypatch, argv: list[str]) -> tuple[str, dict]:
    """What the typer app passes to the command body for this command line."""
    from dumpcore.cli.app import app

    seen = {}
    name = argv[0]
    monkeypatch.setattr(commands, name, lambda **kwargs: seen.update(kwargs))
    app(args=normalize_password_args(argv), prog_name="dumpcore", standalone_mode=False)
    monkeypatch.undo()
    return name, seen


SAME_AS_TYPER = [
    ["dump", "db"],
    ["dump", "db", "-o", "out"],
    ["dump", "db", "-oout", "-q"],
    ["dump", "db", "--output=out", "--quiet", "--json"],
    ["dump", "-qBo", "out", "a", "b", "c"],
    ["dump", "-qBoout", "a"],
    ["dump", "-A", "--stdout"],
    ["dump", "db", "t1", "t2", "--stdout", "--where", "id > -1"],
    ["dump", "db", "--where=a=b", "-o", "-"],
    ["dump", "db", "-o", "-q"],  # click takes the next word as the value, whatever it looks like
    ["dump", "db", "--", "-t1", "--stdout"],
    ["dump", "--exclude", "a", "db", "--exclude=b", "-o", "x", "--exclude", ""],
    ["dump", "db", "--label", "t=c1,c2", "--stats", "t.c", "--stats", "u.d", "-o", "x"],
    ["dump", "db", "--routines", "--skip-events", "-o", "x"],
    ["dump", "db", "--routines", "--skip-routines", "--events", "-o", "x"],
    ["dump", "db", "-w", "4", "--workers=+2", "-o", "x"],
    ["dump", "db", "-w007", "-o", "x", "--chunk-size", "1MB", "--statement-size=64KiB"],
    ["dump", "db", "--compress", "zstd:5", "--validate", "all", "-o", "x", "--no-data"],
    ["dump", "db", "--annotate", "--prisma", "schema.prisma", "-o", "x", "--no-schema"],
    ["dump", "db", "-o", "x", "-h", "127.0.0.1", "-P", "3307", "-u", "root", "-psecret"],
    ["dump", "db", "-o", "x", "-h127.0.0.1", "-P3307", "-uroot", "-p"],
    ["dump", "db", "-o", "x", "--password=a=b", "-S", "/tmp/s.sock", "--defaults-file", "my.cnf"],
    ["dump", "db", "-o", "x", "--defaults-extra-file=e.cnf", "--ssl-mode", "REQUIRED", "--ssl-ca", "ca.pem",
     "--ssl-cert", "c.pem", "--ssl-key=k.pem"],
    ["dump", "db", "-o", "x", "--password-prompt", "-P", "-5"],
    ["dump", "-", "-o", "a//b/"],
    ["dump", "db", "-o", ""],
    ["dump", "db", "-o", "x", "-h=host"],  # click: -h's value is "=host"
    ["dump"],
    ["restore", "dir"],
    ["restore", "dir", "-D", "copy", "-j", "3", "--cleanup", "--resume", "--no-verify", "-q"],
    ["restore", "dir", "-j3", "--parallel", "5", "--databases", "a", "--databases=b", "--tables", "t"],
    ["restore", "dir", "--append", "--defer-triggers", "--fire-triggers", "--verify", "--json", "--missing-ok"],
    ["restore", "--state-dir", "st", "--load-method", "upsert", "dir", "--prisma", "p", "--print-replication"],
    ["restore", "--", "-dir"],
    ["verify", "dir"],
    ["verify", "stream.sql", "--decompress", "--json"],
    ["verify", "dir", "--against", "db", "-h", "h", "-u", "u", "-P", "1"],
    ["verify", "dir", "--against=*"],
]


@pytest.mark.parametrize("argv", SAME_AS_TYPER, ids=" ".join)
def test_fast_path_reads_a_command_line_as_typer_does(monkeypatch, argv):
    fast = parse(normalize_password_args(argv))
    assert fast is not None, "the fast path should take this command line"
    assert fast == typer_parse(monkeypatch, argv)


LEFT_TO_TYPER = [
    ["dump", "--help"],
    ["dump", "db", "--help"],
    ["restore", "--help"],
    ["dump", "db", "--nope"],
    ["dump", "db", "--threads", "4"],  # a peer's option: typer's error line names the dumpcore one
    ["dump", "db", "-x"],
    ["dump", "db", "-qx"],
    ["dump", "db", "--quiet=1"],
    ["dump", "db", "-o"],
    ["dump", "db", "-w", "four"],
    ["dump", "db", "-w", "5.0"],  # an int to pydantic, but not a plain spelling
    ["dump", "db", "-w", " 5"],
    ["dump", "db", "-w", "٣"],
    ["dump", "db", "-w", "1" * 30],
    ["dump", "db", "--work", "2"],  # click does not complete abbreviations
    ["restore"],
    ["restore", "a", "b"],
    ["restore", "dir", "-w", "2"],
    ["verify"],
    ["verify", "a", "b"],
    ["verify", "---x"],
    ["plan", "db"],
    ["cat", "dir"],
    ["-V", "dump"],
    ["--help"],
    [],
]


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=" ".join)
def test_fast_path_leaves_everything_else_to_typer(argv):
    assert parse(normalize_password_args(argv)) is None


def test_a_refused_command_line_gets_typers_messages():
    """What the fast path leaves alone comes out of typer as before: its help, its error line."""
    proc = dumpcore("dump", "db", "--threads", "4")
    assert proc.returncode == 2
    assert proc.stderr.decode() == ("Error: no such option --threads for `dumpcore dump`; use --workers N "
                                    "(connections reading at once; mydumper's --threads)\n")
    proc = dumpcore("restore", "--help")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("Usage: dumpcore restore [OPTIONS] {directory}")
    proc = dumpcore("verify", "x", "-P", "many")
    assert proc.returncode == 2 and proc.stderr.decode().startswith("Error: invalid value for --port: ")


# Runs the real entry point with the first connect reporting which modules are loaded by then
# (a stand-in for MySQLdb's connect, in this probe process only: nothing in dumpcore's code).
PROBE = """
import json, sys
import MySQLdb._mysql as _mysql

real_connect, report = _mysql.connect, sys.argv[1]

def connect(*args, **kwargs):
    if not hasattr(connect, "done"):
        connect.done = True
        with open(report, "w") as f:
            json.dump(sorted(sys.modules), f)
    return real_connect(*args, **kwargs)

_mysql.connect = connect
sys.argv = ["dumpcore", *sys.argv[2:]]
from dumpcore.cli.entry import main
main()
"""


def loaded_at_first_connect(tmp_path: Path, *args: str) -> list[str]:
    report = tmp_path / "modules.json"
    report.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(report), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(report.read_text())


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY]


def test_nothing_heavy_is_loaded_before_the_first_round_trip(server, db, tmp_path):
    with server.connect() as c:
        c.execute(f"CREATE TABLE `{db}`.t (id INT PRIMARY KEY, v VARCHAR(10))")
        c.execute(f"INSERT INTO `{db}`.t VALUES (1, 'a'), (2, 'b')")
    out = tmp_path / "dump"
    runs = {
        "dump": ["dump", db, "-o", str(out), "-q", *conn_args(server)],
        "verify": ["verify", str(out), "--against", db, *conn_args(server)],
        "restore": ["restore", str(out), "-D", db, "--cleanup", "-q", *conn_args(server)],
    }
    for name, args in runs.items():
        modules = loaded_at_first_connect(tmp_path, *args)
        assert "dumpcore.cli.commands" in modules and "MySQLdb" in modules, name  # the probe saw the fast path
        assert heavy(modules) == [], name
        assert "dumpcore.cli.app" not in modules, name
    # the same probe sees typer where typer runs: it would catch a fast path that is not taken
    assert "typer" in heavy(loaded_at_first_connect(tmp_path, "plan", db, *conn_args(server)))


@pytest.mark.parametrize("command", [["dump", "db", "-o", "x"], ["plan", "db"]], ids=["fast path", "typer"])
def test_a_password_prompt_without_input_is_one_line_on_both_paths(command):
    proc = subprocess.run([str(DUMPCORE), *command, "-p", "-h", "127.0.0.1", "-P", "1"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == ("Error: -p asks for the password, but there is no input to read it "
                                            "from; give -pSECRET, --password=SECRET or MYSQL_PWD")
    assert "Traceback" not in proc.stderr
