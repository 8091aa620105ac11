INSERT INTO `plain` (`id`,`s`) VALUES
(1,'Юг'),
(2,NULL)
ON DUPLICATE KEY UPDATE `s`=VALUES(`s`);
