-- dumpcore 0.2.0 stream of `compat` from 10.11.19-MariaDB-0+deb12u1, snapshot 2026-12-07T04:18:26.076800Z
-- load order: events, teams, people
SET @dumpcore_old_fk = @@SESSION.FOREIGN_KEY_CHECKS, @dumpcore_old_uc = @@SESSION.UNIQUE_CHECKS, @dumpcore_old_sql_mode = @@SESSION.SQL_MODE, @dumpcore_old_tz = @@SESSION.TIME_ZONE, @dumpcore_old_cs_client = @@SESSION.CHARACTER_SET_CLIENT, @dumpcore_old_cs_results = @@SESSION.CHARACTER_SET_RESULTS, @dumpcore_old_coll_conn = @@SESSION.COLLATION_CONNECTION;
SET NAMES utf8mb4;
SET SESSION FOREIGN_KEY_CHECKS = 0;
SET SESSION UNIQUE_CHECKS = 0;
SET SESSION SQL_MODE = 'STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';
SET SESSION TIME_ZONE = '+00:00';
-- schema
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
-- keyless tables this SQL adds rows to: stop here if any already holds rows (dump --append / cat --append leave this out)
DELIMITER ;;
BEGIN NOT ATOMIC IF EXISTS (SELECT 1 FROM `events` LIMIT 1) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dumpcore: table `events` has no key and already holds rows: loading this dump\'s rows again would add them twice; empty it first (or use dumpcore restore --cleanup), or make the SQL with --append to add them'; END IF; END
;;
DELIMITER ;
-- data: events
INSERT INTO `events` (`at`,`what`,`amount`) VALUES
('2024-01-01 00:00:00','start',NULL),
('2024-01-01 00:00:00','start',NULL),
('2024-01-02 10:00:00','paid \'100\'',100.50),
('2024-01-03 11:00:00','refund\\n',-0.01);
-- dumpcore-chunk table=events seq=1 rows=4 bytes=217 xxh3_128=2fc30ac4b1f5f4847d301d8b61963e50 fingerprint=00000001dad77098
-- data: teams
INSERT INTO `teams` (`id`,`name`,`captain_id`,`parent_team_id`) VALUES
(1,'Root',1,NULL),
(2,'Zoë\'s',2,1),
(3,'Back\\slash',NULL,2),
(4,'Łódź 中文',5,1)
ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`captain_id`=VALUES(`captain_id`),`parent_team_id`=VALUES(`parent_team_id`);
-- dumpcore-chunk table=teams seq=1 rows=4 bytes=283 xxh3_128=397378a545f40af67d954e997cb17dbc fingerprint=0000000261434f8f
-- data: people
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(1,1,'Ana O\'Brien','line one\nline two	tab','1990-01-31','2024-02-29 23:59:59.999999','2021-06-01 12:00:00',-12345678.1234,1e-300,3.25,0x15,'high','a,c',0x00FF10,0x01020304,'{"k": [1, "two", null]}',1990,18446744073709551615,-128,'::1','123e4567-e89b-12d3-a456-426614174000','café',100),
(2,2,'Ben "quoted"','no note','0000-00-00',NULL,'2038-01-19 03:14:07',0.0000,0,NULL,0x00,'low','','',NULL,NULL,NULL,0,127,'2001:db8::ff00:42:8329',NULL,NULL,105),
(5,4,'Chloé 🎓','emoji 🎓 and NUL-free \\ backslash','2000-02-29','1970-01-01 00:00:01.000000','2020-01-01 00:00:00',99999999.9999,1.7976931348623157e308,-1.5,NULL,NULL,'b',NULL,0xFFFFFFFF,'[]',2155,1,0,NULL,NULL,'',110),
(6,3,'Person 10','no note','1980-01-11',NULL,'2020-01-01 00:00:00',15.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,115),
(7,4,'Person 11','no note','1980-01-12',NULL,'2020-01-01 00:00:00',16.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,120),
(8,1,'Person 12','no note','1980-01-13',NULL,'2020-01-01 00:00:00',18.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,125),
(9,2,'Person 13','no note','1980-01-14',NULL,'2020-01-01 00:00:00',19.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,130),
(10,3,'Person 14 it\'s','no note','1980-01-15',NULL,'2020-01-01 00:00:00',21.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,135),
(11,4,'Person 15','no note','1980-01-16',NULL,'2020-01-01 00:00:00',22.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,140),
(12,1,'Person 16','no note','1980-01-17',NULL,'2020-01-01 00:00:00',24.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,145),
(13,2,'Person 17','no note','1980-01-18',NULL,'2020-01-01 00:00:00',25.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,150),
(14,3,'Person 18','no note','1980-01-19',NULL,'2020-01-01 00:00:00',27.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,155),
(15,4,'Person 19','no note','1980-01-20',NULL,'2020-01-01 00:00:00',28.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,160),
(16,1,'Person 20','no note','1980-01-21',NULL,'2020-01-01 00:00:00',30.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,165),
(17,2,'Person 21 it\'s','no note','1980-01-22',NULL,'2020-01-01 00:00:00',31.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,170),
(18,3,'Person 22','no note','1980-01-23',NULL,'2020-01-01 00:00:00',33.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,175),
(19,4,'Person 23','no note','1980-01-24',NULL,'2020-01-01 00:00:00',34.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,180),
(20,1,'Person 24','no note','1980-01-25',NULL,'2020-01-01 00:00:00',36.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,185),
(21,2,'Person 25','no note','1980-01-26',NULL,'2020-01-01 00:00:00',37.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,190),
(22,3,'Person 26','no note','1980-01-27',NULL,'2020-01-01 00:00:00',39.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,195)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(23,4,'Person 27','no note','1980-01-28',NULL,'2020-01-01 00:00:00',40.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,200),
(24,1,'Person 28 it\'s','no note','1980-01-29',NULL,'2020-01-01 00:00:00',42.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,205),
(25,2,'Person 29','no note','1980-01-30',NULL,'2020-01-01 00:00:00',43.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,210),
(26,3,'Person 30','no note','1980-01-31',NULL,'2020-01-01 00:00:00',45.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,215),
(27,4,'Person 31','no note','1980-02-01',NULL,'2020-01-01 00:00:00',46.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,220),
(28,1,'Person 32','no note','1980-02-02',NULL,'2020-01-01 00:00:00',48.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,225),
(29,2,'Person 33','no note','1980-02-03',NULL,'2020-01-01 00:00:00',49.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,230),
(30,3,'Person 34','no note','1980-02-04',NULL,'2020-01-01 00:00:00',51.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,235),
(31,4,'Person 35 it\'s','no note','1980-02-05',NULL,'2020-01-01 00:00:00',52.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,240),
(32,1,'Person 36','no note','1980-02-06',NULL,'2020-01-01 00:00:00',54.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,245),
(33,2,'Person 37','no note','1980-02-07',NULL,'2020-01-01 00:00:00',55.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,250),
(34,3,'Person 38','no note','1980-02-08',NULL,'2020-01-01 00:00:00',57.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,255),
(35,4,'Person 39','no note','1980-02-09',NULL,'2020-01-01 00:00:00',58.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,260),
(36,1,'Person 40','no note','1980-02-10',NULL,'2020-01-01 00:00:00',60.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,265),
(37,2,'Person 41','no note','1980-02-11',NULL,'2020-01-01 00:00:00',61.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,270),
(38,3,'Person 42 it\'s','no note','1980-02-12',NULL,'2020-01-01 00:00:00',63.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,275),
(39,4,'Person 43','no note','1980-02-13',NULL,'2020-01-01 00:00:00',64.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,280),
(40,1,'Person 44','no note','1980-02-14',NULL,'2020-01-01 00:00:00',66.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,285),
(41,2,'Person 45','no note','1980-02-15',NULL,'2020-01-01 00:00:00',67.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,290),
(42,3,'Person 46','no note','1980-02-16',NULL,'2020-01-01 00:00:00',69.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,295),
(43,4,'Person 47','no note','1980-02-17',NULL,'2020-01-01 00:00:00',70.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,300)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(44,1,'Person 48','no note','1980-02-18',NULL,'2020-01-01 00:00:00',72.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,305),
(45,2,'Person 49 it\'s','no note','1980-02-19',NULL,'2020-01-01 00:00:00',73.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,310),
(46,3,'Person 50','no note','1980-02-20',NULL,'2020-01-01 00:00:00',75.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,315),
(47,4,'Person 51','no note','1980-02-21',NULL,'2020-01-01 00:00:00',76.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,320),
(48,1,'Person 52','no note','1980-02-22',NULL,'2020-01-01 00:00:00',78.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,325),
(49,2,'Person 53','no note','1980-02-23',NULL,'2020-01-01 00:00:00',79.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,330),
(50,3,'Person 54','no note','1980-02-24',NULL,'2020-01-01 00:00:00',81.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,335),
(51,4,'Person 55','no note','1980-02-25',NULL,'2020-01-01 00:00:00',82.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,340),
(52,1,'Person 56 it\'s','no note','1980-02-26',NULL,'2020-01-01 00:00:00',84.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,345),
(53,2,'Person 57','no note','1980-02-27',NULL,'2020-01-01 00:00:00',85.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,350),
(54,3,'Person 58','no note','1980-02-28',NULL,'2020-01-01 00:00:00',87.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,355),
(55,4,'Person 59','no note','1980-02-29',NULL,'2020-01-01 00:00:00',88.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,360),
(56,1,'Person 60','no note','1980-03-01',NULL,'2020-01-01 00:00:00',90.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,365),
(57,2,'Person 61','no note','1980-03-02',NULL,'2020-01-01 00:00:00',91.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,370),
(58,3,'Person 62','no note','1980-03-03',NULL,'2020-01-01 00:00:00',93.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,375),
(59,4,'Person 63 it\'s','no note','1980-03-04',NULL,'2020-01-01 00:00:00',94.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,380),
(60,1,'Person 64','no note','1980-03-05',NULL,'2020-01-01 00:00:00',96.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,385),
(61,2,'Person 65','no note','1980-03-06',NULL,'2020-01-01 00:00:00',97.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,390),
(62,3,'Person 66','no note','1980-03-07',NULL,'2020-01-01 00:00:00',99.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,395),
(63,4,'Person 67','no note','1980-03-08',NULL,'2020-01-01 00:00:00',100.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,400),
(64,1,'Person 68','no note','1980-03-09',NULL,'2020-01-01 00:00:00',102.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,405)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(65,2,'Person 69','no note','1980-03-10',NULL,'2020-01-01 00:00:00',103.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,410),
(66,3,'Person 70 it\'s','no note','1980-03-11',NULL,'2020-01-01 00:00:00',105.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,415),
(67,4,'Person 71','no note','1980-03-12',NULL,'2020-01-01 00:00:00',106.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,420),
(68,1,'Person 72','no note','1980-03-13',NULL,'2020-01-01 00:00:00',108.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,425),
(69,2,'Person 73','no note','1980-03-14',NULL,'2020-01-01 00:00:00',109.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,430),
(70,3,'Person 74','no note','1980-03-15',NULL,'2020-01-01 00:00:00',111.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,435),
(71,4,'Person 75','no note','1980-03-16',NULL,'2020-01-01 00:00:00',112.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,440),
(72,1,'Person 76','no note','1980-03-17',NULL,'2020-01-01 00:00:00',114.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,445),
(73,2,'Person 77 it\'s','no note','1980-03-18',NULL,'2020-01-01 00:00:00',115.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,450),
(74,3,'Person 78','no note','1980-03-19',NULL,'2020-01-01 00:00:00',117.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,455),
(75,4,'Person 79','no note','1980-03-20',NULL,'2020-01-01 00:00:00',118.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,460),
(76,1,'Person 80','no note','1980-03-21',NULL,'2020-01-01 00:00:00',120.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,465),
(77,2,'Person 81','no note','1980-03-22',NULL,'2020-01-01 00:00:00',121.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,470),
(78,3,'Person 82','no note','1980-03-23',NULL,'2020-01-01 00:00:00',123.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,475),
(79,4,'Person 83','no note','1980-03-24',NULL,'2020-01-01 00:00:00',124.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,480),
(80,1,'Person 84 it\'s','no note','1980-03-25',NULL,'2020-01-01 00:00:00',126.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,485),
(81,2,'Person 85','no note','1980-03-26',NULL,'2020-01-01 00:00:00',127.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,490),
(82,3,'Person 86','no note','1980-03-27',NULL,'2020-01-01 00:00:00',129.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,495),
(83,4,'Person 87','no note','1980-03-28',NULL,'2020-01-01 00:00:00',130.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,500),
(84,1,'Person 88','no note','1980-03-29',NULL,'2020-01-01 00:00:00',132.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,505),
(85,2,'Person 89','no note','1980-03-30',NULL,'2020-01-01 00:00:00',133.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,510)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(86,3,'Person 90','no note','1980-03-31',NULL,'2020-01-01 00:00:00',135.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,515),
(87,4,'Person 91 it\'s','no note','1980-04-01',NULL,'2020-01-01 00:00:00',136.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,520),
(88,1,'Person 92','no note','1980-04-02',NULL,'2020-01-01 00:00:00',138.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,525),
(89,2,'Person 93','no note','1980-04-03',NULL,'2020-01-01 00:00:00',139.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,530),
(90,3,'Person 94','no note','1980-04-04',NULL,'2020-01-01 00:00:00',141.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,535),
(91,4,'Person 95','no note','1980-04-05',NULL,'2020-01-01 00:00:00',142.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,540),
(92,1,'Person 96','no note','1980-04-06',NULL,'2020-01-01 00:00:00',144.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,545),
(93,2,'Person 97','no note','1980-04-07',NULL,'2020-01-01 00:00:00',145.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,550),
(94,3,'Person 98 it\'s','no note','1980-04-08',NULL,'2020-01-01 00:00:00',147.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,555),
(95,4,'Person 99','no note','1980-04-09',NULL,'2020-01-01 00:00:00',148.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,560),
(96,1,'Person 100','no note','1980-04-10',NULL,'2020-01-01 00:00:00',150.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,565),
(97,2,'Person 101','no note','1980-04-11',NULL,'2020-01-01 00:00:00',151.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,570),
(98,3,'Person 102','no note','1980-04-12',NULL,'2020-01-01 00:00:00',153.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,575),
(99,4,'Person 103','no note','1980-04-13',NULL,'2020-01-01 00:00:00',154.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,580),
(100,1,'Person 104','no note','1980-04-14',NULL,'2020-01-01 00:00:00',156.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,585),
(101,2,'Person 105 it\'s','no note','1980-04-15',NULL,'2020-01-01 00:00:00',157.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,590),
(102,3,'Person 106','no note','1980-04-16',NULL,'2020-01-01 00:00:00',159.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,595),
(103,4,'Person 107','no note','1980-04-17',NULL,'2020-01-01 00:00:00',160.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,600),
(104,1,'Person 108','no note','1980-04-18',NULL,'2020-01-01 00:00:00',162.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,605),
(105,2,'Person 109','no note','1980-04-19',NULL,'2020-01-01 00:00:00',163.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,610),
(106,3,'Person 110','no note','1980-04-20',NULL,'2020-01-01 00:00:00',165.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,615)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(107,4,'Person 111','no note','1980-04-21',NULL,'2020-01-01 00:00:00',166.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,620),
(108,1,'Person 112 it\'s','no note','1980-04-22',NULL,'2020-01-01 00:00:00',168.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,625),
(109,2,'Person 113','no note','1980-04-23',NULL,'2020-01-01 00:00:00',169.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,630),
(110,3,'Person 114','no note','1980-04-24',NULL,'2020-01-01 00:00:00',171.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,635),
(111,4,'Person 115','no note','1980-04-25',NULL,'2020-01-01 00:00:00',172.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,640),
(112,1,'Person 116','no note','1980-04-26',NULL,'2020-01-01 00:00:00',174.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,645),
(113,2,'Person 117','no note','1980-04-27',NULL,'2020-01-01 00:00:00',175.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,650),
(114,3,'Person 118','no note','1980-04-28',NULL,'2020-01-01 00:00:00',177.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,655),
(115,4,'Person 119 it\'s','no note','1980-04-29',NULL,'2020-01-01 00:00:00',178.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,660),
(116,1,'Person 120','no note','1980-04-30',NULL,'2020-01-01 00:00:00',180.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,665),
(117,2,'Person 121','no note','1980-05-01',NULL,'2020-01-01 00:00:00',181.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,670),
(118,3,'Person 122','no note','1980-05-02',NULL,'2020-01-01 00:00:00',183.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,675),
(119,4,'Person 123','no note','1980-05-03',NULL,'2020-01-01 00:00:00',184.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,680),
(120,1,'Person 124','no note','1980-05-04',NULL,'2020-01-01 00:00:00',186.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,685),
(121,2,'Person 125','no note','1980-05-05',NULL,'2020-01-01 00:00:00',187.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,690),
(122,3,'Person 126 it\'s','no note','1980-05-06',NULL,'2020-01-01 00:00:00',189.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,695),
(123,4,'Person 127','no note','1980-05-07',NULL,'2020-01-01 00:00:00',190.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,700),
(124,1,'Person 128','no note','1980-05-08',NULL,'2020-01-01 00:00:00',192.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,705),
(125,2,'Person 129','no note','1980-05-09',NULL,'2020-01-01 00:00:00',193.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,710),
(126,3,'Person 130','no note','1980-05-10',NULL,'2020-01-01 00:00:00',195.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,715),
(127,4,'Person 131','no note','1980-05-11',NULL,'2020-01-01 00:00:00',196.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,720)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(128,1,'Person 132','no note','1980-05-12',NULL,'2020-01-01 00:00:00',198.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,725),
(129,2,'Person 133 it\'s','no note','1980-05-13',NULL,'2020-01-01 00:00:00',199.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,730),
(130,3,'Person 134','no note','1980-05-14',NULL,'2020-01-01 00:00:00',201.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,735),
(131,4,'Person 135','no note','1980-05-15',NULL,'2020-01-01 00:00:00',202.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,740),
(132,1,'Person 136','no note','1980-05-16',NULL,'2020-01-01 00:00:00',204.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,745),
(133,2,'Person 137','no note','1980-05-17',NULL,'2020-01-01 00:00:00',205.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,750),
(134,3,'Person 138','no note','1980-05-18',NULL,'2020-01-01 00:00:00',207.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,755),
(135,4,'Person 139','no note','1980-05-19',NULL,'2020-01-01 00:00:00',208.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,760),
(136,1,'Person 140 it\'s','no note','1980-05-20',NULL,'2020-01-01 00:00:00',210.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,765),
(137,2,'Person 141','no note','1980-05-21',NULL,'2020-01-01 00:00:00',211.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,770),
(138,3,'Person 142','no note','1980-05-22',NULL,'2020-01-01 00:00:00',213.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,775),
(139,4,'Person 143','no note','1980-05-23',NULL,'2020-01-01 00:00:00',214.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,780),
(140,1,'Person 144','no note','1980-05-24',NULL,'2020-01-01 00:00:00',216.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,785),
(141,2,'Person 145','no note','1980-05-25',NULL,'2020-01-01 00:00:00',217.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,790),
(142,3,'Person 146','no note','1980-05-26',NULL,'2020-01-01 00:00:00',219.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,795),
(143,4,'Person 147 it\'s','no note','1980-05-27',NULL,'2020-01-01 00:00:00',220.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,800),
(144,1,'Person 148','no note','1980-05-28',NULL,'2020-01-01 00:00:00',222.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,805),
(145,2,'Person 149','no note','1980-05-29',NULL,'2020-01-01 00:00:00',223.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,810),
(146,3,'Person 150','no note','1980-05-30',NULL,'2020-01-01 00:00:00',225.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,815),
(147,4,'Person 151','no note','1980-05-31',NULL,'2020-01-01 00:00:00',226.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,820),
(148,1,'Person 152','no note','1980-06-01',NULL,'2020-01-01 00:00:00',228.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,825)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(149,2,'Person 153','no note','1980-06-02',NULL,'2020-01-01 00:00:00',229.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,830),
(150,3,'Person 154 it\'s','no note','1980-06-03',NULL,'2020-01-01 00:00:00',231.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,835),
(151,4,'Person 155','no note','1980-06-04',NULL,'2020-01-01 00:00:00',232.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,840),
(152,1,'Person 156','no note','1980-06-05',NULL,'2020-01-01 00:00:00',234.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,845),
(153,2,'Person 157','no note','1980-06-06',NULL,'2020-01-01 00:00:00',235.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,850),
(154,3,'Person 158','no note','1980-06-07',NULL,'2020-01-01 00:00:00',237.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,855),
(155,4,'Person 159','no note','1980-06-08',NULL,'2020-01-01 00:00:00',238.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,860),
(156,1,'Person 160','no note','1980-06-09',NULL,'2020-01-01 00:00:00',240.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,865),
(157,2,'Person 161 it\'s','no note','1980-06-10',NULL,'2020-01-01 00:00:00',241.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,870),
(158,3,'Person 162','no note','1980-06-11',NULL,'2020-01-01 00:00:00',243.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,875),
(159,4,'Person 163','no note','1980-06-12',NULL,'2020-01-01 00:00:00',244.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,880),
(160,1,'Person 164','no note','1980-06-13',NULL,'2020-01-01 00:00:00',246.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,885),
(161,2,'Person 165','no note','1980-06-14',NULL,'2020-01-01 00:00:00',247.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,890),
(162,3,'Person 166','no note','1980-06-15',NULL,'2020-01-01 00:00:00',249.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,895),
(163,4,'Person 167','no note','1980-06-16',NULL,'2020-01-01 00:00:00',250.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,900),
(164,1,'Person 168 it\'s','no note','1980-06-17',NULL,'2020-01-01 00:00:00',252.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,905),
(165,2,'Person 169','no note','1980-06-18',NULL,'2020-01-01 00:00:00',253.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,910),
(166,3,'Person 170','no note','1980-06-19',NULL,'2020-01-01 00:00:00',255.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,915),
(167,4,'Person 171','no note','1980-06-20',NULL,'2020-01-01 00:00:00',256.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,920),
(168,1,'Person 172','no note','1980-06-21',NULL,'2020-01-01 00:00:00',258.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,925),
(169,2,'Person 173','no note','1980-06-22',NULL,'2020-01-01 00:00:00',259.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,930)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(170,3,'Person 174','no note','1980-06-23',NULL,'2020-01-01 00:00:00',261.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,935),
(171,4,'Person 175 it\'s','no note','1980-06-24',NULL,'2020-01-01 00:00:00',262.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,940),
(172,1,'Person 176','no note','1980-06-25',NULL,'2020-01-01 00:00:00',264.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,945),
(173,2,'Person 177','no note','1980-06-26',NULL,'2020-01-01 00:00:00',265.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,950),
(174,3,'Person 178','no note','1980-06-27',NULL,'2020-01-01 00:00:00',267.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,955),
(175,4,'Person 179','no note','1980-06-28',NULL,'2020-01-01 00:00:00',268.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,960),
(176,1,'Person 180','no note','1980-06-29',NULL,'2020-01-01 00:00:00',270.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,965),
(177,2,'Person 181','no note','1980-06-30',NULL,'2020-01-01 00:00:00',271.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,970),
(178,3,'Person 182 it\'s','no note','1980-07-01',NULL,'2020-01-01 00:00:00',273.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,975),
(179,4,'Person 183','no note','1980-07-02',NULL,'2020-01-01 00:00:00',274.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,980),
(180,1,'Person 184','no note','1980-07-03',NULL,'2020-01-01 00:00:00',276.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,985),
(181,2,'Person 185','no note','1980-07-04',NULL,'2020-01-01 00:00:00',277.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,990),
(182,3,'Person 186','no note','1980-07-05',NULL,'2020-01-01 00:00:00',279.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,995),
(183,4,'Person 187','no note','1980-07-06',NULL,'2020-01-01 00:00:00',280.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1000),
(184,1,'Person 188','no note','1980-07-07',NULL,'2020-01-01 00:00:00',282.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1005),
(185,2,'Person 189 it\'s','no note','1980-07-08',NULL,'2020-01-01 00:00:00',283.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1010),
(186,3,'Person 190','no note','1980-07-09',NULL,'2020-01-01 00:00:00',285.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1015),
(187,4,'Person 191','no note','1980-07-10',NULL,'2020-01-01 00:00:00',286.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1020),
(188,1,'Person 192','no note','1980-07-11',NULL,'2020-01-01 00:00:00',288.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1025),
(189,2,'Person 193','no note','1980-07-12',NULL,'2020-01-01 00:00:00',289.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1030),
(190,3,'Person 194','no note','1980-07-13',NULL,'2020-01-01 00:00:00',291.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1035)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(191,4,'Person 195','no note','1980-07-14',NULL,'2020-01-01 00:00:00',292.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1040),
(192,1,'Person 196 it\'s','no note','1980-07-15',NULL,'2020-01-01 00:00:00',294.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1045),
(193,2,'Person 197','no note','1980-07-16',NULL,'2020-01-01 00:00:00',295.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1050),
(194,3,'Person 198','no note','1980-07-17',NULL,'2020-01-01 00:00:00',297.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1055),
(195,4,'Person 199','no note','1980-07-18',NULL,'2020-01-01 00:00:00',298.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1060),
(196,1,'Person 200','no note','1980-07-19',NULL,'2020-01-01 00:00:00',300.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1065),
(197,2,'Person 201','no note','1980-07-20',NULL,'2020-01-01 00:00:00',301.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1070),
(198,3,'Person 202','no note','1980-07-21',NULL,'2020-01-01 00:00:00',303.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1075),
(199,4,'Person 203 it\'s','no note','1980-07-22',NULL,'2020-01-01 00:00:00',304.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1080),
(200,1,'Person 204','no note','1980-07-23',NULL,'2020-01-01 00:00:00',306.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1085),
(201,2,'Person 205','no note','1980-07-24',NULL,'2020-01-01 00:00:00',307.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1090),
(202,3,'Person 206','no note','1980-07-25',NULL,'2020-01-01 00:00:00',309.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1095),
(203,4,'Person 207','no note','1980-07-26',NULL,'2020-01-01 00:00:00',310.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1100),
(204,1,'Person 208','no note','1980-07-27',NULL,'2020-01-01 00:00:00',312.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1105),
(205,2,'Person 209','no note','1980-07-28',NULL,'2020-01-01 00:00:00',313.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1110),
(206,3,'Person 210 it\'s','no note','1980-07-29',NULL,'2020-01-01 00:00:00',315.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1115),
(207,4,'Person 211','no note','1980-07-30',NULL,'2020-01-01 00:00:00',316.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1120),
(208,1,'Person 212','no note','1980-07-31',NULL,'2020-01-01 00:00:00',318.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1125),
(209,2,'Person 213','no note','1980-08-01',NULL,'2020-01-01 00:00:00',319.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1130),
(210,3,'Person 214','no note','1980-08-02',NULL,'2020-01-01 00:00:00',321.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1135),
(211,4,'Person 215','no note','1980-08-03',NULL,'2020-01-01 00:00:00',322.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1140)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(212,1,'Person 216','no note','1980-08-04',NULL,'2020-01-01 00:00:00',324.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1145),
(213,2,'Person 217 it\'s','no note','1980-08-05',NULL,'2020-01-01 00:00:00',325.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1150),
(214,3,'Person 218','no note','1980-08-06',NULL,'2020-01-01 00:00:00',327.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1155),
(215,4,'Person 219','no note','1980-08-07',NULL,'2020-01-01 00:00:00',328.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1160),
(216,1,'Person 220','no note','1980-08-08',NULL,'2020-01-01 00:00:00',330.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1165),
(217,2,'Person 221','no note','1980-08-09',NULL,'2020-01-01 00:00:00',331.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1170),
(218,3,'Person 222','no note','1980-08-10',NULL,'2020-01-01 00:00:00',333.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1175),
(219,4,'Person 223','no note','1980-08-11',NULL,'2020-01-01 00:00:00',334.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1180),
(220,1,'Person 224 it\'s','no note','1980-08-12',NULL,'2020-01-01 00:00:00',336.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1185),
(221,2,'Person 225','no note','1980-08-13',NULL,'2020-01-01 00:00:00',337.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1190),
(222,3,'Person 226','no note','1980-08-14',NULL,'2020-01-01 00:00:00',339.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1195),
(223,4,'Person 227','no note','1980-08-15',NULL,'2020-01-01 00:00:00',340.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1200),
(224,1,'Person 228','no note','1980-08-16',NULL,'2020-01-01 00:00:00',342.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1205),
(225,2,'Person 229','no note','1980-08-17',NULL,'2020-01-01 00:00:00',343.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1210),
(226,3,'Person 230','no note','1980-08-18',NULL,'2020-01-01 00:00:00',345.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1215),
(227,4,'Person 231 it\'s','no note','1980-08-19',NULL,'2020-01-01 00:00:00',346.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1220),
(228,1,'Person 232','no note','1980-08-20',NULL,'2020-01-01 00:00:00',348.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1225),
(229,2,'Person 233','no note','1980-08-21',NULL,'2020-01-01 00:00:00',349.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1230),
(230,3,'Person 234','no note','1980-08-22',NULL,'2020-01-01 00:00:00',351.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1235),
(231,4,'Person 235','no note','1980-08-23',NULL,'2020-01-01 00:00:00',352.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1240),
(232,1,'Person 236','no note','1980-08-24',NULL,'2020-01-01 00:00:00',354.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1245)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(233,2,'Person 237','no note','1980-08-25',NULL,'2020-01-01 00:00:00',355.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1250),
(234,3,'Person 238 it\'s','no note','1980-08-26',NULL,'2020-01-01 00:00:00',357.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1255),
(235,4,'Person 239','no note','1980-08-27',NULL,'2020-01-01 00:00:00',358.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1260),
(236,1,'Person 240','no note','1980-08-28',NULL,'2020-01-01 00:00:00',360.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1265),
(237,2,'Person 241','no note','1980-08-29',NULL,'2020-01-01 00:00:00',361.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1270),
(238,3,'Person 242','no note','1980-08-30',NULL,'2020-01-01 00:00:00',363.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1275),
(239,4,'Person 243','no note','1980-08-31',NULL,'2020-01-01 00:00:00',364.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1280),
(240,1,'Person 244','no note','1980-09-01',NULL,'2020-01-01 00:00:00',366.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1285),
(241,2,'Person 245 it\'s','no note','1980-09-02',NULL,'2020-01-01 00:00:00',367.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1290),
(242,3,'Person 246','no note','1980-09-03',NULL,'2020-01-01 00:00:00',369.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1295),
(243,4,'Person 247','no note','1980-09-04',NULL,'2020-01-01 00:00:00',370.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1300),
(244,1,'Person 248','no note','1980-09-05',NULL,'2020-01-01 00:00:00',372.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1305),
(245,2,'Person 249','no note','1980-09-06',NULL,'2020-01-01 00:00:00',373.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1310),
(246,3,'Person 250','no note','1980-09-07',NULL,'2020-01-01 00:00:00',375.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1315),
(247,4,'Person 251','no note','1980-09-08',NULL,'2020-01-01 00:00:00',376.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1320),
(248,1,'Person 252 it\'s','no note','1980-09-09',NULL,'2020-01-01 00:00:00',378.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1325),
(249,2,'Person 253','no note','1980-09-10',NULL,'2020-01-01 00:00:00',379.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1330),
(250,3,'Person 254','no note','1980-09-11',NULL,'2020-01-01 00:00:00',381.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1335),
(251,4,'Person 255','no note','1980-09-12',NULL,'2020-01-01 00:00:00',382.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1340),
(252,1,'Person 256','no note','1980-09-13',NULL,'2020-01-01 00:00:00',384.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1345),
(253,2,'Person 257','no note','1980-09-14',NULL,'2020-01-01 00:00:00',385.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1350)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(254,3,'Person 258','no note','1980-09-15',NULL,'2020-01-01 00:00:00',387.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1355),
(255,4,'Person 259 it\'s','no note','1980-09-16',NULL,'2020-01-01 00:00:00',388.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1360),
(256,1,'Person 260','no note','1980-09-17',NULL,'2020-01-01 00:00:00',390.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1365),
(257,2,'Person 261','no note','1980-09-18',NULL,'2020-01-01 00:00:00',391.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1370),
(258,3,'Person 262','no note','1980-09-19',NULL,'2020-01-01 00:00:00',393.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1375),
(259,4,'Person 263','no note','1980-09-20',NULL,'2020-01-01 00:00:00',394.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1380),
(260,1,'Person 264','no note','1980-09-21',NULL,'2020-01-01 00:00:00',396.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1385),
(261,2,'Person 265','no note','1980-09-22',NULL,'2020-01-01 00:00:00',397.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1390),
(262,3,'Person 266 it\'s','no note','1980-09-23',NULL,'2020-01-01 00:00:00',399.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1395),
(263,4,'Person 267','no note','1980-09-24',NULL,'2020-01-01 00:00:00',400.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1400),
(264,1,'Person 268','no note','1980-09-25',NULL,'2020-01-01 00:00:00',402.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1405),
(265,2,'Person 269','no note','1980-09-26',NULL,'2020-01-01 00:00:00',403.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1410),
(266,3,'Person 270','no note','1980-09-27',NULL,'2020-01-01 00:00:00',405.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1415),
(267,4,'Person 271','no note','1980-09-28',NULL,'2020-01-01 00:00:00',406.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1420),
(268,1,'Person 272','no note','1980-09-29',NULL,'2020-01-01 00:00:00',408.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1425),
(269,2,'Person 273 it\'s','no note','1980-09-30',NULL,'2020-01-01 00:00:00',409.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1430),
(270,3,'Person 274','no note','1980-10-01',NULL,'2020-01-01 00:00:00',411.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1435),
(271,4,'Person 275','no note','1980-10-02',NULL,'2020-01-01 00:00:00',412.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1440),
(272,1,'Person 276','no note','1980-10-03',NULL,'2020-01-01 00:00:00',414.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1445),
(273,2,'Person 277','no note','1980-10-04',NULL,'2020-01-01 00:00:00',415.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1450),
(274,3,'Person 278','no note','1980-10-05',NULL,'2020-01-01 00:00:00',417.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1455)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(275,4,'Person 279','no note','1980-10-06',NULL,'2020-01-01 00:00:00',418.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1460),
(276,1,'Person 280 it\'s','no note','1980-10-07',NULL,'2020-01-01 00:00:00',420.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1465),
(277,2,'Person 281','no note','1980-10-08',NULL,'2020-01-01 00:00:00',421.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1470),
(278,3,'Person 282','no note','1980-10-09',NULL,'2020-01-01 00:00:00',423.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1475),
(279,4,'Person 283','no note','1980-10-10',NULL,'2020-01-01 00:00:00',424.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1480),
(280,1,'Person 284','no note','1980-10-11',NULL,'2020-01-01 00:00:00',426.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1485),
(281,2,'Person 285','no note','1980-10-12',NULL,'2020-01-01 00:00:00',427.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1490),
(282,3,'Person 286','no note','1980-10-13',NULL,'2020-01-01 00:00:00',429.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1495),
(283,4,'Person 287 it\'s','no note','1980-10-14',NULL,'2020-01-01 00:00:00',430.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1500),
(284,1,'Person 288','no note','1980-10-15',NULL,'2020-01-01 00:00:00',432.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1505),
(285,2,'Person 289','no note','1980-10-16',NULL,'2020-01-01 00:00:00',433.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1510),
(286,3,'Person 290','no note','1980-10-17',NULL,'2020-01-01 00:00:00',435.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1515),
(287,4,'Person 291','no note','1980-10-18',NULL,'2020-01-01 00:00:00',436.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1520),
(288,1,'Person 292','no note','1980-10-19',NULL,'2020-01-01 00:00:00',438.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1525),
(289,2,'Person 293','no note','1980-10-20',NULL,'2020-01-01 00:00:00',439.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1530),
(290,3,'Person 294 it\'s','no note','1980-10-21',NULL,'2020-01-01 00:00:00',441.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1535),
(291,4,'Person 295','no note','1980-10-22',NULL,'2020-01-01 00:00:00',442.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1540),
(292,1,'Person 296','no note','1980-10-23',NULL,'2020-01-01 00:00:00',444.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1545),
(293,2,'Person 297','no note','1980-10-24',NULL,'2020-01-01 00:00:00',445.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1550),
(294,3,'Person 298','no note','1980-10-25',NULL,'2020-01-01 00:00:00',447.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1555),
(295,4,'Person 299','no note','1980-10-26',NULL,'2020-01-01 00:00:00',448.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1560)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(296,1,'Person 300','no note','1980-10-27',NULL,'2020-01-01 00:00:00',450.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1565),
(297,2,'Person 301 it\'s','no note','1980-10-28',NULL,'2020-01-01 00:00:00',451.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1570),
(298,3,'Person 302','no note','1980-10-29',NULL,'2020-01-01 00:00:00',453.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1575),
(299,4,'Person 303','no note','1980-10-30',NULL,'2020-01-01 00:00:00',454.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1580),
(300,1,'Person 304','no note','1980-10-31',NULL,'2020-01-01 00:00:00',456.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1585),
(301,2,'Person 305','no note','1980-11-01',NULL,'2020-01-01 00:00:00',457.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1590),
(302,3,'Person 306','no note','1980-11-02',NULL,'2020-01-01 00:00:00',459.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1595),
(303,4,'Person 307','no note','1980-11-03',NULL,'2020-01-01 00:00:00',460.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1600),
(304,1,'Person 308 it\'s','no note','1980-11-04',NULL,'2020-01-01 00:00:00',462.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1605),
(305,2,'Person 309','no note','1980-11-05',NULL,'2020-01-01 00:00:00',463.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1610),
(306,3,'Person 310','no note','1980-11-06',NULL,'2020-01-01 00:00:00',465.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1615),
(307,4,'Person 311','no note','1980-11-07',NULL,'2020-01-01 00:00:00',466.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1620),
(308,1,'Person 312','no note','1980-11-08',NULL,'2020-01-01 00:00:00',468.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1625),
(309,2,'Person 313','no note','1980-11-09',NULL,'2020-01-01 00:00:00',469.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1630),
(310,3,'Person 314','no note','1980-11-10',NULL,'2020-01-01 00:00:00',471.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1635),
(311,4,'Person 315 it\'s','no note','1980-11-11',NULL,'2020-01-01 00:00:00',472.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1640),
(312,1,'Person 316','no note','1980-11-12',NULL,'2020-01-01 00:00:00',474.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1645),
(313,2,'Person 317','no note','1980-11-13',NULL,'2020-01-01 00:00:00',475.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1650),
(314,3,'Person 318','no note','1980-11-14',NULL,'2020-01-01 00:00:00',477.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1655),
(315,4,'Person 319','no note','1980-11-15',NULL,'2020-01-01 00:00:00',478.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1660),
(316,1,'Person 320','no note','1980-11-16',NULL,'2020-01-01 00:00:00',480.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1665)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(317,2,'Person 321','no note','1980-11-17',NULL,'2020-01-01 00:00:00',481.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1670),
(318,3,'Person 322 it\'s','no note','1980-11-18',NULL,'2020-01-01 00:00:00',483.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1675),
(319,4,'Person 323','no note','1980-11-19',NULL,'2020-01-01 00:00:00',484.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1680),
(320,1,'Person 324','no note','1980-11-20',NULL,'2020-01-01 00:00:00',486.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1685),
(321,2,'Person 325','no note','1980-11-21',NULL,'2020-01-01 00:00:00',487.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1690),
(322,3,'Person 326','no note','1980-11-22',NULL,'2020-01-01 00:00:00',489.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1695),
(323,4,'Person 327','no note','1980-11-23',NULL,'2020-01-01 00:00:00',490.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1700),
(324,1,'Person 328','no note','1980-11-24',NULL,'2020-01-01 00:00:00',492.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1705),
(325,2,'Person 329 it\'s','no note','1980-11-25',NULL,'2020-01-01 00:00:00',493.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1710),
(326,3,'Person 330','no note','1980-11-26',NULL,'2020-01-01 00:00:00',495.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1715),
(327,4,'Person 331','no note','1980-11-27',NULL,'2020-01-01 00:00:00',496.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1720),
(328,1,'Person 332','no note','1980-11-28',NULL,'2020-01-01 00:00:00',498.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1725),
(329,2,'Person 333','no note','1980-11-29',NULL,'2020-01-01 00:00:00',499.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1730),
(330,3,'Person 334','no note','1980-11-30',NULL,'2020-01-01 00:00:00',501.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1735),
(331,4,'Person 335','no note','1980-12-01',NULL,'2020-01-01 00:00:00',502.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1740),
(332,1,'Person 336 it\'s','no note','1980-12-02',NULL,'2020-01-01 00:00:00',504.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1745),
(333,2,'Person 337','no note','1980-12-03',NULL,'2020-01-01 00:00:00',505.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1750),
(334,3,'Person 338','no note','1980-12-04',NULL,'2020-01-01 00:00:00',507.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1755),
(335,4,'Person 339','no note','1980-12-05',NULL,'2020-01-01 00:00:00',508.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1760),
(336,1,'Person 340','no note','1980-12-06',NULL,'2020-01-01 00:00:00',510.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1765),
(337,2,'Person 341','no note','1980-12-07',NULL,'2020-01-01 00:00:00',511.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1770)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(338,3,'Person 342','no note','1980-12-08',NULL,'2020-01-01 00:00:00',513.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1775),
(339,4,'Person 343 it\'s','no note','1980-12-09',NULL,'2020-01-01 00:00:00',514.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1780),
(340,1,'Person 344','no note','1980-12-10',NULL,'2020-01-01 00:00:00',516.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1785),
(341,2,'Person 345','no note','1980-12-11',NULL,'2020-01-01 00:00:00',517.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1790),
(342,3,'Person 346','no note','1980-12-12',NULL,'2020-01-01 00:00:00',519.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1795),
(343,4,'Person 347','no note','1980-12-13',NULL,'2020-01-01 00:00:00',520.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1800),
(344,1,'Person 348','no note','1980-12-14',NULL,'2020-01-01 00:00:00',522.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1805),
(345,2,'Person 349','no note','1980-12-15',NULL,'2020-01-01 00:00:00',523.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1810),
(346,3,'Person 350 it\'s','no note','1980-12-16',NULL,'2020-01-01 00:00:00',525.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1815),
(347,4,'Person 351','no note','1980-12-17',NULL,'2020-01-01 00:00:00',526.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1820),
(348,1,'Person 352','no note','1980-12-18',NULL,'2020-01-01 00:00:00',528.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1825),
(349,2,'Person 353','no note','1980-12-19',NULL,'2020-01-01 00:00:00',529.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1830),
(350,3,'Person 354','no note','1980-12-20',NULL,'2020-01-01 00:00:00',531.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1835),
(351,4,'Person 355','no note','1980-12-21',NULL,'2020-01-01 00:00:00',532.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1840),
(352,1,'Person 356','no note','1980-12-22',NULL,'2020-01-01 00:00:00',534.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1845),
(353,2,'Person 357 it\'s','no note','1980-12-23',NULL,'2020-01-01 00:00:00',535.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1850),
(354,3,'Person 358','no note','1980-12-24',NULL,'2020-01-01 00:00:00',537.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1855),
(355,4,'Person 359','no note','1980-12-25',NULL,'2020-01-01 00:00:00',538.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1860),
(356,1,'Person 360','no note','1980-12-26',NULL,'2020-01-01 00:00:00',540.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1865),
(357,2,'Person 361','no note','1980-12-27',NULL,'2020-01-01 00:00:00',541.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1870),
(358,3,'Person 362','no note','1980-12-28',NULL,'2020-01-01 00:00:00',543.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1875)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(359,4,'Person 363','no note','1980-12-29',NULL,'2020-01-01 00:00:00',544.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1880),
(360,1,'Person 364 it\'s','no note','1980-12-30',NULL,'2020-01-01 00:00:00',546.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1885),
(361,2,'Person 365','no note','1980-12-31',NULL,'2020-01-01 00:00:00',547.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1890),
(362,3,'Person 366','no note','1981-01-01',NULL,'2020-01-01 00:00:00',549.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1895),
(363,4,'Person 367','no note','1981-01-02',NULL,'2020-01-01 00:00:00',550.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1900),
(364,1,'Person 368','no note','1981-01-03',NULL,'2020-01-01 00:00:00',552.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1905),
(365,2,'Person 369','no note','1981-01-04',NULL,'2020-01-01 00:00:00',553.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1910),
(366,3,'Person 370','no note','1981-01-05',NULL,'2020-01-01 00:00:00',555.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1915),
(367,4,'Person 371 it\'s','no note','1981-01-06',NULL,'2020-01-01 00:00:00',556.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1920),
(368,1,'Person 372','no note','1981-01-07',NULL,'2020-01-01 00:00:00',558.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1925),
(369,2,'Person 373','no note','1981-01-08',NULL,'2020-01-01 00:00:00',559.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1930),
(370,3,'Person 374','no note','1981-01-09',NULL,'2020-01-01 00:00:00',561.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1935),
(371,4,'Person 375','no note','1981-01-10',NULL,'2020-01-01 00:00:00',562.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1940),
(372,1,'Person 376','no note','1981-01-11',NULL,'2020-01-01 00:00:00',564.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1945),
(373,2,'Person 377','no note','1981-01-12',NULL,'2020-01-01 00:00:00',565.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1950),
(374,3,'Person 378 it\'s','no note','1981-01-13',NULL,'2020-01-01 00:00:00',567.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1955),
(375,4,'Person 379','no note','1981-01-14',NULL,'2020-01-01 00:00:00',568.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1960),
(376,1,'Person 380','no note','1981-01-15',NULL,'2020-01-01 00:00:00',570.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1965),
(377,2,'Person 381','no note','1981-01-16',NULL,'2020-01-01 00:00:00',571.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1970),
(378,3,'Person 382','no note','1981-01-17',NULL,'2020-01-01 00:00:00',573.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1975),
(379,4,'Person 383','no note','1981-01-18',NULL,'2020-01-01 00:00:00',574.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1980)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
INSERT INTO `people` (`id`,`team_id`,`name`,`note`,`born`,`seen_at`,`stamp`,`score`,`ratio`,`weight`,`flags`,`level`,`tags`,`photo`,`hash`,`profile`,`born_year`,`big`,`tiny`,`ip`,`uid`,`legacy`,`ticket`) VALUES
(380,1,'Person 384','no note','1981-01-19',NULL,'2020-01-01 00:00:00',576.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1985),
(381,2,'Person 385 it\'s','no note','1981-01-20',NULL,'2020-01-01 00:00:00',577.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1990),
(382,3,'Person 386','no note','1981-01-21',NULL,'2020-01-01 00:00:00',579.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1995),
(383,4,'Person 387','no note','1981-01-22',NULL,'2020-01-01 00:00:00',580.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2000),
(384,1,'Person 388','no note','1981-01-23',NULL,'2020-01-01 00:00:00',582.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2005),
(385,2,'Person 389','no note','1981-01-24',NULL,'2020-01-01 00:00:00',583.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2010),
(386,3,'Person 390','no note','1981-01-25',NULL,'2020-01-01 00:00:00',585.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2015),
(387,4,'Person 391','no note','1981-01-26',NULL,'2020-01-01 00:00:00',586.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2020),
(388,1,'Person 392 it\'s','no note','1981-01-27',NULL,'2020-01-01 00:00:00',588.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2025),
(389,2,'Person 393','no note','1981-01-28',NULL,'2020-01-01 00:00:00',589.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2030),
(390,3,'Person 394','no note','1981-01-29',NULL,'2020-01-01 00:00:00',591.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2035),
(391,4,'Person 395','no note','1981-01-30',NULL,'2020-01-01 00:00:00',592.5000,NULL,NULL,NULL,'high','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2040),
(392,1,'Person 396','no note','1981-01-31',NULL,'2020-01-01 00:00:00',594.0000,NULL,NULL,NULL,'low',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2045),
(393,2,'Person 397','no note','1981-02-01',NULL,'2020-01-01 00:00:00',595.5000,NULL,NULL,NULL,'mid','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2050),
(394,3,'Person 398','no note','1981-02-02',NULL,'2020-01-01 00:00:00',597.0000,NULL,NULL,NULL,'high',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2055),
(395,4,'Person 399 it\'s','no note','1981-02-03',NULL,'2020-01-01 00:00:00',598.5000,NULL,NULL,NULL,'low','a,b',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2060),
(396,1,'Person 400','no note','1981-02-04',NULL,'2020-01-01 00:00:00',600.0000,NULL,NULL,NULL,'mid',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,2065)
ON DUPLICATE KEY UPDATE `team_id`=VALUES(`team_id`),`name`=VALUES(`name`),`note`=VALUES(`note`),`born`=VALUES(`born`),`seen_at`=VALUES(`seen_at`),`stamp`=VALUES(`stamp`),`score`=VALUES(`score`),`ratio`=VALUES(`ratio`),`weight`=VALUES(`weight`),`flags`=VALUES(`flags`),`level`=VALUES(`level`),`tags`=VALUES(`tags`),`photo`=VALUES(`photo`),`hash`=VALUES(`hash`),`profile`=VALUES(`profile`),`born_year`=VALUES(`born_year`),`big`=VALUES(`big`),`tiny`=VALUES(`tiny`),`ip`=VALUES(`ip`),`uid`=VALUES(`uid`),`legacy`=VALUES(`legacy`),`ticket`=VALUES(`ticket`);
-- dumpcore-chunk table=people seq=1 rows=394 bytes=76803 xxh3_128=0cc8f398e05b86f61d5bed3a0a1cb55f fingerprint=000000c208253e2e
-- triggers
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
-- events
-- views
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
-- settings restored
SET SESSION FOREIGN_KEY_CHECKS = COALESCE(@dumpcore_old_fk, 1);
SET SESSION UNIQUE_CHECKS = COALESCE(@dumpcore_old_uc, 1);
SET SESSION SQL_MODE = COALESCE(@dumpcore_old_sql_mode, @@GLOBAL.SQL_MODE);
SET SESSION TIME_ZONE = COALESCE(@dumpcore_old_tz, @@GLOBAL.TIME_ZONE);
SET SESSION CHARACTER_SET_CLIENT = COALESCE(@dumpcore_old_cs_client, @@GLOBAL.CHARACTER_SET_CLIENT);
SET SESSION CHARACTER_SET_RESULTS = COALESCE(@dumpcore_old_cs_results, @@GLOBAL.CHARACTER_SET_RESULTS);
SET SESSION COLLATION_CONNECTION = COALESCE(@dumpcore_old_coll_conn, @@GLOBAL.COLLATION_CONNECTION);
-- dumpcore-end
