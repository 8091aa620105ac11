-- dumpcore 0.2.0: views of `compat`, created after the data
SET @dumpcore_cs_client = @@character_set_client, @dumpcore_cs_results = @@character_set_results, @dumpcore_coll_conn = @@collation_connection, @dumpcore_obj_mode = @@sql_mode, @dumpcore_obj_tz = @@time_zone;
SET character_set_client = utf8mb4;
SET character_set_results = utf8mb4;
SET collation_connection = utf8mb4_general_ci;
DELIMITER ;;
CREATE OR REPLACE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `team_sizes` AS select `t`.`name` AS `name`,count(`p`.`id`) AS `people` from (`teams` `t` left join `people` `p` on(`p`.`team_id` = `t`.`id`)) group by `t`.`name`
;;
DELIMITER ;
SET character_set_client = @dumpcore_cs_client;
SET character_set_results = @dumpcore_cs_results;
SET collation_connection = @dumpcore_coll_conn;
SET sql_mode = @dumpcore_obj_mode;
SET time_zone = @dumpcore_obj_tz;
