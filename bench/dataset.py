"""The benchmark dataset: deterministic, generated on the server from seq_1_to_N.

Four keyed tables joined by foreign keys and one keyless table; long strings with
quotes, backslashes and non-ASCII text, JSON, BLOB, DECIMAL, DATETIME and nullable
columns. The same scale always gives the same bytes.
"""
from __future__ import annotations

from dumpcore.connect.connection import Connection, quote_ident, quote_string
from dumpcore.sandbox.sample import recreate_database

# large: 3.2M order_items (one table > 3M rows), ~6M rows in all, the keyless events 0.8M.
# xl (issue #22; long, not part of a default run): 10.5M order_items, the keyless events 2.6M,
# and the ledger (below) of 5.25M rows keyed by (account VARCHAR, line): ~25M rows in all.
SCALES = {"tiny": 20_000, "small": 320_000, "medium": 1_000_000, "large": 3_200_000, "xl": 10_500_000}
LEDGER_SCALES = {"xl"}  # the scales whose dataset has the ledger (the others' data is as it was)

DDL = [
    """CREATE TABLE customers (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(120) NOT NULL,
  email VARCHAR(120) NOT NULL,
  created DATETIME NOT NULL,
  balance DECIMAL(14,2) NOT NULL,
  notes TEXT NULL,
  profile JSON NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  created DATETIME(6) NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  comment VARCHAR(255) NULL,
  payload JSON NULL,
  KEY ix_created (created),
  CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE order_items (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  sku CHAR(12) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  description TEXT NOT NULL,
  CONSTRAINT fk_item_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE attachments (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  mime VARCHAR(40) NOT NULL,
  data BLOB NOT NULL,
  CONSTRAINT fk_attachment_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE events (
  ts DATETIME(6) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  detail VARCHAR(200) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
]


def row_counts(n: int) -> dict[str, int]:
    return {"customers": n // 10, "orders": n // 2, "order_items": n, "attachments": n // 50, "events": n // 4}


FILL = {
    "customers": """INSERT INTO customers SELECT seq,
  CONCAT('Customer ', seq, ' O''Brien-Müller \\\\ "quoted" ', ELT(1 + seq % 4, 'Zoë', 'Łukasz', '中文', 'plain')),
  CONCAT('c', seq, '@example.com'),
  '2020-01-01 00:00:00' + INTERVAL seq MINUTE,
  (seq * 37 % 1000000) / 100,
  IF(seq % 3 = 0, NULL, CONCAT('Line one\\nline two with tab\\t and back\\\\slash ', REPEAT('ab', seq % 40))),
  IF(seq % 5 = 0, NULL, JSON_OBJECT('tier', seq % 4, 'tags', JSON_ARRAY('x', seq % 7), 'note', CONCAT('say "hi" ', seq)))
FROM seq_1_to_{n}""",
    "orders": """INSERT INTO orders SELECT seq, 1 + seq % {customers},
  '2021-06-01 00:00:00' + INTERVAL seq * 13 SECOND + INTERVAL seq % 1000 MICROSECOND,
  (seq * 7919 % 100000) / 100, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'),
  IF(seq % 4 = 0, NULL, CONCAT('Please deliver to the back door, it''s \\\\ green #', seq)),
  IF(seq % 2 = 0, NULL, JSON_OBJECT('ip', CONCAT('10.0.', seq % 256, '.', seq % 200), 'items', seq % 9))
FROM seq_1_to_{n}""",
    "order_items": """INSERT INTO order_items SELECT seq, 1 + seq % {orders}, CONCAT('SKU', LPAD(seq % 100000, 9, '0')),
  1 + seq % 12, (seq * 104729 % 50000) / 100,
  CONCAT('Item ', seq, ': ', REPEAT('lorem ipsum ', 1 + seq % 12), 'size 10" \\\\ «special» ✓')
FROM seq_1_to_{n}""",
    "attachments": """INSERT INTO attachments SELECT seq, 1 + seq % {orders}, ELT(1 + seq % 3, 'image/png', 'application/pdf', 'text/plain'),
  REPEAT(UNHEX(SHA2(seq, 256)), 4 + seq % 40)
FROM seq_1_to_{n}""",
    "events": """INSERT INTO events SELECT '2022-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq MICROSECOND,
  ELT(1 + seq % 5, 'login', 'logout', 'view', 'buy', 'error'),
  IF(seq % 10 = 0, NULL, CONCAT('agent "Mozilla/5.0" path=/p/', seq % 1000, ' \\\\ ok'))
FROM seq_1_to_{n}""",
}


# A table whose primary key is composite with a leading string column (issue #22): the dump
# cuts it where its keys are (dumpcore/schema/keyrange.py); 40 lines per account, inserted
# in key order.
LEDGER_DDL = """CREATE TABLE ledger (
  account VARCHAR(32) NOT NULL,
  line INT UNSIGNED NOT NULL,
  posted DATETIME(6) NOT NULL,
  amount DECIMAL(14,2) NOT NULL,
  memo VARCHAR(120) NULL,
  PRIMARY KEY (account, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""
LEDGER_FILL = """INSERT INTO ledger SELECT CONCAT('ACCT-', LPAD(seq DIV 40, 9, '0')), seq MOD 40,
  '2023-01-01 00:00:00' + INTERVAL seq * 7 SECOND + INTERVAL seq % 1000 MICROSECOND,
  (seq * 7919 % 2000000) / 100 - 5000,
  IF(seq % 6 = 0, NULL, CONCAT('transfer ', seq % 977, ' ref ''', HEX(seq * 31), ''' \\\\ ok'))
FROM seq_0_to_{last}"""


def create_ledger(conn: Connection, rows: int) -> None:
    """The ledger table of ``rows`` rows, in the connection's database."""
    conn.execute(LEDGER_DDL)
    conn.execute(LEDGER_FILL.format(last=rows - 1))
    conn.execute("ANALYZE TABLE ledger")


def create_dataset(conn: Connection, database: str, n: int, ledger: bool = False) -> dict[str, int]:
    """The dataset of ``n`` order_items; ``ledger``: with the ledger of n / 2 rows (xl)."""
    counts = row_counts(n)
    recreate_database(conn, database, DDL)
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00'")
    for table, sql in FILL.items():
        conn.execute(sql.format(n=counts[table], **counts))
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1")
    for table in counts:
        conn.execute(f"ANALYZE TABLE {quote_ident(table)}")
    if ledger:
        counts["ledger"] = n // 2
        create_ledger(conn, counts["ledger"])
    return counts


# many-tables: N small tables (0-100 rows each), every tenth with a foreign key to the
# table before it, so a restore orders them and a dump carries the constraints.
MANY_TABLES = {"many-tables": 1_000, "many-tables-5k": 5_000, "many-tables-10k": 10_000}


def many_table_name(i: int) -> str:
    return f"t{i:05d}"


def many_table_rows(i: int) -> int:
    """Rows of table i: 0 to 100, spread evenly and deterministically."""
    return i * 37 % 101


def many_table_ddl(i: int) -> str:
    fk = ""
    if i % 10 == 0:
        fk = (f",\n  KEY ix_ref (ref),\n  CONSTRAINT fk_{many_table_name(i)} FOREIGN KEY (ref) "
              f"REFERENCES {many_table_name(i - 1)} (id)")
    return f"""CREATE TABLE {many_table_name(i)} (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(60) NOT NULL,
  amount DECIMAL(10,2) NULL,
  created DATETIME NOT NULL,
  ref INT UNSIGNED NULL{fk}
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


DROP_BATCH = 500  # tables per DROP TABLE in drop_database


def drop_database(conn: Connection, database: str) -> None:
    """DROP DATABASE, its tables first, DROP_BATCH at a time: MariaDB 10.11 spends time
    quadratic in the tables of one DROP on its metadata locks (MDL_context::find_ticket, 99%
    of mariadbd's samples): 20,000 tables took 119 s in one DROP DATABASE, 20 s in batches;
    50,000 took ~11 minutes."""
    db = quote_ident(database)
    names = [n for (n,) in conn.query_text(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + quote_string(database))]
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
    try:
        for i in range(0, len(names), DROP_BATCH):
            conn.execute("DROP TABLE IF EXISTS " + ", ".join(f"{db}.{quote_ident(n)}" for n in names[i:i + DROP_BATCH]))
    finally:
        conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
    conn.execute(f"DROP DATABASE IF EXISTS {db}")


def create_many_tables(conn: Connection, database: str, tables: int) -> dict[str, int]:
    """(Re)create ``database`` with ``tables`` small tables; returns rows per table."""
    drop_database(conn, database)
    recreate_database(conn, database, [])
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00'")
    counts = {}
    for i in range(1, tables + 1):
        name, rows = many_table_name(i), many_table_rows(i)
        conn.execute(many_table_ddl(i))
        if rows:
            # ref: a row of the table before when it has one with that id (the FK holds)
            conn.execute(f"""INSERT INTO {name} SELECT seq, CONCAT('row ', seq, ' of {name} O''Hara \\\\ é'),
  IF(seq % 7 = 0, NULL, (seq * 7919 % 100000) / 100), '2024-01-01 00:00:00' + INTERVAL seq * {i} MINUTE,
  IF(seq <= {many_table_rows(i - 1)}, seq, NULL)
FROM seq_1_to_{rows}""")
        counts[name] = rows
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1")
    return counts
