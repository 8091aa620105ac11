"""Deferred secondary keys (dumpcore/restore/deferred_keys.py): tables a restore creates get their
plain KEYs and FOREIGN KEYs after the rows, and end exactly as the dump has them."""
import json
import signal
import subprocess
import time

import pytest

from clirun import DUMPCORE, conn_args, dumpcore
from dbcompare import assert_same_database, show_create
from dumpcore.connect.connection import quote_ident
from dumpcore.restore.deferred_keys import SMALL_ROWS, pending_deferred_keys, split_ddl
from dumpcore.dump.dump import DumpOptions, dump_to_directory
from dumpcore.restore.load_data import LOAD_METHODS
from dumpcore.records import replace
from dumpcore.errors import RestoreError
from dumpcore.restore.restore import RestoreOptions, restore
from test_safety import copy_dump
from conftest import journal_file

HEAD = "CREATE TABLE IF NOT EXISTS `t` (\n  `id` int(11) NOT NULL,\n  `a` int(11) DEFAULT NULL,\n"
TAIL = "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"


@pytest.mark.parametrize("keys, kept, clauses", [
    # plain keys and foreign keys go; the comma of the last kept line goes with them
    (["PRIMARY KEY (`id`)", "KEY `ka` (`a`)", "CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`)"],
     ["PRIMARY KEY (`id`)"], ["ADD KEY `ka` (`a`)", "ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`)"]),
    # UNIQUE and CHECK stay, in place
    (["PRIMARY KEY (`id`)", "UNIQUE KEY `ua` (`a`)", "KEY `k2` (`a`,`id`) COMMENT 'x, y'",
      "CONSTRAINT `c1` CHECK (`a` > 0)"],
     ["PRIMARY KEY (`id`)", "UNIQUE KEY `ua` (`a`)", "CONSTRAINT `c1` CHECK (`a` > 0)"],
     ["ADD KEY `k2` (`a`,`id`) COMMENT 'x, y'"]),
    # a key the ALTER would append after: nothing is deferred
    (["PRIMARY KEY (`id`)", "KEY `ka` (`a`)", "FULLTEXT KEY `ft` (`b`)"], None, None),
    (["PRIMARY KEY (`id`)", "KEY `ka` (`a`)", "SPATIAL KEY `sp` (`g`)"], None, None),
    (["PRIMARY KEY (`id`)", "KEY `ka` (`a`)", "UNIQUE KEY `ub` (`b`) USING HASH"], None, None),
    # nothing to defer
    (["PRIMARY KEY (`id`)", "UNIQUE KEY `ua` (`a`)"], None, None),
])
def test_split_ddl(keys, kept, clauses):
    split = split_ddl(HEAD + ",\n".join(f"  {k}" for k in keys) + TAIL)
    if kept is None:
        assert split is None
        return
    stripped, got = split
    assert got == clauses
    assert stripped == (HEAD.replace(" IF NOT EXISTS", "") + ",\n".join(f"  {k}" for k in kept) + TAIL)


def test_split_ddl_leaves_other_engines_and_versioned_tables():
    ddl = HEAD + "  PRIMARY KEY (`id`),\n  KEY `ka` (`a`)" + TAIL
    assert split_ddl(ddl) is not None
    assert split_ddl(ddl.replace("InnoDB", "MyISAM")) is None
    assert split_ddl(ddl + " WITH SYSTEM VERSIONING") is None


@pytest.fixture(scope="module")
def keyed(server, tmp_path_factory):
    """Odd keys: prefix, multi-column, comment, FULLTEXT (not deferred), self and cross foreign
    keys with actions, a unique key on a deferred table, a CHECK constraint."""
    name = "keys_src"
    q = quote_ident(name)
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {q}")
        c.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4")
        c.execute(f"USE {q}")
        c.execute("CREATE TABLE parent (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL, up INT NULL, "
                  "UNIQUE KEY u_code (code), KEY k_up (up), "
                  "CONSTRAINT fk_up FOREIGN KEY (up) REFERENCES parent (id) ON DELETE SET NULL, "
                  "CONSTRAINT chk_code CHECK (code <> '')) ENGINE=InnoDB")
        c.execute("CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id INT NOT NULL, note TEXT, "
                  "name VARCHAR(100), KEY k_name (name(10), id) COMMENT 'prefix, then id', "
                  "KEY k_parent (parent_id), CONSTRAINT fk_child FOREIGN KEY (parent_id) REFERENCES parent (id) "
                  "ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB")
        c.execute("CREATE TABLE doc (id INT PRIMARY KEY, parent_id INT, body TEXT, KEY k_p (parent_id), "
                  "FULLTEXT KEY ft_body (body)) ENGINE=InnoDB")
        # both above SMALL_ROWS (a table of at most that many rows is created with its keys)
        c.execute(f"INSERT INTO parent SELECT seq, CONCAT('c', seq), IF(seq > 1, seq - 1, NULL) FROM seq_1_to_12000")
        c.execute("INSERT INTO child SELECT seq, 1 + seq % 12000, REPEAT('n', seq % 30), CONCAT('name ', seq % 97) "
                  "FROM seq_1_to_20000")
        c.execute("INSERT INTO doc SELECT seq, seq % 50, CONCAT('word', seq % 13, ' other') FROM seq_1_to_500")
    out = tmp_path_factory.mktemp("keys") / "dump"
    dump_to_directory(server, name, out, DumpOptions(chunk_size=64 << 10, statement_size=16 << 10))
    yield name, out
    with server.connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {q}")


def _journal(d, db) -> list[dict]:
    path = next((d / "journal").glob(f"*/{db}.jsonl"))  # journal/<server>/<db>.jsonl
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("method", LOAD_METHODS)
def test_created_tables_get_their_keys_after_the_load_and_match_the_dump(server, conn, keyed, tmp_path, db, method):
    name, out = keyed
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(db)}")
    d = copy_dump(out, tmp_path / "d")
    summary = restore(d, server, RestoreOptions(database=db, parallel=2, load_method=method))
    assert summary.failure() is None
    assert_same_database(conn, name, db)
    events = _journal(d, db)
    deferred = {e["table"] for e in events if e.get("event") == "keys_deferred"}
    assert deferred == {"parent", "child"}  # doc has a FULLTEXT key after its plain one
    assert {e["table"] for e in events if e.get("event") == "keys_restored"} == deferred
    assert pending_deferred_keys(events) == {}


def test_a_small_table_is_created_with_its_keys_and_a_big_one_gets_them_after(server, conn, tmp_path, db):
    """A table of at most SMALL_ROWS rows builds its keys row by row (cheaper than the ALTER
    of a deferral); a bigger one is deferred. Both end as the dump has them."""
    src = f"{db}_src"
    q = quote_ident(src)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q}")
    with server.connect(src) as c:
        for name, rows in (("small", SMALL_ROWS), ("big", SMALL_ROWS + 1)):
            c.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, p INT, v VARCHAR(20), KEY k_v (v), "
                      f"CONSTRAINT fk_{name} FOREIGN KEY (p) REFERENCES {name} (id)) ENGINE=InnoDB")
            c.execute(f"INSERT INTO {name} SELECT seq, NULLIF(seq - 1, 0), CONCAT('v', seq % 77) FROM seq_1_to_{rows}")
    try:
        out = tmp_path / "d"
        dump_to_directory(server, src, out, DumpOptions())
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(db)}")
        assert restore(out, server, RestoreOptions(database=db, parallel=2)).failure() is None
        assert_same_database(conn, src, db)
        events = _journal(out, db)
        assert {e["table"] for e in events if e.get("event") == "keys_deferred"} == {"big"}
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {q}")


def test_keys_are_added_as_soon_as_their_tables_are_in_and_before_tables_no_alter_waits_for(
        server, conn, keyed, tmp_path, db):
    # doc has no deferred keys and no foreign key points at it: it loads last, so the ALTERs
    # of parent and child run while it loads (on one connection: right before it)
    name, out = keyed
    conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(db)}")
    d = copy_dump(out, tmp_path / "d")
    assert restore(d, server, RestoreOptions(database=db, parallel=1)).failure() is None
    assert_same_database(conn, name, db)
    events = _journal(d, db)
    restored = [i for i, e in enumerate(events) if e.get("event") == "keys_restored"]
    doc_commits = [i for i, e in enumerate(events) if e.get("event") == "commit" and "/doc." in e["file"]]
    keyed_commits = [i for i, e in enumerate(events) if e.get("event") == "commit" and "/doc." not in e["file"]]
    assert len(restored) == 2 and doc_commits and keyed_commits
    assert max(keyed_commits) < min(restored) < max(restored) < min(doc_commits)


def test_an_existing_table_keeps_todays_path(server, conn, keyed, tmp_path, db):
    name, out = keyed
    q = quote_ident(db)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q}")
    conn.execute(f"USE {q}")
    conn.execute(conn.query_text(f"SHOW CREATE TABLE {quote_ident(name)}.parent")[0][1])
    d = copy_dump(out, tmp_path / "d")
    restore(d, server, RestoreOptions(database=db, parallel=2, cleanup=True))
    assert_same_database(conn, name, db)
    assert {e["table"] for e in _journal(d, db) if e.get("event") == "keys_deferred"} == {"child"}


def _wait_for(pred, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


@pytest.mark.parametrize("again", [["--resume"], []])
def test_killed_between_load_and_alter_then_run_again_ends_with_the_keys(server, conn, keyed, tmp_path, db, again):
    """The ALTER is held by a reader's metadata lock, the restore is killed while it waits
    (and the waiting ALTER with it): the tables hold every row and lack their keys. A
    --resume, or a plain restore of the same target, puts them back."""
    name, out = keyed
    q = quote_ident(db)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    d = copy_dump(out, tmp_path / "d")
    journal = journal_file(d, server, db)
    chunks = sum(len(t["chunks"]) for t in json.loads((d / "manifest.json").read_text())["tables"]
                 if t["name"] != "doc")
    # one connection: the ALTERs come after the rows of parent and child (doc, which no ALTER
    # waits for, loads after them)
    proc = subprocess.Popen([str(DUMPCORE), "restore", str(d), "-D", db, "--parallel", "1", "-q", *conn_args(server)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with server.connect() as reader:
        _wait_for(lambda: journal.exists() and '"keys_deferred","table":"child"' in journal.read_text())
        _wait_for(lambda: conn.query(f"SHOW TABLES FROM {q} LIKE 'child'"))
        reader.execute("START TRANSACTION")
        reader.query(f"SELECT 1 FROM {q}.child LIMIT 0")  # a metadata lock the ALTER must wait for; no row read
        _wait_for(lambda: conn.query("SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE%' "
                                     "AND STATE LIKE 'Waiting for table metadata lock%'"))
        assert sum(1 for e in _journal(d, db) if e.get("event") == "commit" and "/doc." not in e["file"]) == chunks
        proc.kill()
        proc.wait(timeout=60)
        for (pid,) in conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE%'"):
            conn.execute(f"KILL {int(pid)}")  # the server would finish it once the lock goes
        reader.execute("ROLLBACK")
    assert "KEY `k_parent`" not in show_create(conn, db, "child")
    assert set(pending_deferred_keys(_journal(d, db))) >= {"child"}
    proc2 = dumpcore("restore", str(d), "-D", db, "--parallel", "2", "-q", *again, *conn_args(server))
    assert proc2.returncode == 0, proc2.stderr.decode()
    assert_same_database(conn, name, db)
    assert pending_deferred_keys(_journal(d, db)) == {}


def test_a_load_that_fails_still_leaves_the_created_tables_with_their_keys(server, conn, keyed, tmp_path, db):
    """A user who may create and alter but not insert: the first chunk fails the restore
    (one error), and the tables it created have their keys all the same."""
    name, out = keyed
    q = quote_ident(db)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q}")
    conn.execute("DROP USER IF EXISTS 'keys_noinsert'@'%'")
    conn.execute("CREATE USER 'keys_noinsert'@'%' IDENTIFIED BY 'pw'")
    conn.execute(f"GRANT SELECT, CREATE, ALTER, INDEX, REFERENCES, DROP ON {q}.* TO 'keys_noinsert'@'%'")
    try:
        user = replace(server, user="keys_noinsert", password="pw")
        with pytest.raises(RestoreError) as err:
            restore(copy_dump(out, tmp_path / "d"), user, RestoreOptions(database=db, parallel=2))
        assert "INSERT command denied" in str(err.value)
        for table in ("parent", "child", "doc"):
            assert show_create(conn, db, table) == show_create(conn, name, table)
    finally:
        conn.execute("DROP USER IF EXISTS 'keys_noinsert'@'%'")


def test_many_tables_are_created_side_by_side_and_tables_with_foreign_keys_alone(server, conn, tmp_path, db):
    # 60 tables: plain ones spread over the loading connections; those with a foreign key (a
    # cycle among them, one big enough to have its keys deferred) created by one connection
    q = quote_ident(db)
    for i in range(55):
        conn.execute(f"CREATE TABLE {q}.p{i:02d} (id INT PRIMARY KEY, v VARCHAR(20), KEY (v))")
        conn.execute(f"INSERT INTO {q}.p{i:02d} SELECT seq, CONCAT('v', seq) FROM {q}.seq_1_to_{i + 1}")
    conn.execute(f"CREATE TABLE {q}.fa (id INT PRIMARY KEY, b INT, p INT, KEY (b), "
                 f"FOREIGN KEY (p) REFERENCES {q}.p00 (id))")
    conn.execute(f"CREATE TABLE {q}.fb (id INT PRIMARY KEY, a INT, FOREIGN KEY (a) REFERENCES {q}.fa (id))")
    conn.execute(f"ALTER TABLE {q}.fa ADD FOREIGN KEY (b) REFERENCES {q}.fb (id)")
    conn.execute(f"CREATE TABLE {q}.big (id INT PRIMARY KEY, a INT, KEY (a), FOREIGN KEY (a) REFERENCES {q}.fa (id))")
    conn.execute(f"INSERT INTO {q}.big SELECT seq, NULL FROM {q}.seq_1_to_{SMALL_ROWS + 5}")
    conn.execute(f"CREATE TABLE {q}.big2 (id INT PRIMARY KEY, w INT, KEY (w))")
    conn.execute(f"INSERT INTO {q}.big2 SELECT seq, seq % 7 FROM {q}.seq_1_to_{SMALL_ROWS + 5}")
    dump_to_directory(server, db, tmp_path / "d", DumpOptions(workers=1))
    target = db + "_side"
    conn.execute("SET GLOBAL log_output = 'TABLE'")
    conn.execute("TRUNCATE TABLE mysql.general_log")
    conn.execute("SET GLOBAL general_log = 1")
    try:
        s = restore(tmp_path / "d", server, RestoreOptions(database=target, parallel=2))
    finally:
        conn.execute("SET GLOBAL general_log = 0")
    try:
        creates = conn.query_text("SELECT thread_id, CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                                  "WHERE command_type = 'Query' AND argument LIKE 'CREATE TABLE%'")
        assert s.failure() is None and s.proof_state() == "proven"
        assert_same_database(conn, db, target)
        plain = {t for t, sql in creates if "REFERENCES" not in sql.upper()}
        related = {t for t, sql in creates if "REFERENCES" in sql.upper()}
        assert len(creates) >= 59 and len(plain) == 2 and len(related) == 1 and related <= plain, creates
    finally:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(target)}")
