-- dumpcore plan for `compat`: 3 tables
-- load.sql: run from the dump directory: mariadb DB < scripts/load.sql
SOURCE scripts/disable.sql;
SOURCE schema.sql;
-- keyless tables this SQL adds rows to: stop here if any already holds rows (dump --append / cat --append leave this out)
DELIMITER ;;
BEGIN NOT ATOMIC IF EXISTS (SELECT 1 FROM `events` LIMIT 1) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dumpcore: table `events` has no key and already holds rows: loading this dump\'s rows again would add them twice; empty it first (or use dumpcore restore --cleanup), or make the SQL with --append to add them'; END IF; END
;;
DELIMITER ;
-- events: 1 file(s)
SOURCE data/events.00001.sql;
-- teams: 1 file(s)
SOURCE data/teams.00001.sql;
-- people: 4 file(s)
SOURCE data/people.00001.sql;
SOURCE data/people.00002.sql;
SOURCE data/people.00003.sql;
SOURCE data/people.00004.sql;
SOURCE triggers.sql;
SOURCE events.sql;
SOURCE views.sql;
SOURCE scripts/enable.sql;
