"""Connection options shared by every command, following the mysql client's habits."""
from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Optional

import typer

from dumpcore.connection import ConnectionOptions

PANEL = "Connection"

Host = Annotated[Optional[str], typer.Option("-h", "--host", envvar="MYSQL_HOST", rich_help_panel=PANEL,
                                             help="Server host; none or 'localhost' means the unix socket.")]
Port = Annotated[Optional[int], typer.Option("-P", "--port", envvar="MYSQL_TCP_PORT", rich_help_panel=PANEL,
                                             help="TCP port (with --host).")]
User = Annotated[Optional[str], typer.Option("-u", "--user", rich_help_panel=PANEL, help="User name.")]
Socket = Annotated[Optional[str], typer.Option("-S", "--socket", envvar="MYSQL_UNIX_PORT", rich_help_panel=PANEL,
                                               help="Unix socket path.")]
Password = Annotated[Optional[str], typer.Option(
    "--password", rich_help_panel=PANEL, show_default=False,
    help="Password as -pSECRET or --password=SECRET; bare -p or --password prompts. MYSQL_PWD is honoured.")]
PasswordPrompt = Annotated[bool, typer.Option("--password-prompt", hidden=True)]
DefaultsFile = Annotated[Optional[Path], typer.Option(
    "--defaults-file", rich_help_panel=PANEL, help="Option file with a [client] section (else ~/.my.cnf).")]


def connection_options(host: str | None, port: int | None, user: str | None, socket: str | None,
                       password: str | None, password_prompt: bool, defaults_file: Path | None) -> ConnectionOptions:
    if password_prompt:
        password = getpass.getpass("Enter password: ")
    return ConnectionOptions(host=host, port=port, user=user, password=password, socket=socket,
                             defaults_file=str(defaults_file) if defaults_file else None)


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
