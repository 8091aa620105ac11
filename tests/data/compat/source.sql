-- The database the committed dumps in this folder were made from (tests/test_format_compat.py).
-- Frozen: a dump here is compared with a database built from this file, so neither may change.
-- A new dumpcore version adds its own dumps beside these (see README.md here), never edits them.
SET NAMES utf8mb4;
CREATE SEQUENCE ticket_seq START WITH 100 INCREMENT BY 5;

CREATE TABLE teams (
  id SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(40) NOT NULL UNIQUE,
  captain_id INT NULL,
  parent_team_id SMALLINT UNSIGNED NULL,
  KEY ix_parent (parent_team_id),
  CONSTRAINT fk_team_parent FOREIGN KEY (parent_team_id) REFERENCES teams (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE people (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id SMALLINT UNSIGNED NOT NULL,
  name VARCHAR(80) NOT NULL,
  note TEXT NULL,
  born DATE NULL,
  seen_at DATETIME(6) NULL,
  stamp TIMESTAMP NOT NULL DEFAULT '2020-01-01 00:00:00',
  score DECIMAL(12,4) NULL,
  ratio DOUBLE NULL,
  weight FLOAT NULL,
  flags BIT(5) NULL,
  level ENUM('low','mid','high') NULL,
  tags SET('a','b','c') NULL,
  photo BLOB NULL,
  hash BINARY(4) NULL,
  profile JSON NULL,
  born_year YEAR NULL,
  big BIGINT UNSIGNED NULL,
  tiny TINYINT NULL,
  ip INET6 NULL,
  uid UUID NULL,
  legacy VARCHAR(20) CHARACTER SET latin1 NULL,
  name_upper VARCHAR(80) AS (UPPER(name)) VIRTUAL,
  ticket INT NOT NULL DEFAULT (NEXT VALUE FOR ticket_seq),
  KEY ix_team (team_id),
  CONSTRAINT fk_person_team FOREIGN KEY (team_id) REFERENCES teams (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE teams ADD CONSTRAINT fk_team_captain FOREIGN KEY (captain_id) REFERENCES people (id);

CREATE TABLE events (
  at DATETIME NOT NULL,
  what VARCHAR(200) NOT NULL,
  amount DECIMAL(8,2) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE VIEW team_sizes AS SELECT t.name, COUNT(p.id) AS people FROM teams t LEFT JOIN people p ON p.team_id = t.id GROUP BY t.name;

CREATE TRIGGER people_note BEFORE INSERT ON people FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'no note');

CREATE FUNCTION team_label(n VARCHAR(40)) RETURNS VARCHAR(60) DETERMINISTIC RETURN CONCAT('team ', n);

SET FOREIGN_KEY_CHECKS = 0;
INSERT INTO teams VALUES (1, 'Root', 1, NULL), (2, 'Zoë''s', 2, 1), (3, 'Back\\slash', NULL, 2), (4, 'Łódź 中文', 5, 1);
INSERT INTO people (id, team_id, name, note, born, seen_at, stamp, score, ratio, weight, flags, level, tags, photo, hash,
                    profile, born_year, big, tiny, ip, uid, legacy) VALUES
 (1, 1, 'Ana O''Brien', 'line one\nline two\ttab', '1990-01-31', '2024-02-29 23:59:59.999999', '2021-06-01 12:00:00',
  -12345678.1234, 1e-300, 3.25, b'10101', 'high', 'a,c', 0x00FF10, 0x01020304, '{"k": [1, "two", null]}', 1990,
  18446744073709551615, -128, '::1', '123e4567-e89b-12d3-a456-426614174000', 'café'),
 (2, 2, 'Ben "quoted"', NULL, '0000-00-00', NULL, '2038-01-19 03:14:07', 0, -0.0, NULL, b'0', 'low', '', '', NULL,
  NULL, NULL, 0, 127, '2001:db8::ff00:42:8329', NULL, NULL),
 (5, 4, 'Chloé 🎓', 'emoji 🎓 and NUL-free \\ backslash', '2000-02-29', '1970-01-01 00:00:01', '2020-01-01 00:00:00',
  99999999.9999, 1.7976931348623157e308, -1.5, NULL, NULL, 'b', NULL, 0xFFFFFFFF, '[]', 2155, 1, 0, NULL, NULL, '');
SET FOREIGN_KEY_CHECKS = 1;
INSERT INTO people (team_id, name, born, score, level, tags)
  SELECT 1 + seq % 4, CONCAT('Person ', seq, IF(seq % 7 = 0, ' it''s', '')), '1980-01-01' + INTERVAL seq DAY,
         seq * 1.5, ELT(1 + seq % 3, 'low', 'mid', 'high'), IF(seq % 2, 'a,b', NULL)
  FROM seq_10_to_400;
INSERT INTO events VALUES ('2024-01-01 00:00:00', 'start', NULL), ('2024-01-01 00:00:00', 'start', NULL),
  ('2024-01-02 10:00:00', 'paid ''100''', 100.50), ('2024-01-03 11:00:00', 'refund\\n', -0.01);
