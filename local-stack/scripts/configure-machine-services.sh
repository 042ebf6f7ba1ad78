#!/usr/bin/env bash
# Makes the PostgreSQL, MariaDB and Redis services already running on this machine usable for
# change data capture, as a user would configure their own servers:
#   PostgreSQL: wal_level=logical, replication slots and WAL senders (restart when changed)
#   MariaDB:    binlog on, ROW format, full row image, server id (restart when changed),
#               and a CDC user with the replication privileges binlog CDC needs
#   Redis:      running on 127.0.0.1:6379
# Idempotent: run it as often as you like; it restarts a server only when it changed its config.
# A service that is not installed is reported and skipped.
set -uo pipefail

log() { echo "[machine-services] $*"; }

configure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "PostgreSQL: not installed, skipped"; return 0
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  if ! pg_isready -h 127.0.0.1 -q; then
    log "PostgreSQL: starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || return 1
  fi
  local psql=(psql -h 127.0.0.1 -U postgres -d postgres -Atq)
  local wal
  wal=$("${psql[@]}" -c "SHOW wal_level")
  if [[ "$wal" != "logical" ]]; then
    log "PostgreSQL: wal_level=$wal -> logical (restart)"
    "${psql[@]}" -c "ALTER SYSTEM SET wal_level = 'logical'" \
      -c "ALTER SYSTEM SET max_replication_slots = 20" \
      -c "ALTER SYSTEM SET max_wal_senders = 20" || return 1
    pg_ctlcluster --skip-systemctl-redirect "$version" main restart || return 1
  fi
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -q && break; sleep 0.5; done
  log "PostgreSQL: wal_level=$("${psql[@]}" -c "SHOW wal_level")"
}

configure_mariadb() {
  if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
    log "MariaDB: not installed, skipped"; return 0
  fi
  local cnf=/etc/mysql/my.cnf
  if ! mariadb-admin -uroot ping >/dev/null 2>&1; then
    log "MariaDB: starting"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 1 60); do mariadb-admin -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  if [[ "$(mariadb -uroot -N -e "SELECT @@log_bin")" != "1" ]]; then
    if ! grep -q "changeflow: binlog for CDC" "$cnf"; then
      log "MariaDB: enabling the ROW binlog in $cnf"
      cat >> "$cnf" <<'CNF'

# changeflow: binlog for CDC (written by local-stack/scripts/configure-machine-services.sh)
[mariadbd]
log_bin = mysql-bin
binlog_format = ROW
binlog_row_image = FULL
server_id = 1
expire_logs_days = 2
CNF
    fi
    log "MariaDB: restarting"
    mariadb-admin -uroot shutdown
    for _ in $(seq 1 60); do pgrep -x mariadbd >/dev/null || break; sleep 0.5; done
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 1 60); do mariadb-admin -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  mariadb -uroot -e "
    CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY 'cdc';
    GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, PROCESS ON *.* TO 'cdc'@'%';
    CREATE DATABASE IF NOT EXISTS test;
    FLUSH PRIVILEGES;" || return 1
  log "MariaDB: $(mariadb -uroot -N -e "SELECT CONCAT('log_bin=', @@log_bin, ' binlog_format=', @@binlog_format, ' binlog_row_image=', @@binlog_row_image)")"
}

configure_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    log "Redis: not installed, skipped"; return 0
  fi
  if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    log "Redis: starting"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.25; done
  fi
  log "Redis: $(redis-cli -h 127.0.0.1 ping)"
}

status=0
configure_postgres || { log "PostgreSQL: FAILED"; status=1; }
configure_mariadb || { log "MariaDB: FAILED"; status=1; }
configure_redis || { log "Redis: FAILED"; status=1; }
exit $status
