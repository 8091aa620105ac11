"""Replication coordinates of a dump's snapshot, and the statements that seed a replica.

The binary log file/position and the GTID position are read while commits are blocked
around ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` (MariaDB: ``BACKUP STAGE
BLOCK_COMMIT``; MySQL: ``FLUSH TABLES WITH READ LOCK``), so they name exactly the state
the snapshot sees. Without the RELOAD privilege MariaDB still gives an exact answer:
its ``Binlog_snapshot_file`` / ``Binlog_snapshot_position`` status variables are the
binlog position of the session's consistent snapshot, and ``BINLOG_GTID_POS()`` turns
that position into a GTID position. The manifest records which method was used, or,
when the binary log is off, ``"binlog": null`` with the reason.
"""
from __future__ import annotations


from ..connect.connection import Connection, quote_string, version_tuple
from ..errors import ServerError
from ..store.manifest import read_any_manifest
from ..records import record

LOCKED_MARIADB = "backup_stage_block_commit"
LOCKED_MYSQL = "flush_tables_with_read_lock"
SNAPSHOT_STATUS = "binlog_snapshot_status"  # MariaDB, no lock needed
UNLOCKED = "unlocked"  # MySQL without RELOAD: read next to the snapshot, may be off by concurrent commits


def has_backup_stage(conn: Connection) -> bool:
    """Whether the commit lock is MariaDB's BACKUP STAGE (10.4.1+) rather than FLUSH TABLES
    WITH READ LOCK, which waits behind every running query."""
    return conn.flavour == "mariadb" and version_tuple(conn.server_version) >= (10, 4, 1)


def block_commits(conn: Connection) -> str:
    """Block commits (and binlog writes) briefly; returns the statement that releases
    the lock. Needs RELOAD; raises ServerError without it."""
    if has_backup_stage(conn):
        conn.execute("BACKUP STAGE START")
        try:
            conn.execute("BACKUP STAGE BLOCK_COMMIT")
        except ServerError:
            conn.execute("BACKUP STAGE END")
            raise
        return "BACKUP STAGE END"
    conn.execute("FLUSH TABLES WITH READ LOCK")
    return "UNLOCK TABLES"


def binlog_enabled(conn: Connection) -> bool:
    return (conn.variable("log_bin") or "0").upper() in ("1", "ON")


@record
class SnapshotPosition:
    """Where the snapshot stands in the source's binary log (file None: binlog off)."""

    flavour: str
    server_version: str
    file: str | None = None
    position: int | None = None
    gtid: str | None = None
    method: str | None = None
    reason: str | None = None  # why there is no position
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The manifest's ``replication`` entry."""
        if self.file is None:
            return {"binlog": None, "reason": self.reason, "gtid": self.gtid, "flavour": self.flavour}
        return {"binlog": {"file": self.file, "position": self.position},
                "gtid": self.gtid, "gtid_variable": "gtid_binlog_pos" if self.flavour == "mariadb" else "gtid_executed",
                "method": self.method, "flavour": self.flavour, "server_version": self.server_version,
                "notes": list(self.notes)}


def off_position(conn: Connection) -> SnapshotPosition:
    return SnapshotPosition(conn.flavour, conn.server_version,
                            reason="the binary log is off on the source (log_bin=OFF): no position to record")


def read_locked(conn: Connection) -> SnapshotPosition:
    """The position while commits are blocked (by block_commits on any connection)."""
    flavour = conn.flavour
    if flavour == "mariadb":
        rows = conn.query_text("SHOW MASTER STATUS")
        gtid = conn.variable("gtid_binlog_pos")
        method = LOCKED_MARIADB
    else:
        status = "SHOW BINARY LOG STATUS" if version_tuple(conn.server_version) >= (8, 2, 0) else "SHOW MASTER STATUS"
        rows = conn.query_text(status)
        gtid = rows[0][4] if rows and len(rows[0]) > 4 else conn.variable("gtid_executed")
        method = LOCKED_MYSQL
    if not rows:
        return off_position(conn)
    return SnapshotPosition(flavour, conn.server_version, rows[0][0], int(rows[0][1]), _clean_gtid(gtid), method)


def read_from_snapshot(conn: Connection) -> SnapshotPosition:
    """The position without a lock, from the session that holds the snapshot.

    MariaDB: exact (the consistent snapshot's own binlog position). MySQL has no such
    variable: the current position is read and marked as possibly inexact.
    """
    if conn.flavour != "mariadb":
        pos = read_locked(conn)
        if pos.file is not None:
            pos.method = UNLOCKED
            pos.notes = ("read without a commit lock (no RELOAD): commits between the snapshot and this read "
                         "may be included",)
        return pos
    status = dict(conn.query_text("SHOW STATUS LIKE 'binlog_snapshot_%'"))
    file, position = status.get("Binlog_snapshot_file"), status.get("Binlog_snapshot_position")
    if not file:
        return off_position(conn)
    notes: tuple[str, ...] = ()
    try:
        gtid = conn.scalar(f"SELECT BINLOG_GTID_POS({quote_string(file)}, {int(position)})")
    except ServerError as exc:
        gtid = None
        notes = (f"GTID position not derived: {exc.one_line()}",)
    return SnapshotPosition("mariadb", conn.server_version, file, int(position), _clean_gtid(gtid), SNAPSHOT_STATUS,
                            notes=notes)


def _clean_gtid(gtid: str | None) -> str | None:
    return " ".join(gtid.split()) if gtid else gtid  # MySQL's gtid_executed has newlines between UUIDs


# ---------------------------------------------------------------------------
# Statements for a replica


def replication_statements(replication: dict | None, source_version: str = "") -> list[str]:
    """``CHANGE MASTER TO`` (and GTID) statements that start a replica at the snapshot.

    ``replication``: a manifest's ``replication`` entry. Empty when it has no position.
    Lines starting with ``--`` are comments telling the two ways apart.
    """
    if not replication or not replication.get("binlog"):
        return []
    binlog = replication["binlog"]
    file, pos = quote_string(binlog["file"]), int(binlog["position"])
    gtid = replication.get("gtid")
    version = replication.get("server_version") or source_version
    out = []
    if replication.get("flavour") == "mariadb":
        out += ["-- by binary log file and position:",
                f"CHANGE MASTER TO MASTER_LOG_FILE={file}, MASTER_LOG_POS={pos};"]
        if gtid is not None:
            out += ["-- or by GTID (MariaDB):",
                    f"SET GLOBAL gtid_slave_pos = {quote_string(gtid)};",
                    "CHANGE MASTER TO MASTER_USE_GTID=slave_pos;"]
        return out
    v = version_tuple(version)
    if v >= (8, 0, 23):
        change, log_file, log_pos, auto = ("CHANGE REPLICATION SOURCE TO", "SOURCE_LOG_FILE", "SOURCE_LOG_POS",
                                           "SOURCE_AUTO_POSITION")
    else:
        change, log_file, log_pos, auto = ("CHANGE MASTER TO", "MASTER_LOG_FILE", "MASTER_LOG_POS",
                                           "MASTER_AUTO_POSITION")
    out += ["-- by binary log file and position:", f"{change} {log_file}={file}, {log_pos}={pos};"]
    if gtid:
        reset = "RESET BINARY LOGS AND GTIDS" if v >= (8, 4, 0) else "RESET MASTER"
        out += ["-- or by GTID (MySQL; on the replica, which must have gtid_mode=ON):",
                f"{reset};",
                f"SET @@GLOBAL.gtid_purged = {quote_string(gtid)};",
                f"{change} {auto}=1;"]
    return out


def describe(replication: dict | None) -> str:
    """One line for summaries: where the snapshot stands in the binary log."""
    if not replication:
        return "replication: no position recorded (dump made before dumpcore recorded one)"
    if not replication.get("binlog"):
        return f"replication: none recorded; {replication.get('reason')}"
    b = replication["binlog"]
    gtid = f", GTID {replication['gtid']}" if replication.get("gtid") else ""
    return f"replication: binlog {b['file']}:{b['position']}{gtid} (read by {replication.get('method')})"


def replication_report(directory) -> list[str]:
    """What ``restore --print-replication DIR`` prints: a comment line naming the
    position (or why there is none), then the statements."""
    data = read_any_manifest(directory).data
    rep = data.get("replication")
    return [f"-- {describe(rep)}", *replication_statements(rep, (data.get("source") or {}).get("server_version", ""))]
