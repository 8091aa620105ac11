-- dumpcore plan for `old_cp1251`: 2 tables
-- cleanup-truncate.sql: TRUNCATE every table (FK checks off while it runs)
SET @dumpcore_cleanup_fk = @@SESSION.FOREIGN_KEY_CHECKS;
SET SESSION FOREIGN_KEY_CHECKS = 0;
TRUNCATE TABLE `words`;
TRUNCATE TABLE `plain`;
SET SESSION FOREIGN_KEY_CHECKS = @dumpcore_cleanup_fk;
