"""The bench's many-tables data set and its drop (bench/dataset.py), on the test server."""
from bench import dataset
from bench.dataset import create_many_tables, drop_database, many_table_name, many_table_rows


def test_many_tables_are_created_with_their_rows_and_dropped_in_batches_whatever_their_keys(server, monkeypatch):
    """The set the many-tables bench times: every table holds its rows, every tenth has a
    foreign key to the one before. drop_database drops its tables a batch at a time (one
    DROP DATABASE of 50,000 tables held mariadbd ~11 minutes) with the foreign keys
    between batches in place, then the database; a database that is not there is no error."""
    monkeypatch.setattr(dataset, "DROP_BATCH", 3)  # parents and children in different batches
    name = "bench_many_tables_test"
    with server.connect() as c:
        counts = create_many_tables(c, name, 25)
        assert counts == {many_table_name(i): many_table_rows(i) for i in range(1, 26)}
        live = {t: int(n) for t, n in c.query_text(
            "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench_many_tables_test'")}
        assert set(live) == set(counts)
        for t, rows in counts.items():
            assert int(c.scalar(f"SELECT COUNT(*) FROM {name}.{t}")) == rows
        fks = c.query_text("SELECT TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
                           f"WHERE CONSTRAINT_SCHEMA = '{name}' ORDER BY TABLE_NAME")
        assert fks == [(many_table_name(i), many_table_name(i - 1)) for i in (10, 20)]
        executed = []
        real = type(c).execute

        def execute(self, sql, *a, **k):
            executed.append(sql)
            return real(self, sql, *a, **k)

        monkeypatch.setattr(type(c), "execute", execute)
        drop_database(c, name)
        monkeypatch.undo()
        drops = [s for s in executed if s.startswith("DROP TABLE")]
        assert len(drops) == 9 and all(s.count(", ") <= 2 for s in drops)
        assert executed[-1] == f"DROP DATABASE IF EXISTS `{name}`"
        assert c.query_text(f"SHOW DATABASES LIKE '{name}'") == []
        assert int(c.scalar("SELECT @@session.foreign_key_checks")) == 1
        drop_database(c, name)  # gone already: nothing to do
