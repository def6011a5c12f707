#!/bin/sh
# One backup into a dated folder, then the folders older than BACKUP_KEEP_DAYS removed.
# Run by deploy/systemd/proposal-desk-backup.service (nightly, proposal-desk-backup.timer); by hand:
#   sudo -u proposal-desk sh -ac '. /etc/proposal-desk/proposal-desk.env; /srv/proposal-desk/deploy/backup.sh'
# The media are copied through the storage API, from the folder or the bucket alike. BACKUP_MEDIA_FLAG=--no-media
# copies the database only: for a large bucket whose own versioning or replication backs it up.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
dir=${BACKUP_DIR:-/var/backups/proposal-desk}
keep=${BACKUP_KEEP_DAYS:-14}
target="$dir/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$dir"
cd "$here"
# shellcheck disable=SC2086  # the flag is empty or one word
"$here/.venv/bin/python" manage.py backup -o "$target" ${BACKUP_MEDIA_FLAG:-}
find "$dir" -mindepth 1 -maxdepth 1 -type d -name '20*' -mtime "+$keep" -exec rm -rf {} +
echo "backup kept in $target; backups older than $keep days removed"
