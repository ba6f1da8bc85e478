#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only where it is missing, and starts
# the database server when it is not running:
#   nginx           the rendered server blocks are checked and served by private nginx instances
#   chromium        browser tests of vWHM (driven by playwright-core)
#   mariadb-server  customer databases are real MariaDB databases
#   php8.2-fpm      account pools are checked and served by private php-fpm masters
#   php8.2-cli      the tests try an account's socket as another uid with the PHP command line, and
#                   run the FOSSBilling module (integrations/fossbilling) against the panel
#   php8.2-curl     the FOSSBilling module calls the API with PHP's curl
#   pebble          an offline ACME server (pebble, pebble-challtestsrv) that issues the test certificates
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/sbin/useradd ] || missing+=(passwd)
[ -x /usr/sbin/php-fpm8.2 ] || missing+=(php8.2-fpm)
[ -x /usr/bin/php8.2 ] || missing+=(php8.2-cli)
[ -e /etc/php/8.2/mods-available/curl.ini ] || missing+=(php8.2-curl)
[ -x /usr/bin/pebble ] && [ -x /usr/bin/pebble-challtestsrv ] || missing+=(pebble)

# stop_service stops and disables a service a package just started: the tests run private instances
# only, and must neither depend on the system's nor disturb it. Where systemd does not run (a
# container), the package may have started it through its init script.
stop_service() {
  if [ -d /run/systemd/system ]; then
    systemctl disable --now "$1" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$1" ]; then
    "/etc/init.d/$1" stop >/dev/null 2>&1 || true
    update-rc.d "$1" disable >/dev/null 2>&1 || true
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: please install: ${missing[*]} (needs root and apt-get)" >&2
    exit 1
  fi
  echo "test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The nginx and php8.2-fpm packages start the system's instances; only stop what this run installed.
  for service in nginx php8.2-fpm; do
    case " ${missing[*]} " in *" $service "*) stop_service "$service" ;; esac
  done
fi

# MariaDB: start it when its socket does not answer (no systemd on every machine).
socket=/run/mysqld/mysqld.sock
if ! mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1; then
  echo "test-deps: starting mariadb"
  install -d -o mysql -g mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 || { echo "test-deps: mariadb did not start" >&2; exit 1; }
fi
echo "test-deps: ready"
