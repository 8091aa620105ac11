-- dumpcore plan for `old_cp1251`: 2 tables
-- load.sql: run from the dump directory: mariadb DB < scripts/load.sql
SOURCE scripts/disable.sql;
SOURCE schema.sql;
-- plain: 1 file(s)
SOURCE data/plain.00001.sql;
-- words: 1 file(s)
SOURCE data/words.00001.sql;
SOURCE triggers.sql;
SOURCE events.sql;
SOURCE views.sql;
SOURCE scripts/enable.sql;
