#!/bin/sh
# dumpcore plan for `compat`: 3 tables
# load-zstd.sh: the SQL of this compressed dump in load order, for the client:
#   sh DIR/scripts/load-zstd.sh | mariadb DB
# zstd checks each chunk's frame checksum as it decompresses, but only while the chunk
# is already being loaded: `dumpcore cat DIR | mariadb DB` checks every hash first.
set -e
cd "$(dirname "$0")/.."
cat scripts/disable.sql
cat schema.sql
printf '%s' '-- keyless tables this SQL adds rows to: stop here if any already holds rows (dump --append / cat --append leave this out)
DELIMITER ;;
BEGIN NOT ATOMIC IF EXISTS (SELECT 1 FROM `events` LIMIT 1) THEN SIGNAL SQLSTATE '"'"'45000'"'"' SET MESSAGE_TEXT = '"'"'dumpcore: table `events` has no key and already holds rows: loading this dump\'"'"'s rows again would add them twice; empty it first (or use dumpcore restore --cleanup), or make the SQL with --append to add them'"'"'; END IF; END
;;
DELIMITER ;
'
zstdcat -q data/events.00001.sql.zst
zstdcat -q data/teams.00001.sql.zst
zstdcat -q data/people.00001.sql.zst
zstdcat -q data/people.00002.sql.zst
zstdcat -q data/people.00003.sql.zst
zstdcat -q data/people.00004.sql.zst
cat triggers.sql
cat events.sql
cat views.sql
cat scripts/enable.sql
