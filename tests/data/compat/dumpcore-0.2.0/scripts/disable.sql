-- dumpcore plan for `compat`: 3 tables
-- disable.sql: session settings for a safe load
SET @dumpcore_old_fk = @@SESSION.FOREIGN_KEY_CHECKS, @dumpcore_old_uc = @@SESSION.UNIQUE_CHECKS, @dumpcore_old_sql_mode = @@SESSION.SQL_MODE, @dumpcore_old_tz = @@SESSION.TIME_ZONE, @dumpcore_old_cs_client = @@SESSION.CHARACTER_SET_CLIENT, @dumpcore_old_cs_results = @@SESSION.CHARACTER_SET_RESULTS, @dumpcore_old_coll_conn = @@SESSION.COLLATION_CONNECTION;
SET NAMES utf8mb4;
SET SESSION FOREIGN_KEY_CHECKS = 0;
SET SESSION UNIQUE_CHECKS = 0;
SET SESSION SQL_MODE = 'STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';
SET SESSION TIME_ZONE = '+00:00';
