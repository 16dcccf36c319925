#!/bin/sh
# Restore drill: load the newest (or the given) dump into a scratch database next to the live one,
# compare row counts of the tables that matter, then drop the scratch database. Run it monthly:
#   docker compose exec backup sh /usr/local/bin/restore_drill.sh [/backups/tianjin_towns-….dump]
# A real restore is the same pg_restore into the live database name with web, worker and beat stopped.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}"
BACKUP_DIR=${BACKUP_DIR:-/backups}
dump=${1:-$(ls -1t "$BACKUP_DIR"/"$PGDATABASE"-*.dump | head -n 1)}
scratch="${PGDATABASE}_restore_drill"
echo "restore drill: $dump -> $scratch"
dropdb --if-exists "$scratch"
createdb "$scratch"
started=$(date +%s)
pg_restore --no-owner --exit-on-error --dbname="$scratch" "$dump"
echo "restore drill: restored in $(( $(date +%s) - started )) s"
status=0
for table in ledgers_monthlyreport ledgers_reportvalue ledgers_reportevent coordination_town auth_user; do
    live=$(psql -tAc "SELECT count(*) FROM $table" "$PGDATABASE")
    restored=$(psql -tAc "SELECT count(*) FROM $table" "$scratch")
    echo "  $table: live $live, restored $restored"
    # The live database may have grown since the dump; the restored one must not have more, nor be empty.
    if [ "$restored" -gt "$live" ] || { [ "$live" -gt 0 ] && [ "$restored" -eq 0 ]; }; then status=1; fi
done
dropdb "$scratch"
[ "$status" -eq 0 ] && echo "restore drill: OK" || echo "restore drill: FAILED" >&2
exit "$status"
