-- CREATE DATABASE for restoring under the source name
CREATE DATABASE IF NOT EXISTS `compat` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */;
