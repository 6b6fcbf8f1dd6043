#!/bin/bash
# Installs the Debian packages the test suite needs: PHP with PDO MySQL,
# MariaDB, Chromium and shellcheck for the app's tests, Graphviz for the
# architecture diagram. `npm test` runs it first. Quick and quiet when all are
# there; as root it installs the missing ones, otherwise it names them and fails.
#
#   bash scripts/install-test-deps.sh
set -euo pipefail

# openssl makes the end-to-end test's CA and server certificate (most images have it already);
# graphviz renders the architecture diagram.
PACKAGES=(php-cli php-mysql mariadb-server chromium shellcheck openssl graphviz)

if ! command -v dpkg-query >/dev/null; then
  echo "install-test-deps: not a Debian system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Without recommends: no MariaDB extras or Chromium desktop bits the tests never use.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
