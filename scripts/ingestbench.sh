#!/usr/bin/env bash
# ingestbench.sh — the ingest figures of docs/PERFORMANCE.md in one run, on this machine:
#
#   1. closed loop: HTTP (`haochaping loadgen --tickets`, 32 clients) and `haochaping bench raw`
#      (32 clients), alternating, --rounds times each, 15 s per round; the medians and their ratio;
#   2. the database's cost of one HTTP rating: pg_stat_database over 2,000 ratings;
#   3. open loop at --rate ratings a second (default 1,000), --rounds times: the request's p50
#      and p99, and bad review → work order (the evaluation's arrival to its work order's
#      transaction) p50 and p99 from the database;
#   4. the API alone (`haochaping serve`, no worker in any process) in the closed loop against
#      bench raw, as in 1; then a worker alone catching up with the bad reviews left, timed.
#   pgbench inserts the same rows beside 1: one a transaction, ten a transaction, and a hundred in
#   one statement (how the group commit writes them).
#
#   scripts/ingestbench.sh [--rounds 3] [--duration 15s] [--rate 1000] [--schema bench_…]
#
# --schema runs the HTTP side against a schema kept by `haochaping bench measures --keep` (its
# 10 million evaluations, say) instead of the local stack's demo: how the cost grows with the
# table. bench raw and pgbench still write to fresh schemas of their own.
#
# It runs on the local stack (scripts/devstack.sh up, as `make run` does), with the demo
# organisation and history, against `haochaping all` started here in demo mode on a free port
# with the rate limits off (a load, not a citizen's pace); the server is stopped at the end.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds=3 duration=15s rate=1000 schema_http=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --schema) schema_http=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds 3] [--duration 15s] [--rate 1000] [--schema bench_…]" >&2; exit 2 ;;
  esac
done
log() { printf 'ingestbench %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

[ -f .devstack/env ] || die "no local stack: run scripts/devstack.sh up (or make run) first"
# shellcheck disable=SC1091
source .devstack/env
psql=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
[ -x "$psql" ] || die "psql not found"
# psql and pgbench (libpq) refuse search_path in a URL: they keep these, and take a schema
# from PGOPTIONS.
libpq_url=$DATABASE_URL libpq_owner_url=$DATABASE_OWNER_URL
sql() { "$psql" "$libpq_owner_url" -XAtqc "$1"; }
if [ -n "$schema_http" ]; then
  [[ "$schema_http" =~ ^bench_[0-9]+$ ]] || die "--schema takes a schema kept by bench measures (bench_…)"
  [ "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema_http'")" = 1 ] || die "no schema $schema_http"
  # The server and the CLI take search_path from the URL (pgx), psql from PGOPTIONS.
  export DATABASE_URL="$DATABASE_URL&search_path=$schema_http" DATABASE_OWNER_URL="$DATABASE_OWNER_URL&search_path=$schema_http"
  export PGOPTIONS="-c search_path=$schema_http" HAOCHAPING_QUEUE_PREFIX="$schema_http"
fi

out=.devstack/ingestbench
mkdir -p "$out"
export GOTOOLCHAIN=auto # the toolchain go.mod names, as make does
go build -o "$out/haochaping" ./cmd/haochaping
bin=$out/haochaping
export HAOCHAPING_DEMO=1
"$bin" seed >/dev/null
"$bin" demo --evaluations 50000 --days 90 --if-absent --quiet
"$bin" device list --demo --json >"$out/devices.json"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=18180
while port_busy "$port"; do port=$((port + 1)); done
url=http://127.0.0.1:$port
server=
start_server() { # $1: the subcommand, all (every part in one process) or serve (the API alone)
  HAOCHAPING_ADDR=127.0.0.1:$port HAOCHAPING_RATE_PER_DEVICE=0 HAOCHAPING_RATE_PER_ADDRESS=0 HAOCHAPING_LOG_LEVEL=warn \
    "$bin" "$1" >>"$out/server.log" 2>&1 &
  server=$!
  [ "$1" = worker ] && return
  for _ in $(seq 1 300); do
    curl -fsS "$url/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || die "the server stopped: see $out/server.log"
    sleep 0.2
  done
  curl -fsS "$url/readyz" >/dev/null || die "the server did not become ready: see $out/server.log"
}
stop_server() {
  [ -n "$server" ] || return 0
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}
trap stop_server EXIT
: >"$out/server.log"
start_server all

# The figures of a `throughput=<n>/s p50=<ms> p99=<ms>` line.
lastline() { grep -a '^throughput=' | tail -n 1; }
field() { sed -E "s/(^|.* )$1=([0-9.]+).*/\2/"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
loadgen() { "$bin" loadgen --url "$url" --devices "$out/devices.json" --tickets --repeat 0 --quiet "$@" 2>>"$out/loadgen.log"; }

# alternate runs the closed loop against the server and bench raw in turn, --rounds times after
# a warm-up, into the files $1 (HTTP) and $2 (raw); $3 names the rounds in the log.
alternate() {
  log "warm-up (5 s)"
  loadgen --concurrency 32 --duration 5s >/dev/null
  : >"$1" ; : >"$2"
  for r in $(seq 1 "$rounds"); do
    h=$(loadgen --concurrency 32 --duration "$duration" | lastline)
    echo "$h" >>"$1"
    w=$("$bin" bench raw --duration "$duration" --concurrency 32 2>>"$out/raw.log" | lastline)
    echo "$w" >>"$2"
    log "$3round $r: HTTP $h | raw $w"
  done
}
alternate "$out/http" "$out/raw" ""
http=$(field throughput <"$out/http" | median)
raw=$(field throughput <"$out/raw" | median)
ratio=$(awk -v h="$http" -v r="$raw" 'BEGIN { printf "%.2f", h / r }')

# The same rows through pgbench, the issue's own method, in a schema of bench raw's kept for it:
# one rating a transaction (naive), and ten a transaction (the batched ceiling), 32 clients.
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbench" ] || die "pgbench not found"
schema=$("$bin" bench raw --duration 1s --concurrency 1 --keep 2>/dev/null | sed -nE 's/.*schema (bench_[a-z0-9_]+).*/\1/p')
[ -n "$schema" ] || die "bench raw kept no schema for pgbench"
trap 'stop_server; sql "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true' EXIT
place=$(PGOPTIONS="-c search_path=$schema" "$psql" "$libpq_url" -XAtqc "SELECT h.region_id || ' ' || wi.department_id || ' ' || wi.hall_id || ' ' || wi.id || ' ' || s.id
  FROM windows wi JOIN halls h ON h.id = wi.hall_id JOIN staff s ON s.window_id = wi.id ORDER BY wi.id, s.id LIMIT 1")
read -r p_region p_dept p_hall p_window p_staff <<<"$place"
rating() { # the SQL of one rating; $1 = 1 for a bad one, which gets its outbox row
  local cols="idem_key, channel, ticket_no, service_day, region_id, department_id, hall_id, window_id, staff_id, level, reasons, reason_kind, active, real_name, served_at, rated_at"
  local vals="'pgb-' || :client_id || '-' || :k${2:-}, 'window', 'P' || :client_id || '_' || :k${2:-}, current_date, $p_region, $p_dept, $p_hall, $p_window, $p_staff"
  if [ "$1" = 1 ]; then
    echo "INSERT INTO evaluations ($cols) VALUES ($vals, 1, '{efficiency}', 'offline', true, false, now() - interval '10 minutes', now()) RETURNING id AS e \\gset"
    echo "INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', :e);"
  else
    echo "INSERT INTO evaluations ($cols) VALUES ($vals, 5, '{}', NULL, true, false, now() - interval '10 minutes', now());"
  fi
}
{ echo '\set k random(1, 1000000000000000)'; echo '\set bad random(1, 5)'; echo 'BEGIN;'
  echo '\if :bad = 1'; rating 1; echo '\else'; rating 0; echo '\endif'; echo 'END;'; } >"$out/pgbench-naive.sql"
{ for i in $(seq 0 9); do echo "\\set k$i random(1, 1000000000000000)"; done; echo 'BEGIN;'
  for i in $(seq 0 9); do if [ $((i % 5)) = 0 ]; then rating 1 "$i"; else rating 0 "$i"; fi; done; echo 'END;'; } >"$out/pgbench-batched.sql"
pgb() { # ratings per second of a pgbench script ($1), $2 ratings a transaction
  PGOPTIONS="-c search_path=$schema" "$pgbench" -n -c 32 -j 2 -T "${duration%s}" -f "$1" "$libpq_url" 2>>"$out/pgbench.log" |
    awk -v per="$2" '/^tps = / { printf "%.1f", $3 * per }'
}
: >"$out/pgbench"
for r in $(seq 1 "$rounds"); do
  n=$(pgb "$out/pgbench-naive.sql" 1)
  echo "$n" >>"$out/pgbench"
  log "pgbench round $r: $n ratings/s, one a transaction"
done
batched=$(pgb "$out/pgbench-batched.sql" 10)
log "pgbench, ten ratings a transaction: $batched ratings/s"
# A hundred ratings in one statement a transaction, as the group commit writes them: what the
# database takes when the per-transaction cost is shared (every fifth bad, with its outbox row).
cat >"$out/pgbench-statement.sql" <<SQL
\\set k random(1, 1000000000000000)
WITH e AS (
  INSERT INTO evaluations (idem_key, channel, ticket_no, service_day, region_id, department_id, hall_id, window_id, staff_id, level, reasons, reason_kind, active, real_name, served_at, rated_at)
  SELECT 'pgs-' || :client_id || '-' || :k || '-' || g, 'window', 'S' || :client_id || '_' || :k || '_' || g, current_date,
         $p_region, $p_dept, $p_hall, $p_window, $p_staff, CASE WHEN g % 5 = 0 THEN 1 ELSE 5 END,
         CASE WHEN g % 5 = 0 THEN '{efficiency}'::text[] ELSE '{}' END, CASE WHEN g % 5 = 0 THEN 'offline' END,
         true, false, now() - interval '10 minutes', now()
  FROM generate_series(1, 100) g
  RETURNING id, bad)
INSERT INTO outbox (topic, evaluation_id) SELECT 'bad_review', id FROM e WHERE bad;
SQL
statement=$(pgb "$out/pgbench-statement.sql" 100)
log "pgbench, a hundred ratings a statement: $statement ratings/s"
pgnaive=$(median <"$out/pgbench")

stats() { sql "SELECT xact_commit, tup_inserted, tup_fetched FROM pg_stat_database WHERE datname = current_database()"; }
sql "SELECT pg_stat_clear_snapshot()" >/dev/null
before=$(stats)
loadgen --concurrency 32 --requests 2000 --duration 5m >/dev/null
# A backend's counts reach pg_stat_database when it flushes them: at most once a second while
# busy, and at the latest 10 s after it went idle (PostgreSQL 15's PGSTAT_IDLE_INTERVAL). A
# reading before that misses the last second of every connection of the pool.
sleep 11
after=$(stats)
cost=$(paste -d'|' <(echo "$before" | tr '|' '\n') <(echo "$after" | tr '|' '\n') | awk -F'|' '{ printf "%.2f ", ($2 - $1) / 2000 }')

: >"$out/open"
for r in $(seq 1 "$rounds"); do
  mark=$(sql "SELECT COALESCE(max(id), 0) FROM evaluations")
  o=$(loadgen --rate "$rate" --concurrency 256 --duration "$duration" | lastline)
  # Every bad review of the round has its work order before its latency is read.
  for _ in $(seq 1 300); do
    left=$(sql "SELECT count(*) FROM evaluations e WHERE e.id > $mark AND e.bad AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.evaluation_id = e.id)")
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  [ "$left" = 0 ] || die "round $r: $left bad reviews without a work order after 60 s"
  wo=$(sql "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ' || count(*)
            FROM (SELECT extract(epoch FROM w.created_at - e.created_at) * 1000 AS ms
                  FROM evaluations e JOIN work_orders w ON w.evaluation_id = e.id WHERE e.id > $mark AND e.bad) x")
  echo "$o wo_p50=${wo%% *} wo_p99=$(echo "$wo" | cut -d' ' -f2) bad=${wo##* }" >>"$out/open"
  log "open loop round $r: $o; bad review → work order p50 ${wo%% *} ms, p99 $(echo "$wo" | cut -d' ' -f2) ms (${wo##* } bad reviews)"
done

# The API alone (serve): the same closed loop with the worker and the scheduler out of the
# process, as a deployment of several processes runs them, alternating with bench raw. The bad
# reviews wait in the outbox meanwhile; a worker alone then catches up with them, timed.
stop_server
undispatched() { sql "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL"; }
waiting=$(undispatched)
start_server serve
alternate "$out/api" "$out/api-raw" "API alone, "
stop_server
backlog=$(( $(undispatched) - waiting ))
t0=$(date +%s.%N)
start_server worker
for _ in $(seq 1 3000); do
  left=$(( $(undispatched) - waiting ))
  [ "$left" -le 0 ] && break
  sleep 0.2
done
t1=$(date +%s.%N)
stop_server
[ "$left" -le 0 ] || die "a worker alone left $left of $backlog bad reviews undispatched after 10 min"
api=$(field throughput <"$out/api" | median)
apiraw=$(field throughput <"$out/api-raw" | median)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(go env GOVERSION); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "closed loop, 32 clients, $duration × $rounds:"
paste -d'\n' <(sed 's/^/  HTTP /' "$out/http") <(sed 's/^/  raw  /' "$out/raw")
echo "  median HTTP $http/s, raw $raw/s: HTTP is ${ratio}× bench raw"
echo "pgbench, the same rows, 32 clients: one a transaction $(paste -sd/ "$out/pgbench")/s (median $pgnaive/s; HTTP $(awk -v h="$http" -v r="$pgnaive" 'BEGIN { printf "%.2f", h / r }')×); ten a transaction ${batched}/s; a hundred a statement ${statement}/s"
set -- $cost
echo "database per HTTP rating (2,000 ratings): $1 commits, $2 tuples inserted, $3 tuples fetched"
echo "open loop at $rate/s, $duration × $rounds:"
sed 's/^/  /' "$out/open"
echo "  median p50 $(field p50 <"$out/open" | median) ms, p99 $(field p99 <"$out/open" | median) ms; bad review → work order p50 $(field wo_p50 <"$out/open" | median) ms, p99 $(field wo_p99 <"$out/open" | median) ms"
echo "the API alone (serve; the worker in no process), 32 clients, $duration × $rounds:"
paste -d'\n' <(sed 's/^/  HTTP /' "$out/api") <(sed 's/^/  raw  /' "$out/api-raw")
echo "  median HTTP $api/s, raw $apiraw/s: HTTP is $(awk -v h="$api" -v r="$apiraw" 'BEGIN { printf "%.2f", h / r }')× bench raw"
echo "then a worker alone dispatched the $backlog bad reviews they left in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s ($(awk -v n="$backlog" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }') a second, its start included)"
