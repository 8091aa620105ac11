-- dumpcore plan for `compat`: 3 tables
-- enable.sql: restores the settings saved by disable.sql
SET SESSION FOREIGN_KEY_CHECKS = COALESCE(@dumpcore_old_fk, 1);
SET SESSION UNIQUE_CHECKS = COALESCE(@dumpcore_old_uc, 1);
SET SESSION SQL_MODE = COALESCE(@dumpcore_old_sql_mode, @@GLOBAL.SQL_MODE);
SET SESSION TIME_ZONE = COALESCE(@dumpcore_old_tz, @@GLOBAL.TIME_ZONE);
SET SESSION CHARACTER_SET_CLIENT = COALESCE(@dumpcore_old_cs_client, @@GLOBAL.CHARACTER_SET_CLIENT);
SET SESSION CHARACTER_SET_RESULTS = COALESCE(@dumpcore_old_cs_results, @@GLOBAL.CHARACTER_SET_RESULTS);
SET SESSION COLLATION_CONNECTION = COALESCE(@dumpcore_old_coll_conn, @@GLOBAL.COLLATION_CONNECTION);
