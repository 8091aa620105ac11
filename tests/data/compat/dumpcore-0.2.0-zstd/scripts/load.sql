-- dumpcore plan for `compat`: 3 tables
-- load.sql: THIS DUMP IS COMPRESSED. The mysql client cannot SOURCE data/*.sql.zst,
-- so this script loads nothing and stops with an error. Restore with one of:
--   dumpcore restore DIR --database DB       (parallel, resumable)
--   dumpcore cat DIR | mariadb DB            (every hash checked before anything is sent)
--   sh DIR/scripts/load-zstd.sh | mariadb DB (only the client and zstdcat)
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'compressed dump: load.sql cannot SOURCE .zst files; use dumpcore cat DIR | mariadb DB or scripts/load-zstd.sh';
