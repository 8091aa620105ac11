INSERT INTO `words` (`k`,`c`,`t`,`n`) VALUES
('Zebra',NULL,'',3),
('абв','х','Ђ№',4),
('ёж','a','щ\'\\',2),
('Ёлка','дом','Привет, мир',1)
ON DUPLICATE KEY UPDATE `c`=VALUES(`c`),`t`=VALUES(`t`),`n`=VALUES(`n`);
