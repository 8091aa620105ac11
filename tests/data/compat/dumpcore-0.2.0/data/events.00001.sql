INSERT INTO `events` (`at`,`what`,`amount`) VALUES
('2024-01-01 00:00:00','start',NULL),
('2024-01-01 00:00:00','start',NULL),
('2024-01-02 10:00:00','paid \'100\'',100.50),
('2024-01-03 11:00:00','refund\\n',-0.01);
