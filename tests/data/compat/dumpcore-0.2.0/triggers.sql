-- dumpcore 0.2.0: triggers of `compat`, created after the data
SET @dumpcore_cs_client = @@character_set_client, @dumpcore_cs_results = @@character_set_results, @dumpcore_coll_conn = @@collation_connection, @dumpcore_obj_mode = @@sql_mode, @dumpcore_obj_tz = @@time_zone;
SET sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';
DROP TRIGGER IF EXISTS `people_note`;
SET @dumpcore_db_cs = @@character_set_database, @dumpcore_db_coll = @@collation_database;
SET @dumpcore_sql = IF(@@collation_database = 'utf8mb4_general_ci', 'DO 0', 'ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci');
PREPARE dumpcore_stmt FROM @dumpcore_sql;
EXECUTE dumpcore_stmt;
SET character_set_client = utf8mb4;
SET character_set_results = utf8mb4;
SET collation_connection = utf8mb4_general_ci;
DELIMITER ;;
CREATE TRIGGER people_note BEFORE INSERT ON people FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'no note')
;;
DELIMITER ;
SET character_set_client = @dumpcore_cs_client;
SET character_set_results = @dumpcore_cs_results;
SET collation_connection = @dumpcore_coll_conn;
SET @dumpcore_sql = IF(@@collation_database = @dumpcore_db_coll, 'DO 0', CONCAT('ALTER DATABASE CHARACTER SET ', @dumpcore_db_cs, ' COLLATE ', @dumpcore_db_coll));
PREPARE dumpcore_stmt FROM @dumpcore_sql;
EXECUTE dumpcore_stmt;
SET sql_mode = @dumpcore_obj_mode;
SET time_zone = @dumpcore_obj_tz;
