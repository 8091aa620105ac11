-- dumpcore plan for `compat`: 3 tables
-- load.sql: run from the dump directory: mariadb DB < scripts/load.sql
SOURCE scripts/disable.sql;
SOURCE schema.sql;
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
