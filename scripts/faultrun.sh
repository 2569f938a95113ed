#!/usr/bin/env bash
# faultrun.sh — the fault run: signed load while PostgreSQL restarts, Redis restarts and the
# worker is killed, then `haochaping check --acks` proves every acknowledged rating stored once,
# every bad review one work order, and no job tick run twice (docs/RELIABILITY.md).
#
#   scripts/faultrun.sh [--duration 60s] [--rate 20] [--seed 1] [--keep]
#
# Everything runs on a PRIVATE PostgreSQL cluster and Redis, in .devstack/faultrun/, on free
# ports of their own: the shared dev stack (scripts/devstack.sh) is never touched, only its
# binaries are used (so run `scripts/devstack.sh up` once on a fresh clone). The binary is built,
# then `serve`, `worker` and two `cron` schedulers (so that "once per tick" is across instances)
# run as separate processes in demo mode while `loadgen` sends. At 25 % of the duration
# PostgreSQL restarts (pg_ctl restart -m fast), at 50 % Redis restarts — without persistence, and
# with the tasks of the five seconds before in it (the queues paused from 45 %), so the queue's
# content is lost and the outbox and the reconciler must make it good — and at 75 %
# the worker is killed (kill -9) and started again. Then the script waits (polling, with a
# timeout) for the outbox to drain and every bad review's work order, runs the check, prints
# the figures, stops everything (trap, also on failure or Ctrl-C) and exits non-zero if the
# check or the load failed. --keep leaves the data directory and logs for a look.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

duration=60s
rate=20
seed=1
keep=0
settle=4m
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--duration 60s] [--rate 20] [--seed 1] [--settle 4m] [--keep]" >&2; exit 2 ;;
  esac
done

log() { printf 'faultrun %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

# The duration in seconds (Go's syntax, as loadgen takes it: 90s, 5m, 1m30s).
seconds() {
  local d=$1 total=0 n unit
  while [[ $d =~ ^([0-9]+)(h|m|s)(.*)$ ]]; do
    n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} d=${BASH_REMATCH[3]}
    case $unit in h) total=$((total + n * 3600)) ;; m) total=$((total + n * 60)) ;; s) total=$((total + n)) ;; esac
  done
  [ -z "$d" ] && [ "$total" -gt 0 ] || die "--duration $1: want e.g. 45s, 5m or 1m30s"
  echo "$total"
}
dur_s=$(seconds "$duration")

# shellcheck source=lib/private_stack.sh
source "$top/scripts/lib/private_stack.sh"
private_stack_dirs faultrun

pids=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  private_stack_stop
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redisport=$(free_port 57379)
httpport=$(free_port 58080)
private_pg_start "$(free_port 57432)" 200
redis_start
private_stack_env
export HAOCHAPING_ADDR="127.0.0.1:$httpport"
export HAOCHAPING_PUBLIC_URL="http://127.0.0.1:$httpport"
private_stack_build

start() { # start NAME: run `haochaping NAME` in the background, its log in $run/NAME.log
  local name=$1 cmd=${1%%-*}
  "$bin" "$cmd" >>"$run/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_${name//-/_}=$!"
}
start serve
start worker
start cron-a
start cron-b
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$httpport/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$httpport/healthz" >/dev/null || die "the server did not come up; see $run/serve.log"

log "load: $duration at $rate requests/s; faults at 25 %, 45–50 %, 75 %"
"$bin" loadgen --url "http://127.0.0.1:$httpport" --rate "$rate" --duration "$duration" --seed "$seed" \
  --devices "$run/devices.json" --acks "$run/acks.jsonl" --failures "$run/failures.jsonl" \
  >"$run/loadgen.out" 2>"$run/loadgen.err" &
loadgen_pid=$!
pids+=("$loadgen_pid")
t0=$(date +%s%3N)

# at FRACTION: sleep until that share of the duration has passed since the load started.
at() {
  local due=$((t0 + dur_s * 1000 * $1 / 100)) now
  now=$(date +%s%3N)
  [ "$due" -gt "$now" ] && sleep "$(awk -v ms=$((due - now)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  return 0
}
# alive NAME PID: a part of the system that has stopped by itself is a failure of the run, not
# a fault the script caused; say which, with its log.
alive() {
  kill -0 "$2" 2>/dev/null && return 0
  log "FAILED: $1 stopped by itself before the fault; its log:"
  tail -n 20 "$run/$1.log" >&2
  exit 1
}
fault() { # fault NAME: note when it happened, for the failures' attribution
  alive serve "$pid_serve"
  alive worker "$pid_worker"
  alive cron-a "$pid_cron_a"
  alive cron-b "$pid_cron_b"
  printf '%s %s\n' "$(date +%s%3N)" "$1" >>"$run/faults.txt"
  log "fault: $1"
}

at 25
fault postgres_restart
as_pg "$bindir/pg_ctl" -D "$pgdir" -m fast -w -t 60 restart -l "$pgdir/server.log" >/dev/null

# Redis restarts with dispatch tasks in it: from 45 % the queues are paused (asynq's own pause
# key), so that the relay's tasks pile up unworked; at 50 % Redis restarts without persistence and
# they are lost with it — the outbox and the reconciler must send them again.
rcli() { REDISCLI_AUTH="$redis_pass" redis-cli -p "$redisport" "$@"; }
at 45
fault queues_paused
for q in $(rcli smembers asynq:queues); do rcli set "asynq:{$q}:paused" "$(date +%s)" >/dev/null; done
at 50
queued=0
for q in $(rcli smembers asynq:queues); do queued=$((queued + $(rcli llen "asynq:{$q}:pending"))); done
printf 'tasks queued in Redis when it restarted (lost with it): %s\n' "$queued" >"$run/queue-lost.txt"
fault redis_restart
kill "$redis_pid"
for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
redis_start

at 75
fault worker_kill
kill -9 "$pid_worker"
wait "$pid_worker" 2>/dev/null || true
sleep 2 # a worker is not back at once: the tasks it held stay leased meanwhile
start worker

load_rc=0
wait "$loadgen_pid" || load_rc=$?
log "load finished (exit $load_rc)"

log "checking (waiting up to $settle for the outbox and the work orders)"
check_rc=0
"$bin" check --acks "$run/acks.jsonl" --window 0s --settle "$settle" >"$run/check.out" 2>"$run/check.err" || check_rc=$?

echo "== loadgen"
cat "$run/loadgen.out"
echo "== failed attempts by the fault before them"
awk 'NR == FNR { at[++n] = $1; name[n] = $2; next }
     { match($0, /"at_ms":[0-9]+/); t = substr($0, RSTART + 8, RLENGTH - 8); k = "before any fault"
       for (i = 1; i <= n; i++) if (t + 0 >= at[i] + 0) k = name[i]
       match($0, /"kind":"[^"]*"/); kind = substr($0, RSTART + 8, RLENGTH - 9); c[k " " kind]++ }
     END { if (length(c) == 0) print "  none"; for (x in c) printf "  %s: %d\n", x, c[x] }' \
  "$run/faults.txt" "$run/failures.jsonl" | sort
echo "== the queue at the Redis restart"
cat "$run/queue-lost.txt"
echo "== check"
cat "$run/check.err" "$run/check.out"
echo "== the loop under the faults"
"$bindir/psql" -h 127.0.0.1 -p "$pgport" -U haochaping -d haochaping -At <<'SQL'
SELECT 'job runs: ' || count(*) || ' (by ' || count(DISTINCT instance) || ' schedulers), failed ' || count(*) FILTER (WHERE outcome = 'failed')
FROM job_runs;
SELECT 'outbox rows sent more than once (relay retries, reconciler re-sends): ' || count(*) FILTER (WHERE attempts > 1) || ' of ' || count(*)
FROM outbox;
SELECT format('commit -> work order: p50 %s ms, p99 %s ms, max %s ms',
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s) * 1000), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s) * 1000),
              round(max(s) * 1000))
FROM (SELECT extract(epoch FROM w.created_at - e.created_at)::float8 AS s
      FROM evaluations e JOIN work_orders w ON w.evaluation_id = e.id WHERE e.bad) l;
SQL

if [ "$load_rc" != 0 ] || [ "$check_rc" != 0 ]; then
  log "FAILED: loadgen exit $load_rc, check exit $check_rc (logs in $run; --keep keeps the data)"
  exit 1
fi
log "passed"
