"""The CLI as a user meets it: exit codes, one-line errors, JSON, docs for every command."""
import json
import os
import re
import subprocess

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from conftest import REPO
from dumpcore.connect.connection import ConnectionOptions
from dumpcore.sandbox.sandbox import free_port
from dumpcore.cli.connect import normalize_password_args
from fixture_world import WORLD_TABLES, write_world_schema


def test_cli_is_installed_as_dumpcore_cli():
    import dumpcore.cli.app as app_module

    assert DUMPCORE.exists()
    assert app_module.__file__.endswith("cli/app.py")


def test_plan_json_from_server(server, world):
    proc = dumpcore("plan", world, "--json", *conn_args(server))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["table_count"] == len(WORLD_TABLES) and sorted(data["load_order"]) == WORLD_TABLES
    assert data["cleanup_order"] == list(reversed(data["load_order"]))
    assert [sorted(c) for c in data["cycles"]] == [["category"], ["staff", "store"]]


def test_plan_ddl_json_and_scripts(tmp_path):
    ddl = write_world_schema(tmp_path / "world.sql")
    proc = dumpcore("plan", "--ddl", str(ddl), "-o", str(tmp_path / "scripts"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""  # every statement was read
    data = json.loads(proc.stdout)
    assert data["load_order"].index("country") < data["load_order"].index("city") < data["load_order"].index("address")
    assert (tmp_path / "scripts" / "cleanup.sql").read_text().count("DELETE FROM") == len(WORLD_TABLES)


def test_plan_text_output(server, world):
    proc = dumpcore("plan", world, *conn_args(server))
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert f"{len(WORLD_TABLES)} tables" in out and "Cycles:" in out and "NOT NULL" in out


def test_plan_needs_database_or_ddl():
    proc = dumpcore("plan")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "Error: give a DATABASE, --ddl FILE.sql or --prisma schema.prisma"


def test_unknown_database_is_one_line_error(server):
    proc = dumpcore("plan", "no_such_db", *conn_args(server))
    assert proc.returncode == 1
    err = proc.stderr.decode().strip()
    assert err.startswith("Error: database `no_such_db` not found") and "\n" not in err


def test_unreachable_server_is_one_line_error():
    port = free_port()  # nothing listens there
    proc = dumpcore("plan", "x", "-h", "127.0.0.1", "-P", str(port), "-u", "root")
    assert proc.returncode == 1
    err = proc.stderr.decode().strip()
    assert re.match(rf"Error: cannot connect to root@127\.0\.0\.1:{port}: server error 2002: .*; check --host", err), err
    assert "\n" not in err and "Traceback" not in err


def test_missing_ddl_file_is_one_line_error(tmp_path):
    proc = dumpcore("plan", "--ddl", str(tmp_path / "nope.sql"))
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("Error: cannot read DDL file")


@pytest.mark.parametrize("argv,expected", [
    (["plan", "-p", "db"], ["plan", "--password-prompt", "db"]),
    (["plan", "-psecret", "db"], ["plan", "--password=secret", "db"]),
    (["plan", "--password", "db"], ["plan", "--password-prompt", "db"]),
    (["plan", "--password=x", "db"], ["plan", "--password=x", "db"]),
    (["plan", "-P", "3306", "db"], ["plan", "-P", "3306", "db"]),
    (["plan", "--", "-p"], ["plan", "--", "-p"]),
])
def test_password_argument_semantics_follow_mysql_client(argv, expected):
    assert normalize_password_args(argv) == expected


@pytest.fixture
def pw_user(server, conn):
    conn.execute("CREATE OR REPLACE USER 'dc_pw'@'%' IDENTIFIED BY 's3cr3t-pw'")
    conn.execute("CREATE OR REPLACE USER 'dc_pw'@'localhost' IDENTIFIED BY 's3cr3t-pw'")
    conn.execute("GRANT ALL ON *.* TO 'dc_pw'@'%'")
    conn.execute("GRANT ALL ON *.* TO 'dc_pw'@'localhost'")
    yield "dc_pw", "s3cr3t-pw"
    conn.execute("DROP USER 'dc_pw'@'%'")
    conn.execute("DROP USER 'dc_pw'@'localhost'")


def test_password_from_env_defaults_file_and_prompt(server, world, pw_user, tmp_path):
    user, pw = pw_user
    base = ["plan", world, "--json", "-h", server.host, "-P", str(server.port), "-u", user]
    wrong = dumpcore(*base, env={"MYSQL_PWD": "wrong"})
    assert wrong.returncode == 1 and "1045" in wrong.stderr.decode()
    assert pw not in wrong.stderr.decode()
    ok = dumpcore(*base, env={"MYSQL_PWD": pw})
    assert ok.returncode == 0, ok.stderr
    cnf = tmp_path / "my.cnf"
    cnf.write_text(f"[client]\npassword={pw}\n")
    env = {k: v for k, v in os.environ.items() if k != "MYSQL_PWD"}  # let the option file speak
    ok = subprocess.run([str(DUMPCORE), *base, "--defaults-file", str(cnf)], capture_output=True, env=env)
    assert ok.returncode == 0, ok.stderr
    home = tmp_path / "home"
    home.mkdir()
    (home / ".my.cnf").write_text(f"[client]\npassword={pw}\n")
    ok = subprocess.run([str(DUMPCORE), *base], capture_output=True, env={**env, "HOME": str(home)})
    assert ok.returncode == 0, ok.stderr
    # Bare -p with stdin not a terminal reads the password from it (a terminal of the
    # process is not asked: test_the_password_tests_pass_in_a_terminal).
    prompted = subprocess.run([str(DUMPCORE), *base, "-p"], capture_output=True, input=(pw + "\n").encode(), env=env)
    assert prompted.returncode == 0, prompted.stderr
    for proc in (ok, prompted):
        assert pw.encode() not in proc.stdout and pw.encode() not in proc.stderr


def test_options_never_show_the_password():
    o = ConnectionOptions(host="db.example", port=3307, user="app", password="hunter2")
    assert "hunter2" not in repr(o) and "hunter2" not in o.describe()
    assert "hunter2" not in " ".join(o.client_command())
    assert o.client_env()["MYSQL_PWD"] == "hunter2"


def test_every_command_is_documented_in_help_and_docs():
    """Each command of `dumpcore --help` has its page, docs/COMMAND.md (tests/test_docs.py
    holds the pages to every option)."""
    top = dumpcore("--help").stdout.decode()
    commands = re.findall(r"^  (\w+)\s", top.split("\nCommands:\n")[1], re.M)
    assert {"plan", "sandbox", "demo", "sample"} <= set(commands)
    for cmd in commands:
        helptext = dumpcore(cmd, "--help")
        assert helptext.returncode == 0
        page = REPO / "docs" / f"{cmd}.md"
        assert page.is_file() and f"# `dumpcore {cmd}`" in page.read_text(), f"docs/ has no page for `dumpcore {cmd}`"


def test_sandbox_cli_start_status_stop(tmp_path):
    d = tmp_path / "box"
    st = dumpcore("sandbox", "status", "--dir", str(d))
    assert st.returncode == 1 and "no sandbox running" in st.stdout.decode()
    start = dumpcore("sandbox", "start", "--dir", str(d))
    assert start.returncode == 0, start.stderr
    port = int(re.search(r"-P(\d+)", start.stdout.decode()).group(1))
    try:
        with ConnectionOptions(host="127.0.0.1", port=port, user="root", password="").connect() as c:
            assert c.scalar("SELECT @@port") == str(port)
            assert c.scalar("SELECT @@bind_address") == "127.0.0.1"
        again = dumpcore("sandbox", "start", "--dir", str(d))  # already running: same server
        assert f"-P{port}" in again.stdout.decode()
        assert dumpcore("sandbox", "status", "--dir", str(d)).returncode == 0
    finally:
        stop = dumpcore("sandbox", "stop", "--dir", str(d))
    assert stop.returncode == 0 and "stopped" in stop.stdout.decode()
    assert dumpcore("sandbox", "status", "--dir", str(d)).returncode == 1
    assert "no sandbox running" in dumpcore("sandbox", "stop", "--dir", str(d)).stdout.decode()


def test_sandbox_cli_takes_a_directory_relative_to_the_current_one(tmp_path):
    """The README's quick start: `sandbox start --dir sandbox`, then `-S sandbox/mysqld.sock`.
    Before, mariadbd read the relative data dir from its own base dir (/usr/sandbox/data)."""
    start = dumpcore("sandbox", "start", "--dir", "sandbox", cwd=tmp_path)
    try:
        assert start.returncode == 0, start.stderr.decode()
        assert (tmp_path / "sandbox" / "data").is_dir()
        socket = str(tmp_path / "sandbox" / "mysqld.sock")
        with ConnectionOptions(socket=socket, user="root", password="").connect() as c:
            assert c.scalar("SELECT @@datadir").rstrip("/") == str(tmp_path / "sandbox" / "data")
        assert dumpcore("sandbox", "status", "--dir", "sandbox", cwd=tmp_path).returncode == 0
    finally:
        stop = dumpcore("sandbox", "stop", "--dir", "sandbox", "--remove", cwd=tmp_path)
    assert stop.returncode == 0 and "stopped" in stop.stdout.decode()


@pytest.mark.parametrize("dsn,expected", [
    ("mysql://root@127.0.0.1:3307/", ("127.0.0.1", 3307, "root", None, None)),
    ("mysql://app:p%40ss@db.example/", ("db.example", None, "app", "p@ss", None)),
    ("mariadb://u@localhost/?socket=/run/mysqld/mysqld.sock", ("localhost", None, "u", None, "/run/mysqld/mysqld.sock")),
])
def test_test_dsn_parsing(dsn, expected):
    o = ConnectionOptions.from_dsn(dsn)
    assert (o.host, o.port, o.user, o.password, o.socket) == expected


def test_dsn_with_another_scheme_is_refused():
    with pytest.raises(ValueError, match="mysql:// or mariadb://"):
        ConnectionOptions.from_dsn("postgres://x@y/")


# Run as `python -c _IN_A_TERMINAL cmd...` with a pseudo terminal on stdin: the pty becomes
# the controlling terminal (what /dev/tty opens), as for a user typing `make test`.
_IN_A_TERMINAL = ("import fcntl, os, sys, termios\n"
                  "os.setsid()\n"
                  "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
                  "os.execv(sys.argv[1], sys.argv[1:])\n")
PASSWORD_TESTS = ["test_cli.py::test_password_from_env_defaults_file_and_prompt",
                  "test_fastpath.py::test_a_password_prompt_without_input_is_one_line_on_both_paths"]


def test_the_password_tests_pass_in_a_terminal(tmp_path):
    """`make test` in a terminal once stopped at `Enter password:` (the prompt read the
    terminal, not the password the test gave on stdin) and two tests then failed; CI has
    no terminal and never saw it. Here they run with a pseudo terminal as their
    controlling terminal: any prompt there fails this test at once instead of waiting."""
    import select
    import signal
    import sys
    import time

    master, slave = os.openpty()
    env = dict(os.environ)
    env.pop("DUMPCORE_TEST_DSN", None)  # its own server, whatever this run uses
    tests = REPO / "tests"
    run = subprocess.Popen([sys.executable, "-c", _IN_A_TERMINAL, sys.executable, "-m", "pytest", "-q",
                            "-p", "no:cacheprovider", *(str(tests / t) for t in PASSWORD_TESTS)],
                           stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path, env=env)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and b"Enter password" not in seen:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: every holder of the terminal closed it
                    break
                if not data:
                    break
                seen += data
            elif run.poll() is not None:
                break
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)  # its session: pytest stops its server on SIGTERM
            run.wait(timeout=60)
        os.close(master)
    text = seen.decode(errors="replace")
    assert "Enter password" not in text, f"a prompt read the terminal:\n{text[-2000:]}"
    assert run.returncode == 0 and "3 passed" in text, text[-3000:]
