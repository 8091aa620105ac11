"""MySQL/MariaDB option files (my.cnf), read the way the mariadb client reads them.

Only the connection settings are taken: host, port, socket, user, password, ssl-*.
Files are read in the client's order, a later file overriding an earlier one:
``--defaults-file`` alone when given; else /etc/my.cnf, /etc/mysql/my.cnf, then
``--defaults-extra-file``, then ~/.my.cnf. ``!include`` and ``!includedir`` are followed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import UsageError

# The groups the mariadb client reads; later groups in a file do not outrank earlier ones,
# the last value seen wins, as in the client.
CLIENT_GROUPS = frozenset({"client", "client-server", "client-mariadb"})
CONNECTION_KEYS = frozenset({"host", "port", "socket", "user", "password", "ssl-mode", "ssl-ca", "ssl-cert",
                             "ssl-key", "ssl", "ssl-verify-server-cert"})
SYSTEM_FILES = (Path("/etc/my.cnf"), Path("/etc/mysql/my.cnf"))

_GROUP_RE = re.compile(r"^\[\s*([^\]]+?)\s*\]\s*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "s": " ", '"': '"', "'": "'", "\\": "\\"}


def default_files(extra_file: str | None = None) -> list[Path]:
    """The files the client reads without --defaults-file, in order."""
    files = list(SYSTEM_FILES)
    if extra_file:
        files.append(Path(extra_file))
    home = os.environ.get("HOME")
    if home:
        files.append(Path(home) / ".my.cnf")
    return files


def _value(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    else:
        raw = re.split(r"\s+#", raw, maxsplit=1)[0].rstrip()
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), raw)


def _read(path: Path, values: dict[str, str], depth: int = 0) -> None:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return  # the client skips files it cannot read, except the ones named on its command line
    in_group = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("!include ") and depth < 10:
            _read(path.parent / line.split(None, 1)[1].strip(), values, depth + 1)
            continue
        if line.startswith("!includedir ") and depth < 10:
            d = path.parent / line.split(None, 1)[1].strip()
            if d.is_dir():
                for f in sorted(d.iterdir()):
                    if f.suffix == ".cnf":
                        _read(f, values, depth + 1)
            continue
        m = _GROUP_RE.match(line)
        if m:
            in_group = m.group(1).lower() in CLIENT_GROUPS
            continue
        if not in_group:
            continue
        key, sep, raw = line.partition("=")
        key = key.strip().lower().replace("_", "-")
        for prefix in ("loose-", "enable-"):
            if key.startswith(prefix):
                key = key[len(prefix):]
        if key.startswith(("skip-", "disable-")) and key.split("-", 1)[1] in CONNECTION_KEYS:
            values[key.split("-", 1)[1]] = "0"
            continue
        if key in CONNECTION_KEYS:
            values[key] = _value(raw) if sep else "1"


def read_client_options(defaults_file: str | None = None, extra_file: str | None = None) -> dict[str, str]:
    """Connection settings from option files: {'host': ..., 'port': ..., 'ssl-ca': ...}.

    A --defaults-file or --defaults-extra-file that does not exist is an error naming it
    (the client refuses it too); the usual files are optional.
    """
    for flag, name in (("--defaults-file", defaults_file), ("--defaults-extra-file", extra_file)):
        if name and not Path(name).is_file():
            raise UsageError(f"option file {name} ({flag}) does not exist", hint="check the path")
    values: dict[str, str] = {}
    for path in [Path(defaults_file)] if defaults_file else default_files(extra_file):
        _read(path, values)
    return values
