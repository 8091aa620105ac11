"""The SQL text layer: splitting, validation and offline CREATE TABLE parsing."""
import pytest

from dumpcore.schema import sqltext
from dumpcore.errors import GeneratedSQLError

SPLIT_CASES = [
    ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
    ("SELECT 'a;b'; SELECT 2", ["SELECT 'a;b'", "SELECT 2"]),
    ("SELECT 'it''s;'; SELECT \"x\\\";\"", ["SELECT 'it''s;'", "SELECT \"x\\\";\""]),
    ("SELECT `a;b` FROM t;", ["SELECT `a;b` FROM t"]),
    ("-- c; comment\nSELECT 1;", ["SELECT 1"]),
    ("# hash; comment\nSELECT 1;", ["SELECT 1"]),
    ("/* block; */ SELECT 1;", ["SELECT 1"]),
    ("/*!40101 SET NAMES utf8 */;", ["/*!40101 SET NAMES utf8 */"]),
    ("SELECT 1--2;", ["SELECT 1--2"]),
    ("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nSELECT 3;",
     ["CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", "SELECT 3"]),
    ("SELECT 1", ["SELECT 1"]),
    ("  ;  ; ", []),
]


@pytest.mark.parametrize("text,expected", SPLIT_CASES)
def test_split_statements(text, expected):
    assert [s.text for s in sqltext.split_statements(text)] == expected


def test_split_reports_lines():
    stmts = sqltext.split_statements("SELECT 1;\n\n-- x\nSELECT\n 2;\nDELIMITER $$\nSELECT 3$$")
    assert [s.line for s in stmts] == [1, 4, 7]


@pytest.mark.parametrize("sql", ["SET SESSION FOREIGN_KEY_CHECKS = 0", "DELETE FROM `a b`", "TRUNCATE TABLE `x`",
                                 "INSERT INTO `t` (`a`) VALUES (1) ON DUPLICATE KEY UPDATE `a`=VALUES(`a`)"])
def test_validate_accepts_sql(sql):
    sqltext.validate(sql)


@pytest.mark.parametrize("sql", ["DELETE FROM", "INSERT INTO `t` (`a`) VALUES (1", "SELEC 1 FROM", "SOURCE x.sql"])
def test_validate_rejects_what_does_not_parse(sql):
    with pytest.raises(GeneratedSQLError, match="does not parse|not understood"):
        sqltext.validate(sql)


def test_validate_allows_server_bodies_as_commands_only_when_asked():
    trig = "CREATE TRIGGER t1 AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO u VALUES (1); END"
    sqltext.validate(trig, allow_command=True)
    with pytest.raises(GeneratedSQLError):
        sqltext.validate(trig)


MARIADB_TABLE = """CREATE TABLE `odd name` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `ip` INET6 DEFAULT NULL,
  ip4 inet4 NOT NULL,
  `u` uuid NOT NULL,
  `twice` int(11) GENERATED ALWAYS AS (`id` * 2) VIRTUAL,
  `stored` int AS (id + 1) PERSISTENT,
  `secret` int(11) DEFAULT 5 INVISIBLE,
  `parent_a` int NULL, `parent_b` int NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq` (`u`),
  CONSTRAINT `fk_comp` FOREIGN KEY (`parent_a`, `parent_b`) REFERENCES `parent` (`a`, `b`) ON DELETE CASCADE
) ENGINE=InnoDB /*!50100 DEFAULT CHARSET=utf8mb4 */
 PARTITION BY HASH (`id`) PARTITIONS 4"""


def test_parse_create_table_mariadb_features():
    t = sqltext.parse_create_table(MARIADB_TABLE)
    assert t.name == "odd name"
    cols = {c.name: c for c in t.columns}
    assert list(cols) == ["id", "ip", "ip4", "u", "twice", "stored", "secret", "parent_a", "parent_b"]
    assert cols["ip"].data_type == "inet6" and cols["ip4"].data_type == "inet4"
    assert cols["u"].data_type == "uuid"
    assert cols["twice"].generated and cols["stored"].generated and not cols["id"].generated
    assert cols["secret"].invisible and not cols["u"].invisible
    assert not cols["id"].nullable and cols["parent_a"].nullable and not cols["ip4"].nullable
    assert t.primary_key == ("id",)
    assert t.unique_keys == [("u",)]
    assert len(t.foreign_keys) == 1
    fk = t.foreign_keys[0]
    assert (fk.name, fk.columns, fk.ref_table, fk.ref_columns) == ("fk_comp", ("parent_a", "parent_b"), "parent", ("a", "b"))


def test_parse_alter_foreign_key():
    found = sqltext.parse_alter_foreign_keys(
        "ALTER TABLE `classes` ADD CONSTRAINT `fk_head` FOREIGN KEY (`head_id`) REFERENCES `students` (`id`)")
    assert found is not None
    table, fks = found
    assert table == "classes" and fks[0].ref_table == "students" and fks[0].columns == ("head_id",)


def test_unparseable_create_table_is_reported_not_fatal(tmp_path):
    from dumpcore.schema.schema import load_schema_from_ddl

    ddl = tmp_path / "x.sql"
    ddl.write_text("CREATE TABLE ok (id INT PRIMARY KEY);\n\nCREATE TABLE broken (id INT, x FOO BAR BAZ);\n")
    with pytest.warns(UserWarning, match="x.sql:3"):
        schema = load_schema_from_ddl(ddl, "d")
    assert list(schema.tables) == ["ok"]
    assert "x.sql:3" in schema.notes[0] and "broken" in schema.notes[0]


# Observed on MariaDB 10.11: SELECT 1 /*!50699 +1*/ -> 2, /*!50700 +1*/ -> 1, /*!100000 +1*/ -> 2,
# /*!101200 +1*/ -> 1, /*M!100000 +1*/ -> 2, /*! +1*/ -> 2.
@pytest.mark.parametrize("marker,version,runs", [
    ("!", "50699", True), ("!", "50700", False), ("!", "50705", False), ("!", "99999", False),
    ("!", "100000", True), ("!", "101100", True), ("!", "101200", False), ("M!", "100000", True), ("!", "", True),
    ("!", "40101", True),
])
def test_versioned_comments_follow_mariadb(marker, version, runs):
    assert sqltext.comment_runs(marker, version) is runs


def test_versioned_comment_column_kept_only_when_server_would():
    t = sqltext.parse_create_table("CREATE TABLE a (id INT, /*!50705 g GEOMETRY NOT NULL,*/ /*!40101 k INT,*/ z INT)")
    assert [c.name for c in t.columns] == ["id", "k", "z"]
