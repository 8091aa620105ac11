-- dumpcore 0.2.0: schema of `compat` (run in the target database)
CREATE SEQUENCE IF NOT EXISTS `ticket_seq` start with 100 minvalue 1 maxvalue 9223372036854775806 increment by 5 cache 1000 nocycle ENGINE=InnoDB;
DO SETVAL(`ticket_seq`, 5100, 0);
CREATE TABLE IF NOT EXISTS `events` (
  `at` datetime NOT NULL,
  `what` varchar(200) NOT NULL,
  `amount` decimal(8,2) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE IF NOT EXISTS `teams` (
  `id` smallint(5) unsigned NOT NULL,
  `name` varchar(40) NOT NULL,
  `captain_id` int(11) DEFAULT NULL,
  `parent_team_id` smallint(5) unsigned DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `name` (`name`),
  KEY `ix_parent` (`parent_team_id`),
  KEY `fk_team_captain` (`captain_id`),
  CONSTRAINT `fk_team_captain` FOREIGN KEY (`captain_id`) REFERENCES `people` (`id`),
  CONSTRAINT `fk_team_parent` FOREIGN KEY (`parent_team_id`) REFERENCES `teams` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE IF NOT EXISTS `people` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `team_id` smallint(5) unsigned NOT NULL,
  `name` varchar(80) NOT NULL,
  `note` text DEFAULT NULL,
  `born` date DEFAULT NULL,
  `seen_at` datetime(6) DEFAULT NULL,
  `stamp` timestamp NOT NULL DEFAULT '2020-01-01 00:00:00',
  `score` decimal(12,4) DEFAULT NULL,
  `ratio` double DEFAULT NULL,
  `weight` float DEFAULT NULL,
  `flags` bit(5) DEFAULT NULL,
  `level` enum('low','mid','high') DEFAULT NULL,
  `tags` set('a','b','c') DEFAULT NULL,
  `photo` blob DEFAULT NULL,
  `hash` binary(4) DEFAULT NULL,
  `profile` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`profile`)),
  `born_year` year(4) DEFAULT NULL,
  `big` bigint(20) unsigned DEFAULT NULL,
  `tiny` tinyint(4) DEFAULT NULL,
  `ip` inet6 DEFAULT NULL,
  `uid` uuid DEFAULT NULL,
  `legacy` varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
  `name_upper` varchar(80) GENERATED ALWAYS AS (ucase(`name`)) VIRTUAL,
  `ticket` int(11) NOT NULL DEFAULT nextval(`ticket_seq`),
  PRIMARY KEY (`id`),
  KEY `ix_team` (`team_id`),
  CONSTRAINT `fk_person_team` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=517 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
SET @dumpcore_cs_client = @@character_set_client, @dumpcore_cs_results = @@character_set_results, @dumpcore_coll_conn = @@collation_connection, @dumpcore_obj_mode = @@sql_mode, @dumpcore_obj_tz = @@time_zone;
SET sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';
DROP FUNCTION IF EXISTS `team_label`;
SET @dumpcore_db_cs = @@character_set_database, @dumpcore_db_coll = @@collation_database;
SET @dumpcore_sql = IF(@@collation_database = 'utf8mb4_general_ci', 'DO 0', 'ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci');
PREPARE dumpcore_stmt FROM @dumpcore_sql;
EXECUTE dumpcore_stmt;
SET character_set_client = utf8mb4;
SET character_set_results = utf8mb4;
SET collation_connection = utf8mb4_general_ci;
DELIMITER ;;
CREATE FUNCTION `team_label`(n VARCHAR(40)) RETURNS varchar(60) CHARSET utf8mb4 COLLATE utf8mb4_general_ci
    DETERMINISTIC
RETURN CONCAT('team ', n)
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
