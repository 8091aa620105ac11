#!/bin/sh
# Back up, migrate, restore into the current schema: the README's Prisma recipe, end to end,
# on the sample school (tests/test_migrate.py runs it).
#
#   sh examples/migrate/run.sh                      # against `dumpcore sandbox start`
#   DB=app C="-h db.local -u admin -p" OUT=backup sh examples/migrate/run.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${DB:-school_migrate}
C=${C:-"-S /tmp/dumpcore-sandbox/mysqld.sock -u root"}
OUT=${OUT:-backup-$DB}

# the app as it was: the school, with its Prisma migration history
dumpcore sample "$DB" $C
mariadb $C "$DB" < "$HERE/prisma_history.sql"

# 1. back up
dumpcore dump "$DB" --prisma "$HERE/../school/schema.prisma" -o "$OUT" $C

# 2. migrate: students.nickname added, lectures.topic dropped, audit_log -> audit_events
mariadb $C "$DB" < "$HERE/migration.sql"

# 3. what a restore into the changed schema would do (writes nothing)
dumpcore restore "$OUT" -D "$DB" --into-current-schema --dry-run --prisma "$HERE/schema.prisma" \
    --drop lectures.topic $C

# 4. restore into it: by column name, proven over the columns both sides share
dumpcore restore "$OUT" -D "$DB" --into-current-schema --cleanup --prisma "$HERE/schema.prisma" \
    --drop lectures.topic $C
