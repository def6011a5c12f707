#!/bin/sh
# Make sure the Debian/Ubuntu packages named as arguments are installed.
# As root, or with password-less sudo, install the missing ones with apt-get; otherwise print the
# exact command and go on (the app still starts; `manage.py check` says what is missing).
set -u
missing=""
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian/Ubuntu system; make sure these are installed: $*" >&2
  exit 0
fi
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $pkg"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "Missing system packages:$missing" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 0
fi
echo "Installing system packages:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q || true
# shellcheck disable=SC2086  # the list is meant to split into words
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; then
  echo "warning: could not install:$missing" >&2
fi
exit 0
