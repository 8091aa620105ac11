"""Connection options shared by every command, following the mysql client's habits: their
typer declarations (what they do is in cli/connect.py, which does not import typer)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

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
