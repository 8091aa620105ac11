-- dumpcore plan for `compat`: 3 tables
-- cleanup.sql: empties every table, children first
-- FK cycle teams <-> people: emptied whole with FK checks off for these statements
SET @dumpcore_cleanup_fk = @@SESSION.FOREIGN_KEY_CHECKS;
SET SESSION FOREIGN_KEY_CHECKS = 0;
DELETE FROM `people`;
DELETE FROM `teams`;
SET SESSION FOREIGN_KEY_CHECKS = @dumpcore_cleanup_fk;
DELETE FROM `events`;
