"""One root error class; each subclass carries the context a user needs to act.

The CLI prints ``Error: <message>`` for any DumpcoreError and exits with its
``exit_code``; library callers catch the class they care about.
"""
from __future__ import annotations


class DumpcoreError(Exception):
    """Root of every error dumpcore raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} ({hint})")

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())


class UsageError(DumpcoreError):
    """Options that do not fit together, or a value of the wrong form."""

    exit_code = 2


class ServerError(DumpcoreError):
    """The server answered with an error: errno and message are kept."""

    def __init__(self, errno: int, server_message: str, context: str = "", hint: str | None = None):
        self.errno = errno
        self.server_message = server_message
        prefix = f"{context}: " if context else ""
        super().__init__(f"{prefix}server error {errno}: {server_message}", hint)


class CommitInDoubt(ServerError):
    """The connection was lost while its COMMIT ran: the server may or may not have
    committed, and this client cannot tell which."""


class ConnectError(ServerError):
    """The server could not be reached or refused the login."""


class SchemaError(DumpcoreError):
    """The schema (live or from a DDL file) is not what the operation needs."""


class UnknownTableError(SchemaError):
    """A table named by the user does not exist in the database."""


class UnknownDatabaseError(SchemaError):
    """A database named by the user does not exist on the server or in the dump."""


class GeneratedSQLError(DumpcoreError):
    """SQL that dumpcore generated did not parse: a bug in dumpcore, never ignored."""

    exit_code = 3


class OutputError(DumpcoreError):
    """The output location cannot be used (exists and not empty, not writable)."""


class StreamClosedError(OutputError):
    """The reader of a --stdout / cat stream went away before the stream was complete."""


class DumpIntegrityError(DumpcoreError):
    """A dump on disk does not match its manifest: missing, corrupt or truncated chunks."""


class RestoreError(DumpcoreError):
    """A restore could not be done, or finished with rows it could not load."""


class SandboxError(DumpcoreError):
    """The throwaway MariaDB server could not be started or found."""


class StorageError(DumpcoreError):
    """Object storage (``s3://...``) could not be reached or refused a request; the message
    names the URL and what was tried, never a credential."""
