#!/usr/bin/env bash
# devstack.sh — the private PostgreSQL and Redis that `make run` and `make test` use, and the
# headless Chromium (with CJK fonts) and axe-core that the browser tests use.
#
#   scripts/devstack.sh up     install (apt-get) what is missing, start what is not running,
#                              write .devstack/env; idempotent
#   scripts/devstack.sh stop   stop the servers this checkout started
#   scripts/devstack.sh status print what runs and where
#
# Beside the PostgreSQL it starts a streaming replica of it (hot standby, pg_basebackup -R), for
# the test of the dashboard's replica routing (HAOCHAPING_TEST_REPLICA_URL in .devstack/env; the
# server itself reads the primary unless DATABASE_REPLICA_URL is set). HAOCHAPING_DEVSTACK_REPLICA=0
# leaves it out (the test then skips), e.g. for a measurement that should not pay for its replay.
#
# When DATABASE_URL and REDIS_URL are both set, nothing is installed or started: the env file
# only records them (and a data key), so that the binary and the tests use the given servers.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
stack="$top/.devstack"
envfile="$stack/env"
mkdir -p "$stack"

log() { printf 'devstack: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # A package's postinst may try to start its system service; that is not ours, so forbid it.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; created=1; fi
  as_root apt-get update -qq >/dev/null || true
  as_root apt-get install -y -qq "$@" >/dev/null
  if [ "$created" = 1 ]; then as_root rm -f "$policy"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # first port from $1 on that nothing listens on
  local p=$1
  while port_busy "$p"; do p=$((p + 1)); done
  echo "$p"
}

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# PostgreSQL refuses to run as root: run it as the postgres user, in a folder that user can reach.
pg_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

read_env() { [ -f "$envfile" ] && grep -E "^export $1=" "$envfile" | head -n 1 | sed -E "s/^export $1='?([^']*)'?$/\1/" || true; }

data_key() {
  local f="$stack/data.key"
  if [ ! -s "$f" ]; then (umask 077; head -c 32 /dev/urandom | base64 >"$f"); fi
  cat "$f"
}

# redis_password is the local Redis's password, made once: Redis without one answers anyone who
# reaches its port.
redis_password() {
  local f="$stack/redis.pass"
  if [ ! -s "$f" ]; then (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$f"); fi
  cat "$f"
}

# secret NAME: a password made once, in a file only this user reads.
secret() {
  local f="$stack/$1"
  if [ ! -s "$f" ]; then (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$f"); fi
  cat "$f"
}

# The two roles: haochaping owns the database and runs the migrations; haochaping_app is what the
# system connects as — rows only, no DDL, no superuser (migrations/privileges.go grants it). Both
# log in with a password (scram-sha-256): with trust, anyone on this machine was the owner.
pg_roles() {
  local bindir=$1 port=$2 app_pass=$3
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d haochaping -v ON_ERROR_STOP=1 -q >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haochaping_app') THEN CREATE ROLE haochaping_app LOGIN; END IF;
END \$\$;
ALTER ROLE haochaping_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '$app_pass';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE, TEMPORARY ON DATABASE haochaping FROM PUBLIC;
GRANT CONNECT ON DATABASE haochaping TO haochaping_app;
SQL
}

# require_passwords turns a cluster made before the roles had passwords from trust to
# scram-sha-256: the owner's password is set while trust still lets it in, then pg_hba changes.
require_passwords() {
  local bindir=$1 datadir=$2 port=$3 pass=$4
  as_pg grep -Eq '^[[:space:]]*(local|host)[[:space:]].*[[:space:]]trust[[:space:]]*$' "$datadir/pg_hba.conf" || return 0
  log "PostgreSQL: passwords required from now on (scram-sha-256)"
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d postgres -v ON_ERROR_STOP=1 -q \
    -c "ALTER ROLE haochaping PASSWORD '$pass'" >/dev/null
  as_pg sed -i -E 's/[[:space:]]trust[[:space:]]*$/ scram-sha-256/' "$datadir/pg_hba.conf"
  as_pg "$bindir/pg_ctl" -D "$datadir" reload >/dev/null
}

pg_up() {
  local bindir datadir port sock pguser owner_pass app_pass pwfile
  bindir=$(pg_bindir) || true
  if [ -z "$bindir" ]; then apt_install postgresql; bindir=$(pg_bindir) || die "postgresql installed but initdb not found"; fi
  pguser=$(pg_user)
  datadir="$stack/pg"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$stack"; then
    # The checkout sits where the postgres user cannot enter (e.g. under /root): keep the data in /var/tmp.
    local alt
    alt="/var/tmp/haochaping-pg-$(echo -n "$top" | sha256sum | cut -c1-12)"
    mkdir -p "$alt"
    ln -sfn "$alt" "$stack/pg-link"
    datadir="$alt/data"
  fi
  sock="$datadir.sock"
  mkdir -p "$sock"
  [ "$(id -u)" = 0 ] && chown "$pguser" "$sock"
  chmod 700 "$sock"
  owner_pass=$(secret pg.pass)
  app_pass=$(secret pg-app.pass)
  export PGPASSWORD="$owner_pass" # for this script's own psql and createdb
  if [ ! -f "$datadir/PG_VERSION" ]; then
    log "initialising PostgreSQL in $datadir"
    mkdir -p "$datadir"
    [ "$(id -u)" = 0 ] && chown "$pguser" "$datadir"
    # initdb reads the owner's password from a file the postgres user can read; gone at once.
    pwfile=$(mktemp)
    printf '%s\n' "$owner_pass" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown "$pguser" "$pwfile"
    as_pg "$bindir/initdb" -D "$datadir" -U haochaping --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >>"$datadir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
max_connections = 300
shared_buffers = 512MB
max_wal_size = 4GB
timezone = 'UTC'
log_min_messages = warning
EOF
  fi
  port=$(read_env PGPORT_LOCAL)
  if as_pg "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
    port=$(sed -n 4p "$datadir/postmaster.pid")
    log "PostgreSQL already running on port $port"
  else
    port=$(free_port "${port:-55432}")
    log "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -o "-p $port" -w -t 60 start >/dev/null
  fi
  require_passwords "$bindir" "$datadir" "$port" "$owner_pass"
  if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname='haochaping'" | grep -q 1; then
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U haochaping haochaping
  fi
  pg_roles "$bindir" "$port" "$app_pass"
  PG_BINDIR=$bindir
  PG_DATADIR=$datadir
  PG_PORT=$port
  PG_OWNER_PASS=$owner_pass
  PG_APP_PASS=$app_pass
}

# pg_primary_sysid is the system identifier of the cluster on port $2; a replica copied from
# another cluster (the primary made anew since) has a different one and can never follow it.
pg_primary_sysid() {
  "$1/psql" -h 127.0.0.1 -p "$2" -U haochaping -d postgres -Atc "SELECT system_identifier FROM pg_control_system()"
}

pg_replica_sysid() {
  as_pg "$1/pg_controldata" -D "$2" 2>/dev/null | sed -n 's/^Database system identifier:[[:space:]]*//p'
}

# pg_replica_streaming waits up to 15 s for the replica on port $2 to stream from its primary.
pg_replica_streaming() {
  local i
  for i in $(seq 1 75); do
    [ "$("$1/psql" -h 127.0.0.1 -p "$2" -U haochaping -d postgres -Atc "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'" 2>/dev/null)" = 1 ] && return 0
    sleep 0.2
  done
  return 1
}

# pg_replica_clone copies the primary (port $2) into $3 with pg_basebackup -R: the copy starts
# as a hot standby that connects back as haochaping_replicator and replays the primary's WAL.
pg_replica_clone() {
  local bindir=$1 port=$2 rdir=$3 pass=$4 sock=$5
  log "copying the PostgreSQL on port $port into a streaming replica in $rdir"
  rm -rf "$rdir" # as root too: the folder it sits in may be root's
  mkdir -p "$rdir"
  [ "$(id -u)" = 0 ] && chown "$(pg_user)" "$rdir"
  chmod 700 "$rdir"
  # -R writes standby.signal and primary_conninfo (with this password) into the copy, which only
  # the postgres user reads; -X stream brings along the WAL written during the copy.
  PGPASSWORD="$pass" as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U haochaping_replicator \
    -D "$rdir" -R -X stream -c fast >/dev/null
  # The primary's settings came along in the copy; the replica's own go below them (the last
  # setting of a name wins). max_connections stays: a hot standby needs at least the primary's.
  as_pg tee -a "$rdir/postgresql.conf" >/dev/null <<EOF
# The streaming replica's own settings (scripts/devstack.sh, pg_replica_up).
unix_socket_directories = '$sock'
hot_standby = on
shared_buffers = 128MB
EOF
}

# pg_replica_up makes (when absent) and starts (when not running) a streaming replica of the
# primary whose binaries are in $1, data in $2 and port is $3: in the folder $4, on the first
# free port from $5. The primary needs no restart: wal_level=replica and max_wal_senders are
# PostgreSQL's defaults; the replication role is made, and the pg_hba line added with a reload,
# when missing. Sets REPLICA_PORT.
pg_replica_up() {
  local bindir=$1 datadir=$2 port=$3 rdir=$4 rport=$5 pass sock level senders attempt
  pass=$(secret pg-replica.pass)
  level=$("$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d postgres -Atc "SHOW wal_level")
  senders=$("$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d postgres -Atc "SHOW max_wal_senders")
  if [ "$level" = minimal ] || [ "$senders" -lt 1 ]; then
    die "the PostgreSQL on port $port has wal_level=$level and max_wal_senders=$senders: a replica needs wal_level=replica and a WAL sender (or set HAOCHAPING_DEVSTACK_REPLICA=0)"
  fi
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U haochaping -d postgres -v ON_ERROR_STOP=1 -q >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haochaping_replicator') THEN CREATE ROLE haochaping_replicator; END IF;
END \$\$;
ALTER ROLE haochaping_replicator WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$pass';
SQL
  # initdb's pg_hba.conf already admits replication from 127.0.0.1; a cluster without it gets a line.
  if ! as_pg grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|haochaping_replicator)[[:space:]]+127\.0\.0\.1/32[[:space:]]+scram-sha-256' "$datadir/pg_hba.conf"; then
    log "PostgreSQL: admitting the replica's role in pg_hba.conf"
    printf 'host replication haochaping_replicator 127.0.0.1/32 scram-sha-256\n' | as_pg tee -a "$datadir/pg_hba.conf" >/dev/null
    as_pg "$bindir/pg_ctl" -D "$datadir" reload >/dev/null
  fi
  sock="$rdir.sock"
  mkdir -p "$sock"
  [ "$(id -u)" = 0 ] && chown "$(pg_user)" "$sock"
  chmod 700 "$sock"
  if as_pg test -f "$rdir/PG_VERSION" && [ "$(pg_replica_sysid "$bindir" "$rdir")" != "$(pg_primary_sysid "$bindir" "$port")" ]; then
    log "the replica in $rdir was copied from another cluster: copying it again"
    as_pg "$bindir/pg_ctl" -D "$rdir" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$rdir" # as root too: the folder it sits in may be root's
  fi
  as_pg test -f "$rdir/PG_VERSION" || pg_replica_clone "$bindir" "$port" "$rdir" "$pass" "$sock"
  for attempt in 1 2; do
    if as_pg "$bindir/pg_ctl" -D "$rdir" status >/dev/null 2>&1; then
      rport=$(as_pg sed -n 4p "$rdir/postmaster.pid")
      log "PostgreSQL replica already running on port $rport"
    else
      rport=$(free_port "$rport")
      log "starting the PostgreSQL replica on 127.0.0.1:$rport"
      as_pg "$bindir/pg_ctl" -D "$rdir" -l "$rdir/server.log" -o "-p $rport" -w -t 120 start >/dev/null
    fi
    pg_replica_streaming "$bindir" "$rport" && break
    # A replica stopped for long may need WAL the primary has recycled since (no replication
    # slot keeps it, so that a forgotten replica never fills the primary's disk): a new copy
    # follows again.
    [ "$attempt" = 2 ] && die "the replica on port $rport does not stream from the primary; see $rdir/server.log"
    log "the replica on port $rport does not stream from the primary: copying it again"
    as_pg "$bindir/pg_ctl" -D "$rdir" -m fast -w stop >/dev/null 2>&1 || true
    pg_replica_clone "$bindir" "$port" "$rdir" "$pass" "$sock"
  done
  REPLICA_PORT=$rport
}

redis_up() {
  local dir="$stack/redis" port pass
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$dir"
  pass=$(redis_password)
  port=$(read_env REDISPORT_LOCAL)
  if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
    # The env file may have lost the port (rewritten from the environment): the process title
    # has it ("redis-server 127.0.0.1:PORT").
    [ -n "$port" ] || port=$(tr '\0' ' ' <"/proc/$(cat "$dir/redis.pid")/cmdline" | sed -nE 's/.*127\.0\.0\.1:([0-9]+).*/\1/p')
    [ -n "$port" ] || die "Redis runs (pid $(cat "$dir/redis.pid")) but its port is unknown: stop it (make stop) and retry"
    log "Redis already running on port $port"
    # A stack started before Redis had a password gets it now, without a restart.
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      redis-cli -p "$port" CONFIG SET requirepass "$pass" >/dev/null
    fi
  else
    port=$(free_port "${port:-56379}")
    log "starting Redis on 127.0.0.1:$port"
    # appendonly: queued work survives a Redis restart (the outbox still covers what it drops).
    # The password goes in a file only this user reads, not on the command line (ps shows that).
    (umask 077; printf 'requirepass %s\n' "$pass" >"$dir/auth.conf")
    redis-server "$dir/auth.conf" --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes --appendfsync everysec \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --protected-mode yes
    for _ in $(seq 1 50); do REDISCLI_AUTH="$pass" redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    REDISCLI_AUTH="$pass" redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || die "Redis did not start; see $dir/redis.log"
  fi
  REDIS_PORT=$port
  REDIS_PASS=$pass
}

# The browser tests drive Debian's headless Chromium; without a CJK font it draws Chinese as
# empty boxes. axe-core (the accessibility checker the tests run in the page) comes from npm,
# pinned, into .devstack/npm.
AXE_VERSION=4.14.1
chromium_bin() { command -v chromium || command -v chromium-browser || true; }

browser_up() {
  local missing=()
  [ -n "$(chromium_bin)" ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing+=(fonts-noto-cjk)
  # LibreOffice: the ledger tests open the exported workbooks in it and round-trip them through
  # CSV (formula neutralisation, ledger/excel_formula_test.go); without it they skip.
  command -v soffice >/dev/null || command -v libreoffice >/dev/null || missing+=(libreoffice-calc-nogui)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  CHROMIUM=$(chromium_bin)
  [ -n "$CHROMIUM" ] || die "chromium installed but not found on PATH"
  AXE_JS="$stack/npm/node_modules/axe-core/axe.min.js"
  if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$stack/npm/node_modules/axe-core/package.json"; then
    command -v npm >/dev/null || apt_install npm
    log "installing axe-core $AXE_VERSION from npm"
    mkdir -p "$stack/npm"
    npm install --silent --no-audit --no-fund --prefix "$stack/npm" "axe-core@$AXE_VERSION" >/dev/null
  fi
  [ -s "$AXE_JS" ] || die "axe-core not found at $AXE_JS"
}

up() {
  local key
  key=$(data_key)
  browser_up
  if [ -n "${DATABASE_URL:-}" ] && [ -n "${REDIS_URL:-}" ]; then
    log "using DATABASE_URL and REDIS_URL from the environment"
    # The ports of this checkout's own stack, if it runs one, stay known to a later "up".
    local ports
    ports=$( [ -f "$envfile" ] && grep -E '^export (PGPORT|REDISPORT|PGREPLICAPORT)_LOCAL=' "$envfile" || true)
    touch "$envfile" && chmod 600 "$envfile"
    { [ -z "$ports" ] || echo "$ports"; cat; } >"$envfile" <<EOF
export DATABASE_URL='$DATABASE_URL'
export DATABASE_OWNER_URL='${DATABASE_OWNER_URL:-$DATABASE_URL}'
export REDIS_URL='$REDIS_URL'
export HAOCHAPING_TEST_REPLICA_URL='${HAOCHAPING_TEST_REPLICA_URL:-}'
export HAOCHAPING_DATA_KEY='${HAOCHAPING_DATA_KEY:-$key}'
export HAOCHAPING_DEMO='1'
export HAOCHAPING_CHROMIUM='$CHROMIUM'
export HAOCHAPING_AXE_JS='$AXE_JS'
EOF
    return
  fi
  pg_up
  REPLICA_PORT=
  if [ "${HAOCHAPING_DEVSTACK_REPLICA:-1}" != 0 ]; then
    local rport
    rport=$(read_env PGREPLICAPORT_LOCAL)
    pg_replica_up "$PG_BINDIR" "$PG_DATADIR" "$PG_PORT" "$PG_DATADIR-replica" "${rport:-55434}"
  fi
  redis_up
  # The env file holds the data key and the Redis password: this user's alone.
  touch "$envfile" && chmod 600 "$envfile"
  cat >"$envfile" <<EOF
# Written by scripts/devstack.sh: the local stack of this checkout.
export PGPORT_LOCAL='$PG_PORT'
export REDISPORT_LOCAL='$REDIS_PORT'
export DATABASE_URL='postgres://haochaping_app:$PG_APP_PASS@127.0.0.1:$PG_PORT/haochaping?sslmode=disable'
export DATABASE_OWNER_URL='postgres://haochaping:$PG_OWNER_PASS@127.0.0.1:$PG_PORT/haochaping?sslmode=disable'
export REDIS_URL='redis://:$REDIS_PASS@127.0.0.1:$REDIS_PORT/0'
export HAOCHAPING_DATA_KEY='$key'
export HAOCHAPING_DEMO='1'
export HAOCHAPING_CHROMIUM='$CHROMIUM'
export HAOCHAPING_AXE_JS='$AXE_JS'
EOF
  # The replica is for its test only: the server reads the primary unless DATABASE_REPLICA_URL is set.
  if [ -n "$REPLICA_PORT" ]; then
    cat >>"$envfile" <<EOF
export PGREPLICAPORT_LOCAL='$REPLICA_PORT'
export HAOCHAPING_TEST_REPLICA_URL='postgres://haochaping_app:$PG_APP_PASS@127.0.0.1:$REPLICA_PORT/haochaping?sslmode=disable'
EOF
  fi
  log "ready: PostgreSQL 127.0.0.1:$PG_PORT${REPLICA_PORT:+ (its replica 127.0.0.1:$REPLICA_PORT)}, Redis 127.0.0.1:$REDIS_PORT (settings in .devstack/env)"
}

stop() {
  local bindir datadir="$stack/pg"
  [ -L "$stack/pg-link" ] && datadir="$(readlink "$stack/pg-link")/data"
  bindir=$(pg_bindir) || true
  # The replica first: stopped after its primary, it would only log that the primary went away.
  if [ -n "$bindir" ] && as_pg test -f "$datadir-replica/postmaster.pid"; then
    as_pg "$bindir/pg_ctl" -D "$datadir-replica" -m fast -w stop >/dev/null && log "PostgreSQL replica stopped"
  fi
  if [ -n "$bindir" ] && [ -f "$datadir/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
  fi
  if [ -f "$stack/redis/redis.pid" ] && kill -0 "$(cat "$stack/redis/redis.pid")" 2>/dev/null; then
    kill "$(cat "$stack/redis/redis.pid")" && log "Redis stopped"
  fi
}

status() {
  # The passwords and the data key stay in the file.
  [ -f "$envfile" ] && sed -E "s#(://[^:/@]*:)[^@]*@#\1***@#; s#^(export HAOCHAPING_DATA_KEY=).*#\1'***'#" "$envfile" ||
    log "no .devstack/env yet: run scripts/devstack.sh up"
}

case "${1:-up}" in
  up) up ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 up|stop|status" ;;
esac
