-- dumpcore plan for `old_cp1251`: 2 tables
-- cleanup.sql: empties every table, children first
DELETE FROM `words`;
DELETE FROM `plain`;
