#!/bin/sh
# Nightly PostgreSQL backups (docker-compose.yml, service backup): one pg_dump in custom format at
# BACKUP_HOUR (Asia/Shanghai) every day, plus one when the service starts; dumps older than
# BACKUP_KEEP_DAYS are deleted. The restore drill is deploy/restore_drill.sh (README.md, "Backups").
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}"
BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_HOUR=${BACKUP_HOUR:-2}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
export TZ=${TZ:-Asia/Shanghai}

dump() {
    name="$BACKUP_DIR/${PGDATABASE}-$(date +%Y%m%d-%H%M%S).dump"
    # Written under a temporary name first: a half-written dump must never look like a backup.
    if pg_dump --format=custom --no-owner --file="$name.partial" && pg_restore --list "$name.partial" >/dev/null; then
        mv "$name.partial" "$name"
        echo "backup: wrote $name ($(du -h "$name" | cut -f1))"
    else
        rm -f "$name.partial"
        echo "backup: pg_dump FAILED" >&2
    fi
    find "$BACKUP_DIR" -name "${PGDATABASE}-*.dump" -mtime +"$BACKUP_KEEP_DAYS" -print -delete
}

mkdir -p "$BACKUP_DIR"
until pg_isready -q; do sleep 2; done
dump
while true; do
    # Sleep until the next BACKUP_HOUR:00.
    now=$(date +%s)
    next=$(date -d "$(date +%Y-%m-%d) ${BACKUP_HOUR}:00" +%s)
    [ "$next" -le "$now" ] && next=$((next + 86400))
    sleep $((next - now))
    dump
done
