-- dumpcore plan for `compat`: 3 tables
-- cleanup-truncate.sql: TRUNCATE every table (FK checks off while it runs)
SET @dumpcore_cleanup_fk = @@SESSION.FOREIGN_KEY_CHECKS;
SET SESSION FOREIGN_KEY_CHECKS = 0;
TRUNCATE TABLE `people`;
TRUNCATE TABLE `teams`;
TRUNCATE TABLE `events`;
SET SESSION FOREIGN_KEY_CHECKS = @dumpcore_cleanup_fk;
