"""Connect: talking to the server. The only user of mysqlclient (connection.py); my.cnf and
--defaults-file read as the mysql client reads them (optionfiles.py)."""
