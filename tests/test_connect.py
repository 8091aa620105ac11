"""Connection conventions of the mysql client: option files, command-line precedence, TLS."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dumpcore.connect.connection import ConnectionOptions
from dumpcore.errors import ConnectError, UsageError
from dumpcore.connect.optionfiles import read_client_options
from dumpcore.sandbox.sandbox import Sandbox, free_port


def env_without_client_settings(home: Path) -> dict:
    """A HOME with no ~/.my.cnf and none of the MYSQL_* variables: only what a test gives."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYSQL_")}
    env["HOME"] = str(home)
    return env


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(DUMPCORE), *args], capture_output=True, env=env, timeout=120)


def test_option_file_host_port_user_apply_and_command_line_overrides(server, world, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = env_without_client_settings(home)
    cnf = tmp_path / "my.cnf"
    cnf.write_text(f"# as written for the mariadb client\n[mysqld]\nport=1\n[client]\nhost = 127.0.0.1\n"
                   f"port={server.port}\nuser=\"root\"\n[mysqldump]\nport=2\n")
    # the same file works for the mariadb client and for dumpcore
    client = subprocess.run(["mariadb", f"--defaults-file={cnf}", "-N", "-e", "SELECT @@port"], capture_output=True,
                            env=env)
    assert client.stdout.decode().strip() == str(server.port), client.stderr
    ok = run(["plan", world, "--json", "--defaults-file", str(cnf)], env)
    assert ok.returncode == 0, ok.stderr.decode()
    assert json.loads(ok.stdout)["database"] == world
    # command line beats the file: the file points at a port where nothing listens
    dead = free_port()
    cnf.write_text(f"[client]\nhost=127.0.0.1\nport={dead}\nuser=root\n")
    refused = run(["plan", world, "--defaults-file", str(cnf)], env)
    assert refused.returncode == 1 and f"root@127.0.0.1:{dead}" in refused.stderr.decode()  # the file's port, named
    ok = run(["plan", world, "--json", "--defaults-file", str(cnf), "-P", str(server.port)], env)
    assert ok.returncode == 0, ok.stderr.decode()


def test_defaults_extra_file_and_home_my_cnf_order(server, world, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = env_without_client_settings(home)
    extra = tmp_path / "extra.cnf"
    extra.write_text(f"[client-server]\nhost=127.0.0.1\nport={server.port}\n[client]\nuser=root\n")
    ok = run(["plan", world, "--json", "--defaults-extra-file", str(extra)], env)
    assert ok.returncode == 0, ok.stderr.decode()
    # ~/.my.cnf is read after the extra file, as in the client: its port wins
    dead = free_port()
    (home / ".my.cnf").write_text(f"[client]\nport={dead}\n")
    late = run(["plan", world, "--defaults-extra-file", str(extra)], env)
    assert late.returncode == 1 and f":{dead}:" in late.stderr.decode()
    # the environment comes after the files (MYSQL_TCP_PORT does not beat ~/.my.cnf), the command line before
    (home / ".my.cnf").unlink()
    by_env = run(["plan", world, "--json", "-h", "127.0.0.1", "-u", "root"], {**env, "MYSQL_TCP_PORT": str(server.port)})
    assert by_env.returncode == 0, by_env.stderr.decode()


def test_missing_option_files_are_one_line_errors_naming_them(tmp_path):
    for flag in ("--defaults-file", "--defaults-extra-file"):
        missing = tmp_path / "nope.cnf"
        proc = dumpcore("plan", "x", flag, str(missing))
        assert proc.returncode == 2
        assert proc.stderr.decode() == f"Error: option file {missing} ({flag}) does not exist; check the path\n"


def test_option_file_syntax_includes_and_groups(tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "50-client.cnf").write_text("[client]\nsocket = /run/x.sock\nuser=from_dir\n")
    (tmp_path / "conf.d" / "ignored.txt").write_text("[client]\nuser=never\n")
    (tmp_path / "inc.cnf").write_text("[client-mariadb]\nssl_ca = '/etc/ca.pem'\n")
    main = tmp_path / "main.cnf"
    main.write_text("[mysqld]\nuser=mysql\n[client]\nhost=db.example # comment\npassword=\"p#ss word\"\n"
                    "!includedir conf.d\n!include inc.cnf\n[client]\nloose-ssl-cert=/c.pem\nskip-ssl\n")
    values = read_client_options(str(main))
    assert values == {"host": "db.example", "password": "p#ss word", "socket": "/run/x.sock", "user": "from_dir",
                      "ssl-ca": "/etc/ca.pem", "ssl-cert": "/c.pem", "ssl": "0"}
    o = ConnectionOptions(defaults_file=str(main), user="cli").resolved()
    assert (o.host, o.user, o.password, o.ssl_mode, o.ssl_ca) == ("db.example", "cli", "p#ss word", "DISABLED",
                                                                   "/etc/ca.pem")
    with pytest.raises(UsageError, match="unknown --ssl-mode 'SOMETIMES'"):
        ConnectionOptions(ssl_mode="sometimes", defaults_file=str(main)).resolved()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A sandbox with TLS: a CA made here, a server certificate for 127.0.0.1, a client certificate."""
    d = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dumpcore test CA",
             "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", f"{name}-key.pem",
                 "-out", f"{name}.csr", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                 "-days", "2", "-extfile", "san.ext", "-out", f"{name}.pem", cwd=d)
    box = Sandbox(extra_args=(f"--ssl-ca={d / 'ca.pem'}", f"--ssl-cert={d / 'server.pem'}",
                              f"--ssl-key={d / 'server-key.pem'}"))
    box.start()
    try:
        with box.options.connect() as c:
            c.execute("CREATE USER tls_only@'%' REQUIRE SSL")
            c.execute("CREATE USER cert_only@'%' REQUIRE X509")
            c.execute("GRANT ALL ON *.* TO tls_only@'%', cert_only@'%'")
            c.execute("CREATE DATABASE shop")
            c.execute("CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(10))")
            c.execute("INSERT INTO shop.t VALUES (1, 'a'), (2, 'b')")
        yield box, d
    finally:
        box.stop()


def test_tls_on_the_command_line_library_and_client(tls_server, tmp_path):
    box, certs = tls_server
    tcp = ["-h", "127.0.0.1", "-P", str(box.options.port)]
    ca = str(certs / "ca.pem")
    o = ConnectionOptions(host="127.0.0.1", port=box.options.port, user="tls_only", ssl_mode="VERIFY_IDENTITY", ssl_ca=ca)
    with o.connect() as c:
        assert c.tls_cipher() and c.scalar("SELECT CURRENT_USER()") == "tls_only@%"
    # the server refuses tls_only without TLS; dumpcore with --ssl-* gets through
    plain = dumpcore("dump", "shop", "--stdout", "-q", *tcp, "-u", "tls_only")
    assert plain.returncode == 1 and "server error 1045" in plain.stderr.decode()
    dump = dumpcore("dump", "shop", "--stdout", "-q", *tcp, "-u", "tls_only", "--ssl-mode", "VERIFY_CA",
                    "--ssl-ca", ca)
    assert dump.returncode == 0, dump.stderr.decode()
    assert b"INSERT INTO `t`" in dump.stdout
    # client certificates: --ssl-cert/--ssl-key for a user that REQUIRE X509
    cert = ["--ssl-ca", ca, "--ssl-cert", str(certs / "client.pem"), "--ssl-key", str(certs / "client-key.pem")]
    assert dumpcore("plan", "shop", *tcp, "-u", "cert_only", "--ssl-ca", ca).returncode == 1
    ok = dumpcore("plan", "shop", "--json", *tcp, "-u", "cert_only", *cert)
    assert ok.returncode == 0, ok.stderr.decode()
    # a CA that did not sign the server's certificate is refused under VERIFY_CA
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
             "-keyout", "k.pem", "-out", "other-ca.pem", cwd=tmp_path)
    wrong = dumpcore("plan", "shop", *tcp, "-u", "tls_only", "--ssl-mode", "VERIFY_CA", "--ssl-ca",
                     str(tmp_path / "other-ca.pem"))
    assert wrong.returncode == 1 and wrong.stderr.decode().startswith("Error: cannot connect to tls_only@127.0.0.1")
    # the mariadb client that dumpcore runs carries the same TLS options
    argv = ConnectionOptions(host="127.0.0.1", port=box.options.port, user="cert_only", ssl_mode="VERIFY_CA", ssl_ca=ca,
                             ssl_cert=str(certs / "client.pem"), ssl_key=str(certs / "client-key.pem")).client_command()
    assert "--ssl" in argv and "--ssl-verify-server-cert" in argv and f"--ssl-ca={ca}" in argv
    cipher = subprocess.run(argv + ["-N", "-e", "SHOW STATUS LIKE 'Ssl_cipher'"], capture_output=True)
    assert cipher.returncode == 0, cipher.stderr
    assert cipher.stdout.decode().split("\t")[1].strip()


def test_tls_settings_from_an_option_file(tls_server, tmp_path):
    box, certs = tls_server
    cnf = tmp_path / "tls.cnf"
    cnf.write_text(f"[client]\nhost=127.0.0.1\nport={box.options.port}\nuser=cert_only\nssl-ca={certs / 'ca.pem'}\n"
                   f"ssl-cert={certs / 'client.pem'}\nssl-key={certs / 'client-key.pem'}\nssl-verify-server-cert\n")
    o = ConnectionOptions(defaults_file=str(cnf))
    with o.connect() as c:
        assert c.tls_cipher() and c.scalar("SELECT CURRENT_USER()") == "cert_only@%"
    assert o.resolved().ssl_mode == "VERIFY_IDENTITY"
    env = env_without_client_settings(tmp_path)
    proc = run(["plan", "shop", "--json", "--defaults-file", str(cnf)], env)
    assert proc.returncode == 0, proc.stderr.decode()


def test_ssl_mode_required_refuses_a_server_without_tls(server):
    with pytest.raises(ConnectError, match="TLS is required but the server does not offer it"):
        ConnectionOptions(host=server.host, port=server.port, user=server.user, ssl_mode="REQUIRED").connect()
    proc = dumpcore("plan", "x", *conn_args(server), "--ssl-mode", "required")
    assert proc.returncode == 1
    assert proc.stderr.decode() == (f"Error: cannot connect to root@{server.host}:{server.port} with "
                                    f"--ssl-mode=REQUIRED: server error 2026: TLS is required but the server does "
                                    f"not offer it; enable TLS on the server (ssl-cert/ssl-key) or drop --ssl-mode\n")
