-- dumpcore 0.1.0: schema of `old_cp1251` (run in the target database)
CREATE TABLE IF NOT EXISTS `plain` (
  `id` int(11) NOT NULL,
  `s` varchar(10) CHARACTER SET cp1251 COLLATE cp1251_general_ci DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE IF NOT EXISTS `words` (
  `k` varchar(20) CHARACTER SET cp1251 COLLATE cp1251_general_ci NOT NULL,
  `c` char(6) CHARACTER SET cp1251 COLLATE cp1251_general_ci DEFAULT NULL,
  `t` text CHARACTER SET cp1251 COLLATE cp1251_general_ci DEFAULT NULL,
  `n` int(11) DEFAULT NULL,
  PRIMARY KEY (`k`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
