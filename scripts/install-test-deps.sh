#!/bin/bash
# Installs what the test suite needs beside npm's packages: the Debian packages
# (PHP with PDO MySQL, MariaDB, Chromium and shellcheck for the app's tests) and
# moto, the AWS API emulator the lifecycle suite applies the stacks into.
# `npm test` runs it first. Quick and quiet when all are there; otherwise it
# installs what it can (Debian packages as root, moto with pip) and names what
# it cannot, and fails.
#
#   bash scripts/install-test-deps.sh
set -euo pipefail

# openssl makes the test CAs and server certificates (most images have it already).
PACKAGES=(php-cli php-mysql mariadb-server chromium shellcheck openssl)
# The emulator's server, as the lifecycle suite starts it (moto_server on PATH).
MOTO_REQUIREMENT='moto[server]>=5.2,<5.3'

install_debian_packages() {
  if ! command -v dpkg-query >/dev/null; then
    echo "install-test-deps: not a Debian system; install the equivalents of: ${PACKAGES[*]}" >&2
    exit 1
  fi
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then
      missing+=("$package")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

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
}

install_moto() {
  command -v moto_server >/dev/null && return 0
  # pip may have no registry to reach (an offline machine): one quick try, no retries.
  if command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 &&
    python3 -m pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 "$MOTO_REQUIREMENT" >/dev/null 2>&1; then
    hash -r
    if command -v moto_server >/dev/null; then
      echo "install-test-deps: installed $MOTO_REQUIREMENT with pip"
      return 0
    fi
  fi
  echo "install-test-deps: moto_server is missing and pip could not install it: install the Python package '$MOTO_REQUIREMENT' (pip install '$MOTO_REQUIREMENT') so moto_server is on PATH" >&2
  exit 1
}

install_debian_packages
install_moto
