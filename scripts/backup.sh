#!/usr/bin/env bash
# Nightly backup of one Qihang deployment (docs/deployment.md §7): a PostgreSQL dump and the
# uploaded files, into BACKUP_DIR/YYYY-MM-DD, keeping KEEP_DAYS days. Reads DATABASE_URL and
# QIHANG_DATA_DIR from the environment (the service's EnvironmentFile). The keys are NOT copied:
# they are backed up once, apart from the data.
set -euo pipefail
umask 077
: "${DATABASE_URL:?DATABASE_URL must be set}"
: "${QIHANG_DATA_DIR:?QIHANG_DATA_DIR must be set}"
backup_dir="${BACKUP_DIR:-/var/backups/qihang}"
keep_days="${KEEP_DAYS:-30}"
media_dir="${QIHANG_MEDIA_ROOT:-$QIHANG_DATA_DIR/files}"

target="$backup_dir/$(date +%F)"
mkdir -p "$target"
pg_dump --format=custom --file="$target/qihang.dump" "$DATABASE_URL"
if [ -d "$media_dir" ]; then
  tar -C "$(dirname "$media_dir")" -czf "$target/files.tar.gz" "$(basename "$media_dir")"
fi
find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -mtime "+$keep_days" -exec rm -rf {} +
echo "backup written to $target"
