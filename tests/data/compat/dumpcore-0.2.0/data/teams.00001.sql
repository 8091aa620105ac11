INSERT INTO `teams` (`id`,`name`,`captain_id`,`parent_team_id`) VALUES
(1,'Root',1,NULL),
(2,'Zoë\'s',2,1),
(3,'Back\\slash',NULL,2),
(4,'Łódź 中文',5,1)
ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`captain_id`=VALUES(`captain_id`),`parent_team_id`=VALUES(`parent_team_id`);
