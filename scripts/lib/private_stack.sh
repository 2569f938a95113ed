# private_stack.sh — sourced by scripts/faultrun.sh and scripts/scaleout.sh: a PRIVATE PostgreSQL
# cluster and Redis (no persistence) on free ports, in .devstack/<name>/, the system's settings
# pointing at them, and the binary built, migrated and seeded. The shared dev stack
# (scripts/devstack.sh) is never touched; only its binaries are used.
#
#   private_stack_dirs NAME       $run (emptied) and $pgdir (a folder the postgres user can reach)
#   private_pg_start PORT MAXCONN initdb and start; the owner role haochaping, the app role haochaping_app
#   redis_start                   Redis on $redisport, password $redis_pass; sets $redis_pid (again on a restart)
#   private_stack_env             exports DATABASE_URL, DATABASE_OWNER_URL, REDIS_URL and the demo settings
#   private_stack_build           builds $bin, migrates, seeds, writes $run/devices.json
#   private_stack_stop            stops Redis and PostgreSQL; with keep=0 removes their data
#
# The caller defines log and die, and sets $top and $keep.

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}
bindir=$(pg_bindir) || die "PostgreSQL's binaries not found: run scripts/devstack.sh up first"
command -v redis-server >/dev/null || die "redis-server not found: run scripts/devstack.sh up first"

# PostgreSQL refuses to run as root: as the postgres user then, in a folder it can reach.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }

private_stack_dirs() {
  run="$top/.devstack/$1"
  rm -rf "$run"
  mkdir -p "$run"
  pgdir="$run/pg"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$run"; then
    local alt
    alt="/var/tmp/haochaping-$1-$(echo -n "$top" | sha256sum | cut -c1-12)"
    rm -rf "$alt"
    mkdir -p "$alt"
    ln -sfn "$alt" "$run/pg-link"
    pgdir="$alt/pg"
  fi
  mkdir -p "$pgdir" "$pgdir.sock" "$run/redis"
  if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir" "$pgdir.sock"; fi
  redis_pid=""
}

private_pg_start() {
  pgport=$1
  log "PostgreSQL on 127.0.0.1:$pgport (data $pgdir)"
  as_pg "$bindir/initdb" -D "$pgdir" -U haochaping --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$pgdir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pgport
unix_socket_directories = '$pgdir.sock'
max_connections = $2
shared_buffers = 128MB
timezone = 'UTC'
log_min_messages = warning
CONF
  as_pg "$bindir/pg_ctl" -D "$pgdir" -l "$pgdir/server.log" -w -t 60 start >/dev/null
  "$bindir/createdb" -h 127.0.0.1 -p "$pgport" -U haochaping haochaping
  # The system runs as it does in production: as a role with rows only, the migrations as the owner.
  "$bindir/psql" -h 127.0.0.1 -p "$pgport" -U haochaping -d haochaping -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE haochaping_app LOGIN NOSUPERUSER" -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" >/dev/null
}

# Redis without persistence: a restart loses the queue (the fault run's case for the outbox).
redis_start() {
  if [ -z "${redis_pass:-}" ]; then
    redis_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=\n')
    (umask 077; printf 'requirepass %s\n' "$redis_pass" >"$run/redis/auth.conf")
    log "Redis on 127.0.0.1:$redisport"
  fi
  redis-server "$run/redis/auth.conf" --bind 127.0.0.1 --port "$redisport" --dir "$run/redis" --appendonly no --save "" \
    --daemonize yes --pidfile "$run/redis/redis.pid" --logfile "$run/redis/redis.log" --protected-mode yes
  for _ in $(seq 1 50); do REDISCLI_AUTH="$redis_pass" redis-cli -p "$redisport" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis_pid=$(cat "$run/redis/redis.pid")
}

private_stack_env() {
  export DATABASE_URL="postgres://haochaping_app@127.0.0.1:$pgport/haochaping?sslmode=disable"
  export DATABASE_OWNER_URL="postgres://haochaping@127.0.0.1:$pgport/haochaping?sslmode=disable"
  export REDIS_URL="redis://:$redis_pass@127.0.0.1:$redisport/0"
  HAOCHAPING_DATA_KEY=$(head -c 32 /dev/urandom | base64)
  export HAOCHAPING_DATA_KEY
  export HAOCHAPING_DEMO=1
  export HAOCHAPING_RATE_PER_DEVICE=0 HAOCHAPING_RATE_PER_ADDRESS=0 # a load, not a citizen's pace
  export HAOCHAPING_WEBHOOK_URL="" HAOCHAPING_UPWARD_URL=""
  export HAOCHAPING_LOG_LEVEL=warn
  export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
}

private_stack_build() {
  log "building"
  bin="$run/haochaping"
  go build -o "$bin" ./cmd/haochaping
  "$bin" migrate >"$run/migrate.log" 2>&1
  "$bin" seed >"$run/seed.log" 2>&1
  "$bin" device list --demo --json >"$run/devices.json"
}

private_stack_stop() {
  if [ -n "${redis_pid:-}" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  if [ -f "$pgdir/postmaster.pid" ]; then as_pg "$bindir/pg_ctl" -D "$pgdir" -m immediate -w stop >/dev/null 2>&1 || true; fi
  if [ "$keep" = 1 ]; then
    log "kept: $run"
  else
    if [ -L "$run/pg-link" ]; then rm -rf "$(readlink "$run/pg-link")"; fi
    rm -rf "$pgdir" "$pgdir.sock" "$run/redis"
  fi
}
