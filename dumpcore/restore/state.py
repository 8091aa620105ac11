"""A restore's own state: where it lives, and a journal bound to the target it describes.

State is the journal (chunks begun and committed), rejected rows and the target's saved
triggers. It goes to ``--state-dir DIR``; by default into the dump directory when that is
writable, else into a folder of the user's state directory named after the dump's
manifest hash (``$XDG_STATE_HOME/dumpcore/`` or ``~/.local/state/dumpcore/``), so a
read-only dump (a mounted snapshot, another user's files) restores all the same and a
second restore of the same dump finds its journal again. Every file is private (0600).

The journal's first line says which server (``@@server_uuid``, else
``@@hostname:@@port``) and which database it is about, and when the restore started.
``--resume`` refuses a journal written for another target, or one whose committed rows
the live tables can no longer hold (the database was dropped or emptied since): resuming
would skip chunks that are not there and report success over missing rows.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ..connect.connection import Connection, quote_ident, quote_string
from ..errors import OutputError, RestoreError, ServerError
from ..store.manifest import Manifest
from ..store.private import open_private, private_dir
from ..records import fields, record


def _file_stem(database: str) -> str:
    return quote(database, safe="")


@record
class StateDir:
    """Where one restore keeps its journal, rejects and saved triggers."""

    path: Path
    origin: str  # why this place: "--state-dir", "the dump directory", "the user's state directory ..."

    def journal_path(self, database: str, server: str) -> Path:
        """``journal/<server>/<database>.jsonl``: restores of one dump into databases of the
        same name on two servers keep their journals apart (one would otherwise start its
        own over the other's, and that restore could no longer resume). A journal an older
        dumpcore left at ``journal/<database>.jsonl`` for this server is used where it is."""
        path = self.path / "journal" / _file_stem(server) / f"{_file_stem(database)}.jsonl"
        legacy = self.path / "journal" / f"{_file_stem(database)}.jsonl"
        if not path.exists() and legacy.is_file() and _journal_server(legacy) == server:
            return legacy
        return path

    def saved_triggers_path(self, database: str, server: str) -> Path:
        return self.path / "journal" / _file_stem(server) / f"{_file_stem(database)}.saved-triggers.sql"

    @property
    def rejects_dir(self) -> Path:
        return self.path / "rejects"

    def rejects_for(self, server: str, database: str) -> Path:
        """``rejects/<server>/<database>/``: restores of one dump into different targets
        keep their rejected rows apart."""
        path = self.rejects_dir / _file_stem(server) / _file_stem(database)
        for sub in (path.parent, path):  # as _checked: no symlink sends rejected rows elsewhere
            if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
                raise OutputError(f"{sub} is a symlink or not a directory; restore state is written only into plain "
                                  "directories", hint="remove it, or give another place with --state-dir DIR")
        return path

    def describe(self) -> str:
        return f"{self.path} ({self.origin})"


def _journal_server(path: Path) -> str | None:
    """The server a journal's start line names (None: unreadable, or no start line)."""
    try:
        with open(path, encoding="utf-8") as f:
            start = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    return start.get("server") if isinstance(start, dict) and start.get("event") == "start" else None


def user_state_root() -> Path:
    """``$XDG_STATE_HOME/dumpcore``, else ``~/.local/state/dumpcore``."""
    base = os.environ.get("XDG_STATE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "dumpcore"


def _writable(directory: Path) -> bool:
    """Whether state can be written under ``directory``: tried, not guessed from mode bits
    (root ignores them; a read-only mount or FUSE store does not)."""
    if not os.access(directory, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".dumpcore-probe-"):
            return True
    except OSError:
        return False


def resolve_state_dir(dump_dir: Path, manifest: Manifest, explicit: str | os.PathLike | None = None) -> StateDir:
    """The state directory for restoring the dump in ``dump_dir`` (created, 0700)."""
    if explicit is not None:
        path, origin = Path(explicit), "--state-dir"
    elif _writable(dump_dir):
        return _checked(StateDir(dump_dir, "the dump directory"))
    else:
        digest = str(manifest.data.get("manifest_xxh3_128") or "")[:16]
        name = re.sub(r"[^\w.-]", "_", manifest.database)[:64]
        path = user_state_root() / f"{name}-{digest}"
        origin = "the dump directory is not writable"
    try:
        private_dir(path, parents=True)
    except OSError as exc:
        raise OutputError(f"cannot create the restore's state directory {path}: {exc.strerror or exc}",
                          hint="give a writable one with --state-dir DIR") from None
    if not _writable(path):
        raise OutputError(f"the restore's state directory {path} is not writable",
                          hint="give a writable one with --state-dir DIR")
    return _checked(StateDir(path, origin))


def _checked(state: StateDir) -> StateDir:
    """A symlinked journal/ or rejects/ (say, in a crafted dump) would send writes elsewhere."""
    for sub in (state.path / "journal", state.rejects_dir):
        if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
            raise OutputError(f"{sub} is a symlink or not a directory; restore state is written only into plain "
                              "directories", hint="remove it, or give another place with --state-dir DIR")
    return state


# ---------------------------------------------------------------------------
# The journal


def state_write_error(path: Path, exc: OSError, database: str, started: bool) -> OutputError:
    """A file of the restore's state could not be written (a full disk, a quota): one line
    naming it, what the target holds, and how to go on. ``started``: whether a journal line
    was written, so that --resume can continue."""
    what = "the restore's journal" if path.suffix == ".jsonl" else "restore state"
    if not started:
        return OutputError(f"cannot write {what} {path}: {exc.strerror or exc}; nothing was written to `{database}`",
                           hint="free space there (or give another --state-dir DIR) and run the same restore again")
    return OutputError(f"cannot write {what} {path}: {exc.strerror or exc}; the chunks committed so far stay in "
                       f"`{database}` and are recorded in the journal",
                       hint="free space there and run the same restore with --resume (a chunk committed but not "
                            "recorded is loaded again: keyed rows are upserted, keyless chunks are settled by content)")


class Journal:
    """Append-only JSON lines; every line is flushed and fsynced; the file is private.

    A line that cannot be written (ENOSPC) ends the journal: OutputError, and no line after
    it. A line cut short at the end of the file is dropped when the journal is reopened
    for --resume, so what that run appends starts on a line of its own."""

    def __init__(self, path: Path, database: str = ""):
        self.path = path
        self.database = database
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()  # one fsync at a time, covering every line written before it
        self._f = None
        self._lines = 0  # written whole by this process, or found when reopened
        self._synced = 0  # lines known on disk
        self._failed: OutputError | None = None

    def open(self, fresh: bool) -> None:
        try:
            private_dir(self.path.parent, parents=True)
            if not fresh:
                self._lines = self._drop_cut_line()
            self._f = open_private(self.path, "w" if fresh else "a", encoding="utf-8")
        except OSError as exc:
            raise state_write_error(self.path, exc, self.database, self._lines > 0) from None

    def _drop_cut_line(self) -> int:
        """Truncate a last line without its newline; the number of whole lines."""
        with open(self.path, "rb+") as f:
            data = f.read()
            whole = data[:data.rfind(b"\n") + 1]
            if len(whole) != len(data):
                f.truncate(len(whole))
        return whole.count(b"\n")

    def write(self, _sync: bool = True, **event) -> None:
        """Append an event; it is on disk when this returns. Loaders write side by side: the
        line is written under one lock and the fsync taken under another, so one fsync
        puts on disk every line written before it (a group commit) and a line another
        thread's fsync covered needs none of its own (1,000 small tables: two fsyncs a
        chunk, taken in turn, were the restore's largest client cost).

        ``_sync=False``: written and flushed (it survives the process, not the machine),
        put on disk by the next fsync of any line. For the chunks of a keyed table: loading
        one again after a crash of the machine changes nothing (upserts), so its lines need
        no fsync of their own (at 2,000 tables, the fsyncs were a fifth of the loaders' time)."""
        line = json.dumps(event, separators=(",", ":"))
        with self._lock:
            if self._failed is not None:
                raise self._failed
            try:
                self._f.write(line + "\n")  # type: ignore[union-attr]
                self._f.flush()  # type: ignore[union-attr]
            except OSError as exc:
                self._failed = state_write_error(self.path, exc, self.database, self._lines > 0)
                raise self._failed from None
            self._lines += 1
            mine = self._lines
        if not _sync:
            return
        with self._sync_lock:
            if self._synced >= mine:
                return
            upto = self._lines  # every line written (flushed) by now is in this fsync
            try:
                os.fsync(self._f.fileno())  # type: ignore[union-attr]
            except OSError as exc:
                with self._lock:
                    self._failed = self._failed or state_write_error(self.path, exc, self.database, True)
                raise self._failed from None
            self._synced = upto

    def close(self) -> None:
        if self._f:
            try:
                self._f.close()
            except OSError:  # the line that could not be flushed was reported by write()
                pass
            self._f = None

    def read(self) -> list[dict]:
        events = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    break  # a line cut by a crash ends the journal
                if isinstance(event, dict):
                    events.append(event)
        return events


def server_identity(conn: Connection) -> str:
    """``@@server_uuid`` (MySQL), else ``@@hostname:@@port`` (MariaDB has no server uuid)."""
    try:
        uuid = conn.scalar("SELECT @@server_uuid")
        if uuid:
            return str(uuid)
    except ServerError:
        pass
    row = conn.query_text("SELECT @@hostname, @@port")[0]
    return f"{row[0]}:{row[1]}"


def start_event(server: str, database: str) -> dict:
    """The journal's first line: the target it is bound to, and when the restore started."""
    now = datetime.now(timezone.utc)
    return {"event": "start", "server": server, "database": database,
            "started_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "time": now.timestamp()}


def check_journal_target(events: list[dict], path: Path, server: str, database: str) -> None:
    """Refuse to resume from a journal written for another server or database."""
    start = next((e for e in events if e.get("event") == "start"), None)
    hint = "run without --resume to restore from the start"
    if start is None or "server" not in start:
        raise RestoreError(f"cannot resume: the journal {path} does not say which server and database it belongs to "
                           "(written by an older dumpcore, or cut short)", hint=hint)
    if start.get("server") != server or start.get("database") != database:
        raise RestoreError(f"cannot resume: the journal {path} belongs to a restore into `{start.get('database')}` on "
                           f"{start.get('server')} started {start.get('started_at')}, not to `{database}` on {server}",
                           hint=hint)


def committed_rows(events: list[dict], manifest: Manifest) -> dict[str, int]:
    """Rows the journal says were committed, per table (each chunk counted once)."""
    table_of = {c["xxh3_128"]: t["name"] for t, c in manifest.chunks()}
    seen: set[str] = set()
    rows: dict[str, int] = {}
    for ev in events:
        if ev.get("event") != "commit" or ev.get("xxh3_128") in seen:
            continue
        seen.add(ev.get("xxh3_128"))
        table = table_of.get(ev.get("xxh3_128"))
        if table is not None:
            rows[table] = rows.get(table, 0) + int(ev.get("rows", 0))
    return rows


def live_row_counts(conn: Connection, database: str, tables: list[str],
                    all_versions: set[str] | frozenset = frozenset(),
                    exist: set[str] | frozenset = frozenset()) -> dict[str, int]:
    """``COUNT(*)`` of each table; 0 for a table (or database) that does not exist.
    ``all_versions``: tables dumped with their history, counted FOR SYSTEM_TIME ALL;
    ``exist``: tables known to exist (a load into them just completed), not looked up."""
    if not tables:
        return {}
    # only the tables asked about: the whole schema's list, read after every chunk of a
    # many-table restore, made its client CPU grow with the square of the table count
    unknown = [t for t in tables if t not in exist]
    present = set(tables) - set(unknown)
    if unknown:
        present |= {r[0] for r in conn.query_text(
            f"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {quote_string(database)} "
            f"AND TABLE_NAME IN ({', '.join(quote_string(t) for t in unknown)})")}
    counts = {t: 0 for t in tables}
    names = [t for t in tables if t in present]
    for i in range(0, len(names), COUNT_BATCH):  # one round trip for up to COUNT_BATCH tables
        batch = names[i:i + COUNT_BATCH]
        for name, n in conn.query_text(" UNION ALL ".join(
                f"SELECT {quote_string(t)}, COUNT(*) FROM {quote_ident(database)}.{quote_ident(t)}"
                + (" FOR SYSTEM_TIME ALL" if t in all_versions else "") for t in batch)):
            counts[name] = int(n or 0)
    return counts


COUNT_BATCH = 100


def with_history(entries: list[dict]) -> set[str]:
    """Tables of these manifest entries dumped with every row version (dump --dump-history)."""
    return {e["name"] for e in entries if e.get("history")}


def _short_of_journal(events: list[dict], manifest: Manifest, conn: Connection, database: str,
                      tables: list[str]) -> list[str]:
    """Tables holding fewer rows than the journal says were committed into them, said as such."""
    done = committed_rows(events, manifest)
    wanted = [t for t in tables if done.get(t)]
    live = live_row_counts(conn, database, wanted, with_history([e for t in wanted if (e := manifest.table(t))]))
    return [f"`{t}` holds {live[t]:,} of the {done[t]:,} rows committed" for t in wanted if live[t] < done[t]]


def check_committed_rows_present(events: list[dict], path: Path, manifest: Manifest, conn: Connection,
                                 database: str, tables: list[str]) -> None:
    """Refuse to resume when the live tables hold fewer rows than the journal says were committed."""
    short = _short_of_journal(events, manifest, conn, database, tables)
    if short:
        raise RestoreError(f"cannot resume: the journal {path} does not describe `{database}` any more: "
                           + ", ".join(short) + " (the database was dropped, emptied or changed since)",
                           hint="run without --resume to restore from the start")


@record
class InterruptedRestore:
    """A restore into this target that began and never wrote its ``done`` line (killed,
    interrupted, stopped by an error), whose committed rows are still in the target:
    ``--resume`` can finish it."""

    path: Path
    started_at: str
    tables: set[str]  # tables it began loading chunks into
    committed_chunks: int
    chunks: int  # chunks in the dump

    def describe(self) -> str:
        return (f"an interrupted restore into this database (journal {self.path}, started {self.started_at}, "
                f"{self.committed_chunks} of {self.chunks} chunks committed)")


def interrupted_restore(path: Path, manifest: Manifest, conn: Connection, server: str, database: str,
                        tables: list[str]) -> InterruptedRestore | None:
    """The unfinished restore the journal at ``path`` describes, when it is about this
    server and database and the target still holds what it committed; else None (no
    journal, a finished one, another target's, or one the target no longer matches, which
    ``--resume`` would refuse anyway)."""
    if not path.is_file():
        return None
    try:
        events = Journal(path).read()
    except (OSError, UnicodeDecodeError):
        return None
    start = next((e for e in events if e.get("event") == "start"), None)
    if (start is None or start.get("server") != server or start.get("database") != database
            or any(e.get("event") == "done" for e in events)):
        return None
    if _short_of_journal(events, manifest, conn, database, tables):
        return None
    table_of = {c["xxh3_128"]: t["name"] for t, c in manifest.chunks()}
    begun = {table_of[e["xxh3_128"]] for e in events
             if e.get("event") in ("begin", "commit") and e.get("xxh3_128") in table_of}
    committed = {e.get("xxh3_128") for e in events if e.get("event") == "commit"} & set(table_of)
    return InterruptedRestore(path, str(start.get("started_at") or "at an unknown time"), begun, len(committed),
                              len(table_of))


def triggers_deferred_event(triggers: list) -> dict:
    """The journal line written once ``--defer-triggers`` dropped the target's triggers: their
    full definitions, each with the context it was created under and its text as the bytes
    the server stored (hex: a body may hold bytes of another charset), so a restore killed
    before re-creating them can still do it on --resume, exactly."""
    out = []
    for t in triggers:
        item = {"name": t.name, "table": t.table, "sql_mode": t.sql_mode, "create_sql": t.create_sql}
        if t.context is not None:
            item["context"] = {f.name: getattr(t.context, f.name) for f in fields(t.context)}
        if t.encoded_sql is not None:
            item["encoded_sql_hex"] = t.encoded_sql.hex()
        out.append(item)
    return {"event": "triggers_deferred", "triggers": out}


def pending_deferred_triggers(events: list[dict]) -> list:
    """Triggers an interrupted restore dropped and did not re-create (``Trigger`` objects)."""
    from ..schema.schema import ObjectContext, Trigger

    pending: list = []
    for ev in events:
        if ev.get("event") == "triggers_deferred":
            pending = [Trigger(t["name"], t["table"], t.get("create_sql", ""), t.get("sql_mode"),
                               ObjectContext(**t["context"]) if isinstance(t.get("context"), dict) else None,
                               bytes.fromhex(t["encoded_sql_hex"]) if t.get("encoded_sql_hex") else None)
                       for t in ev.get("triggers", []) if isinstance(t, dict)]
        elif ev.get("event") == "triggers_restored":
            pending = []
    return pending
