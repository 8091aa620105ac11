"""Connection options shared by every command, following the mysql client's habits."""
from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Optional

import typer

from dumpcore.connection import ConnectionOptions

PANEL = "Connection"

# Values not given here come from the option files, then MYSQL_HOST / MYSQL_TCP_PORT /
# MYSQL_UNIX_PORT / MYSQL_PWD: the mysql client's order (ConnectionOptions.resolved).
Host = Annotated[Optional[str], typer.Option("-h", "--host", rich_help_panel=PANEL,
                                             help="Server host; none or 'localhost' means the unix socket.")]
Port = Annotated[Optional[int], typer.Option("-P", "--port", rich_help_panel=PANEL, help="TCP port (with --host).")]
User = Annotated[Optional[str], typer.Option("-u", "--user", rich_help_panel=PANEL, help="User name.")]
Socket = Annotated[Optional[str], typer.Option("-S", "--socket", rich_help_panel=PANEL, help="Unix socket path.")]
Password = Annotated[Optional[str], typer.Option(
    "-p", "--password", rich_help_panel=PANEL, show_default=False, metavar="SECRET",
    help="Password as -pSECRET or --password=SECRET; bare -p or --password prompts. MYSQL_PWD is honoured.")]
PasswordPrompt = Annotated[bool, typer.Option("--password-prompt", hidden=True)]
DefaultsFile = Annotated[Optional[Path], typer.Option(
    "--defaults-file", rich_help_panel=PANEL,
    help="Read only this option file's [client] section (default: /etc/my.cnf, /etc/mysql/my.cnf, ~/.my.cnf).")]
DefaultsExtraFile = Annotated[Optional[Path], typer.Option(
    "--defaults-extra-file", rich_help_panel=PANEL, help="Also read this option file, before ~/.my.cnf.")]
SslMode = Annotated[Optional[str], typer.Option(
    "--ssl-mode", rich_help_panel=PANEL, metavar="MODE",
    help="DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY.")]
SslCa = Annotated[Optional[Path], typer.Option("--ssl-ca", rich_help_panel=PANEL, help="CA certificate file (PEM).")]
SslCert = Annotated[Optional[Path], typer.Option("--ssl-cert", rich_help_panel=PANEL,
                                                 help="Client certificate file (PEM).")]
SslKey = Annotated[Optional[Path], typer.Option("--ssl-key", rich_help_panel=PANEL, help="Client key file (PEM).")]


def connection_options(host: str | None, port: int | None, user: str | None, socket: str | None,
                       password: str | None, password_prompt: bool, defaults_file: Path | None,
                       defaults_extra_file: Path | None = None, ssl_mode: str | None = None,
                       ssl_ca: Path | None = None, ssl_cert: Path | None = None,
                       ssl_key: Path | None = None) -> ConnectionOptions:
    """The command line's connection options, resolved against option files and the
    environment (a missing --defaults-file is a UsageError naming it)."""
    if password_prompt:
        password = getpass.getpass("Enter password: ")
    s = lambda p: str(p) if p is not None else None  # noqa: E731
    return ConnectionOptions(host=host, port=port, user=user, password=password, socket=socket,
                             defaults_file=s(defaults_file), defaults_extra_file=s(defaults_extra_file),
                             ssl_mode=ssl_mode, ssl_ca=s(ssl_ca), ssl_cert=s(ssl_cert), ssl_key=s(ssl_key)).resolved()


def normalize_password_args(argv: list[str]) -> list[str]:
    """mysql-client semantics: bare ``-p``/``--password`` prompt; ``-pSECRET`` is a value.

    A bare -p never takes the next word (``-p secret`` prompts and ``secret`` stays an
    argument), exactly as in the mysql client.
    """
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            out += argv[i:]
            break
        if arg in ("-p", "--password"):
            out.append("--password-prompt")
        elif arg.startswith("-p") and not arg.startswith("--"):
            out.append("--password=" + arg[2:])
        else:
            out.append(arg)
    return out
