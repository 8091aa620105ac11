"""bench/protocol_probe.c: both protocols read every row of a query, and the same values
(the lengths each reports are the values' text, or a fixed-size binary number's size)."""

import subprocess

from bench.protocol_probe import build
from dumpcore.connect.connection import quote_ident


def test_text_and_binary_reads_count_the_same_rows_and_values(server, db, tmp_path):
    with server.connect(db) as c:
        c.execute("CREATE TABLE p (id INT PRIMARY KEY, d DECIMAL(10,2), s VARCHAR(40) NULL)")
        c.execute("INSERT INTO p SELECT seq, seq * 1.25 - 100, IF(seq % 3 = 0, NULL, REPEAT('x', seq % 37)) "
                  "FROM seq_1_to_300")
        ids, decimals, strings = (int(x) for x in c.query_text(
            "SELECT SUM(LENGTH(id)), SUM(LENGTH(d)), SUM(COALESCE(LENGTH(s), 0)) FROM p")[0])
    probe = build(tmp_path)
    where = f"{server.host}:{server.port}"
    env = {"MYSQL_PWD": server.password} if server.password else {}

    def read(mode: str) -> list[int]:
        out = subprocess.run([str(probe), mode, where, server.user or "root", db, f"SELECT * FROM {quote_ident('p')}"],
                             capture_output=True, text=True, check=True, env=env, stdin=subprocess.DEVNULL)
        rows, _, nbytes, _ = out.stdout.split()
        return [int(rows), int(nbytes)]

    assert read("text") == [300, ids + decimals + strings]
    assert read("binary") == [300, 4 * 300 + decimals + strings]  # INT: 4 bytes; DECIMAL: its text
