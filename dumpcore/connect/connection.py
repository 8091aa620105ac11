"""The connection layer: the only module that imports mysqlclient.

Connections return every value as raw bytes exactly as the server sent it (no
converters), so nothing is lost between the protocol and the encoder. Server errors
become ServerError here, in one place.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
from typing import Iterator, Sequence
from urllib.parse import parse_qs, unquote, urlparse

import MySQLdb._exceptions as mysql_exc
import MySQLdb._mysql as _mysql

from ..errors import CommitInDoubt, ConnectError, ServerError, UsageError
from .optionfiles import read_client_options
from ..records import field, record, replace

Row = tuple  # tuple[bytes | None, ...]

# Errors after which a retry on a fresh connection can succeed.
RETRYABLE_ERRNOS = frozenset({1205, 1213, 2006, 2013, 2055})  # lock wait, deadlock, gone away, lost
LOST_ERRNOS = frozenset({2006, 2013, 2055})  # the connection itself is gone


SSL_MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")


@record(frozen=True)
class ConnectionOptions:
    """Where and how to connect, following the mysql client's habits.

    ``host`` None or 'localhost' means the unix socket; anything else is TCP. A value
    left None comes from the option files (``defaults_file`` alone, else the system
    files, ``defaults_extra_file`` and ~/.my.cnf), then from the environment
    (MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT, MYSQL_PWD): the command line wins,
    as in the client. The password never appears in ``describe()`` or ``repr()``.
    """

    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    socket: str | None = None
    defaults_file: str | None = None
    connect_timeout: int = 10
    defaults_extra_file: str | None = None
    ssl_mode: str | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None
    is_resolved: bool = field(default=False, repr=False, compare=False)
    # statements each new session runs first (e.g. restore --skip-binlog's SET SESSION sql_log_bin = 0)
    session_setup: tuple[str, ...] = ()

    @classmethod
    def from_dsn(cls, dsn: str) -> "ConnectionOptions":
        """Parse ``mysql://user:pass@host:port/?socket=/path`` (all parts optional)."""
        url = urlparse(dsn)
        if url.scheme not in ("mysql", "mariadb"):
            raise ValueError(f"DSN must start with mysql:// or mariadb://, got {dsn!r}")
        query = parse_qs(url.query)
        sock = query.get("socket", query.get("unix_socket", [None]))[0]
        return cls(
            host=url.hostname,
            port=url.port,
            user=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password is not None else None,
            socket=sock,
        )

    def with_password(self, password: str | None) -> "ConnectionOptions":
        return replace(self, password=password, is_resolved=False)

    def with_session_setup(self, *statements: str) -> "ConnectionOptions":
        """These options, each new connection running ``statements`` first."""
        return replace(self, session_setup=self.session_setup + statements)

    def resolved(self) -> "ConnectionOptions":
        """These options with the gaps filled from option files, then the environment.

        Raises UsageError for a --defaults-file/--defaults-extra-file that does not
        exist, a port that is not a number, or an unknown ssl-mode.
        """
        if self.is_resolved:
            return self
        files = read_client_options(self.defaults_file, self.defaults_extra_file)
        env = os.environ

        def pick(given, key: str, envvar: str | None = None):
            if given is not None:
                return given
            if key in files:
                return files[key]
            return env.get(envvar) if envvar else None

        port = pick(self.port, "port", "MYSQL_TCP_PORT")
        if port is not None and not isinstance(port, int):
            if not str(port).strip().isdigit():
                raise UsageError(f"port {port!r} from the option files or MYSQL_TCP_PORT is not a number")
            port = int(port)
        mode = pick(self.ssl_mode, "ssl-mode")
        if mode is None and files.get("ssl") == "0":
            mode = "DISABLED"
        elif mode is None and files.get("ssl-verify-server-cert") == "1":
            mode = "VERIFY_IDENTITY"
        elif mode is None and files.get("ssl") == "1":
            mode = "REQUIRED"
        if mode is not None:
            mode = mode.upper().replace("-", "_")
            if mode not in SSL_MODES:
                raise UsageError(f"unknown --ssl-mode {mode!r}", hint="use one of " + ", ".join(SSL_MODES))
        return replace(self, host=pick(self.host, "host", "MYSQL_HOST"), port=port, user=pick(self.user, "user"),
                       password=pick(self.password, "password", "MYSQL_PWD"),
                       socket=pick(self.socket, "socket", "MYSQL_UNIX_PORT"), ssl_mode=mode,
                       ssl_ca=pick(self.ssl_ca, "ssl-ca"), ssl_cert=pick(self.ssl_cert, "ssl-cert"),
                       ssl_key=pick(self.ssl_key, "ssl-key"), is_resolved=True)

    def effective_password(self) -> str | None:
        return self.resolved().password

    def uses_socket(self) -> bool:
        # The mysql client's rule: no host, or 'localhost', means the unix socket.
        return self.host in (None, "", "localhost")

    def describe(self) -> str:
        """Where this connects, for messages; never includes the password."""
        who = f"{self.user}@" if self.user else ""
        if self.uses_socket():
            return f"{who}localhost via socket {self.socket or '(default)'}"
        return f"{who}{self.host or '127.0.0.1'}:{self.port or 3306}"

    def connect(self, database: str | None = None, local_infile: bool = False) -> "Connection":
        return Connection(self, database, local_infile)

    def client_command(self, program: str = "mariadb", database: str | None = None) -> list[str]:
        """argv for the mariadb/mysql client with the same resolved options (password via env)."""
        o = self.resolved()
        args = [program]
        if o.defaults_file:  # must come first; the client then reads only this file, as we did
            args.append(f"--defaults-file={o.defaults_file}")
        elif o.defaults_extra_file:
            args.append(f"--defaults-extra-file={o.defaults_extra_file}")
        if o.uses_socket():
            if o.socket:
                args.append(f"--socket={o.socket}")
        else:
            args += [f"--host={o.host or '127.0.0.1'}", f"--port={o.port or 3306}", "--protocol=tcp"]
        if o.user:
            args.append(f"--user={o.user}")
        args += [f"--{name}={value}" for name, value in (("ssl-ca", o.ssl_ca), ("ssl-cert", o.ssl_cert),
                                                         ("ssl-key", o.ssl_key)) if value]
        if o.ssl_mode:
            if os.path.basename(os.path.realpath(shutil.which(program) or program)).startswith("mysql"):
                args.append(f"--ssl-mode={o.ssl_mode}")  # Oracle's client
            elif o.ssl_mode == "DISABLED":
                args.append("--skip-ssl")
            elif o.ssl_mode in ("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"):
                args.append("--ssl")
                if o.ssl_mode != "REQUIRED":
                    args.append("--ssl-verify-server-cert")
        if database:
            args.append(database)
        return args

    def client_env(self) -> dict[str, str]:
        """Environment for a client subprocess: the password, if any, as MYSQL_PWD."""
        env = dict(os.environ)
        pw = self.effective_password()
        if pw is not None:
            env["MYSQL_PWD"] = pw
        return env

    def shell_hint(self, database: str | None = None) -> str:
        return shlex.join(self.client_command(database=database))


def _server_error(exc: Exception, context: str) -> ServerError:
    args = getattr(exc, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else 0
    message = args[1] if len(args) > 1 else str(exc)
    return ServerError(errno, str(message), context)


class Connection:
    """One session on a server. Values come back as raw bytes (or None for NULL)."""

    def __init__(self, options: ConnectionOptions, database: str | None = None, local_infile: bool = False):
        options = options.resolved()  # option files and environment already applied: explicit below
        self.options = options
        kwargs: dict = {"conv": {}, "connect_timeout": options.connect_timeout}
        if local_infile:  # only for load_local(), which never sends a file from disk
            kwargs["local_infile"] = 1
        if options.defaults_file:
            kwargs["read_default_file"] = options.defaults_file
        kwargs["read_default_group"] = "client"  # the files' other [client] settings, like the mysql client
        if options.uses_socket():
            kwargs["host"] = "localhost"
            if options.socket:
                kwargs["unix_socket"] = options.socket
        else:
            kwargs["host"] = options.host or "127.0.0.1"
            kwargs["port"] = options.port or 3306
        if options.user:
            kwargs["user"] = options.user
        if options.password is not None:
            kwargs["password"] = options.password
        ssl = {k: v for k, v in (("ca", options.ssl_ca), ("cert", options.ssl_cert), ("key", options.ssl_key)) if v}
        if ssl and options.ssl_mode != "DISABLED":
            kwargs["ssl"] = ssl
        if options.ssl_mode:
            kwargs["ssl_mode"] = options.ssl_mode
        if database:
            kwargs["database"] = database
        try:
            self._conn = _mysql.connect(**kwargs)
            self._conn.set_character_set("utf8mb4")
        except mysql_exc.MySQLError as exc:
            err = _server_error(exc, f"cannot connect to {options.describe()}")
            raise ConnectError(
                err.errno,
                err.server_message,
                f"cannot connect to {options.describe()}",
                hint="check --host/--port/--socket/--user and the password",
            ) from None
        self.database = database
        self.server_version: str = self._conn.get_server_info()
        try:
            for statement in options.session_setup:
                self.execute(statement, context="setting up the session")
        except ServerError:
            self.close()
            raise
        if local_infile:
            from ..codec import _encoder as infile  # noqa: PLC0415 - only connections that load data
            infile.detach_infile(self._conn)  # no file from disk, whatever a server asks for
        if options.ssl_mode in ("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY") and not self.tls_cipher():
            # libmariadb accepts a plain connection when the server offers no TLS: refuse it here.
            self.close()
            raise ConnectError(2026, "TLS is required but the server does not offer it",
                               f"cannot connect to {options.describe()} with --ssl-mode={options.ssl_mode}",
                               hint="enable TLS on the server (ssl-cert/ssl-key) or drop --ssl-mode")

    def tls_cipher(self) -> str:
        """The TLS cipher of this session, or '' when it is not encrypted."""
        rows = self.query_text("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return rows[0][1] or "" if rows else ""

    # -- basic statements -------------------------------------------------
    def execute(self, sql: str | bytes, context: str = "") -> int:
        """Run one statement that returns no rows; returns affected rows."""
        try:
            self._conn.query(sql)
            result = self._conn.store_result()
            if result is not None:
                result.fetch_row(0)
            return self._conn.affected_rows()
        except mysql_exc.MySQLError as exc:
            raise _server_error(exc, context or _head(sql)) from None

    def commit(self, context: str = "") -> None:
        """COMMIT. A connection lost while it runs raises CommitInDoubt: the server may
        have committed before the answer was lost (a deadlock or a lock wait at COMMIT
        is a plain ServerError: those roll the transaction back)."""
        try:
            self.execute("COMMIT", context)
        except ServerError as exc:
            if exc.errno in LOST_ERRNOS:
                raise CommitInDoubt(exc.errno, exc.server_message, context or "COMMIT") from None
            raise

    def load_local(self, sql: str | bytes, blocks: Iterator[bytes], context: str = "") -> tuple[int, int]:
        """Run a LOAD DATA LOCAL INFILE whose data are ``blocks`` (streamed from memory,
        never a file); returns (affected rows, warnings). An exception raised by
        ``blocks`` ends the data and is raised here once the statement returns."""
        from ..codec import _encoder as infile  # noqa: PLC0415

        feed = infile.InfileFeed(blocks)
        infile.attach_infile(self._conn, feed)
        try:
            self._conn.query(sql)
            result = self._conn.store_result()
            if result is not None:
                result.fetch_row(0)
        except mysql_exc.MySQLError as exc:
            if feed.error is not None:
                raise feed.error from None
            raise _server_error(exc, context or _head(sql)) from None
        finally:
            infile.detach_infile(self._conn)
        if feed.error is not None:
            raise feed.error
        return self._conn.affected_rows(), self._conn.warning_count()

    def query(self, sql: str | bytes, context: str = "") -> list[Row]:
        """Run a query and fetch every row (for small results: metadata, counts)."""
        try:
            self._conn.query(sql)
            result = self._conn.store_result()
            return list(result.fetch_row(0)) if result is not None else []
        except mysql_exc.MySQLError as exc:
            raise _server_error(exc, context or _head(sql)) from None

    def query_text(self, sql: str, context: str = "") -> list[tuple]:
        """Like query() but decodes bytes as utf-8 (for metadata, never for data)."""
        return [tuple(None if v is None else v.decode("utf-8") for v in row) for row in self.query(sql, context)]

    def scalar(self, sql: str, context: str = ""):
        rows = self.query_text(sql, context)
        return rows[0][0] if rows else None

    def stream(self, sql: str | bytes, batch_rows: int = 2000, context: str = "") -> Iterator[Sequence[Row]]:
        """Yield batches of rows from an unbuffered (server-side) result.

        The server sends rows as the client reads them (mysql_use_result), so memory
        is bounded by the batch, never by the table. The connection is busy until the
        generator is exhausted or closed.
        """
        return self.batches(self.unbuffered_result(sql, context), batch_rows, context or _head(sql))

    def batches(self, result, batch_rows: int, context: str = "") -> Iterator[Sequence[Row]]:
        """Batches of row tuples from a result of unbuffered_result(), until it ends."""
        try:
            while True:
                try:
                    batch = result.fetch_row(batch_rows)
                except mysql_exc.MySQLError as exc:
                    raise _server_error(exc, context) from None
                if not batch:
                    return
                yield batch
        finally:
            del result  # frees the result; unread rows are discarded by the client library

    def unbuffered_result(self, sql: str | bytes, context: str = ""):
        """Start an unbuffered (server-side) result and hand over mysqlclient's result
        object, for the compiled encoder to read rows from directly. The connection is
        busy until the caller drops it."""
        try:
            self._conn.query(sql)
            return self._conn.use_result()
        except mysql_exc.MySQLError as exc:
            raise _server_error(exc, context or _head(sql)) from None

    def thread_id(self) -> int:
        return self._conn.thread_id()

    def ping(self) -> bool:
        try:
            self._conn.ping()
            return True
        except mysql_exc.MySQLError:
            return False

    def close(self) -> None:
        try:
            self._conn.close()
        except mysql_exc.MySQLError:
            pass

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- server facts -----------------------------------------------------
    @property
    def flavour(self) -> str:
        return server_flavour(self.server_version)

    def variable(self, name: str) -> str | None:
        rows = self.query_text(f"SELECT @@{name}")
        return rows[0][0] if rows else None


def server_flavour(version: str) -> str:
    """'mariadb' or 'mysql', from the version string the server reports."""
    return "mariadb" if "mariadb" in version.lower() else "mysql"


def version_tuple(version: str) -> tuple[int, int, int]:
    m = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)


def quote_ident(name: str) -> str:
    """Backtick-quote an identifier (table, column, database)."""
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str) -> str:
    """Quote a string literal for a statement dumpcore writes itself (not for row data)."""
    escaped = (
        value.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0").replace("\n", "\\n")
        .replace("\r", "\\r").replace("\x1a", "\\Z")
    )
    return "'" + escaped + "'"


def _head(sql: str | bytes) -> str:
    text = sql.decode("utf-8", "replace") if isinstance(sql, bytes) else sql
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
