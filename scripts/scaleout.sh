#!/usr/bin/env bash
# scaleout.sh — scale-out on one machine (docs/SCALEOUT.md): the same closed-loop load against
# one instance of each process (round A: 1 serve, 1 worker, 1 cron) and two of each (round B:
# 2 serve on two ports, 2 workers, 2 cron schedulers), one PostgreSQL and one Redis, rounds
# alternating A B A B A B; then the medians, the ratio B/A, and the proof that scaling out did
# no work twice: `haochaping check --acks` over every round's acknowledged ratings (each stored
# once, one work order per bad review, no job tick run twice), and the same two asked of the
# database directly.
#
#   scripts/scaleout.sh [--rounds 3] [--duration 15s] [--concurrency 32] [--settle 4m] [--keep]
#
# Like scripts/faultrun.sh, everything runs on a PRIVATE PostgreSQL cluster and Redis in
# .devstack/scaleout/, on free ports: the shared dev stack is never touched, only its binaries
# are used. The load is `haochaping loadgen --tickets` (one window rating per request, the
# rows `bench raw` writes); in round B its --url names both APIs, which take the attempts in
# turn. Between rounds the loop is let catch up (outbox sent, every bad review its work order),
# so that a round does not pay for the last one's dispatch. Each round also reports the CPU
# seconds per wall second of PostgreSQL, the haochaping processes, loadgen and Redis, read from
# /proc. Exits non-zero when a round's load fails or any check does; everything is stopped
# (trap) however it ends. --keep leaves the data directory and logs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

rounds=3
duration=15s
concurrency=32
settle=4m
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--rounds 3] [--duration 15s] [--concurrency 32] [--settle 4m] [--keep]" >&2; exit 2 ;;
  esac
done

log() { printf 'scaleout %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

command -v jq >/dev/null || die "jq not found (apt-get install jq)"
# shellcheck source=lib/private_stack.sh
source "$top/scripts/lib/private_stack.sh"
private_stack_dirs scaleout

declare -A pid_of=() # the running haochaping processes by name (serve-1, worker-2, …)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pid_of[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pid_of[@]}"; do wait "$pid" 2>/dev/null || true; done
  private_stack_stop
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redisport=$(free_port 57479)
port1=$(free_port 58180)
port2=$(free_port $((port1 + 1)))
private_pg_start "$(free_port 57532)" 300
psql_owner() { "$bindir/psql" -h 127.0.0.1 -p "$pgport" -U haochaping -d haochaping -v ON_ERROR_STOP=1 -At "$@"; }
redis_start
private_stack_env
private_stack_build

# start NAME: `haochaping serve|worker|cron` as NAME (serve-2 listens on the second port).
start() {
  local name=$1 cmd=${1%%-*} port=$port1
  [ "$name" = serve-2 ] && port=$port2
  HAOCHAPING_ADDR="127.0.0.1:$port" HAOCHAPING_PUBLIC_URL="http://127.0.0.1:$port" "$bin" "$cmd" >>"$run/$name.log" 2>&1 &
  pid_of[$name]=$!
  if [ "$cmd" = serve ]; then
    local deadline=$((SECONDS + 30))
    until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
      kill -0 "${pid_of[$name]}" 2>/dev/null || { tail -n 20 "$run/$name.log" >&2; die "$name stopped; see $run/$name.log"; }
      [ $SECONDS -lt $deadline ] || die "$name did not come up in 30 s; see $run/$name.log"
      sleep 0.2
    done
  fi
}
# stop NAME: the graceful stop an orchestrator gives (SIGTERM), then wait for it.
stop() {
  local pid=${pid_of[$1]}
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pid_of[$1]"
}
# alive: a process that stopped by itself fails the run.
alive() {
  local name
  for name in "${!pid_of[@]}"; do
    kill -0 "${pid_of[$name]}" 2>/dev/null && continue
    tail -n 20 "$run/$name.log" >&2
    die "FAILED: $name stopped by itself; see $run/$name.log"
  done
}

# await_loop: poll until the outbox is sent and every bad review has its work order.
await_loop() {
  local deadline=$((SECONDS + $1)) left
  while :; do
    left=$(psql_owner -c "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL)
      + (SELECT count(*) FROM evaluations e WHERE e.bad AND e.active AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.evaluation_id = e.id))")
    [ "$left" = 0 ] && return 0
    [ $SECONDS -lt $deadline ] || { log "the loop has not caught up after $1 s: $left left"; return 1; }
    sleep 0.5
  done
}

# CPU time (clock ticks) of the PostgreSQL cluster (the postmaster, its live backends, and the
# children that have exited), of the named haochaping processes, of Redis, and of the machine.
hz=$(getconf CLK_TCK)
ticks_of() { # PID...: utime+stime (+ cutime+cstime) of each
  local pid sum=0 f
  for pid in "$@"; do
    f=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
    # fields after the command: 12 utime 13 stime 14 cutime 15 cstime (counting state as 1)
    sum=$((sum + $(awk '{ print $12 + $13 + $14 + $15 }' <<<"$f")))
  done
  echo "$sum"
}
pg_ticks() {
  local master
  master=$(head -n 1 "$pgdir/postmaster.pid")
  ticks_of "$master" $(pgrep -P "$master" || true)
}
app_ticks() { ticks_of "${pid_of[@]}"; }
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# round KIND N: one load, its figures a line of $run/rounds.txt.
round() {
  local kind=$1 n=$2 url="http://127.0.0.1:$port1" out="$run/round-$1$2"
  [ "$kind" = B ] && url="$url,http://127.0.0.1:$port2"
  alive
  local pg0 app0 redis0 m0 t0 lg_ticks=0
  pg0=$(pg_ticks) app0=$(app_ticks) redis0=$(ticks_of "$redis_pid") m0=$(machine_busy) t0=$(date +%s%N)
  "$bin" loadgen --url "$url" --tickets --concurrency "$concurrency" --duration "$duration" --repeat 0 \
    --devices "$run/devices.json" --acks "$out.acks.jsonl" --quiet >"$out.out" 2>"$out.err" &
  local lg=$!
  # loadgen's own CPU, read just before it exits (its last answer) — polled, not guessed.
  while kill -0 "$lg" 2>/dev/null; do
    lg_ticks=$(ticks_of "$lg")
    sleep 0.5
  done
  local rc=0
  wait "$lg" || rc=$?
  local wall=$((($(date +%s%N) - t0) / 1000000))
  local pg1 app1 redis1 m1
  pg1=$(pg_ticks) app1=$(app_ticks) redis1=$(ticks_of "$redis_pid") m1=$(machine_busy)
  [ "$rc" = 0 ] || { cat "$out.err" >&2; die "FAILED: loadgen of round $kind$n exited $rc"; }
  local last
  last=$(tail -n 1 "$out.out")
  [[ $last =~ ^throughput=([0-9.]+)/s\ p50=([0-9.]+)\ p99=([0-9.]+) ]] || die "round $kind$n: loadgen's last line is $last"
  grep -q '^no answer  *0$' "$out.out" && grep -q '^refused  *0$' "$out.out" ||
    { cat "$out.out" >&2; die "FAILED: round $kind$n had refused or unanswered requests"; }
  share() { awk -v t="$1" -v hz="$hz" -v ms="$wall" 'BEGIN { printf "%.2f", t / hz / (ms / 1000) }'; }
  printf '%s %s %s %s %s pg=%s app=%s loadgen=%s redis=%s machine=%s\n' "$kind" "$n" \
    "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" \
    "$(share $((pg1 - pg0)))" "$(share $((app1 - app0)))" "$(share "$lg_ticks")" "$(share $((redis1 - redis0)))" \
    "$(share $((m1 - m0)))" | tee -a "$run/rounds.txt"
}

start serve-1
start worker-1
start cron-1
log "rounds: $rounds × (A: 1 serve, 1 worker, 1 cron; B: 2 of each), each $duration of loadgen --tickets at concurrency $concurrency"
echo "round n throughput/s p50_ms p99_ms  cpu seconds per second: pg app loadgen redis machine" | tee "$run/rounds.txt"
for n in $(seq 1 "$rounds"); do
  await_loop 120 || die "FAILED: the loop did not catch up before round A$n"
  round A "$n"
  start serve-2
  start worker-2
  start cron-2
  await_loop 120 || die "FAILED: the loop did not catch up before round B$n"
  round B "$n"
  stop serve-2
  stop worker-2
  stop cron-2
done
# The second set runs again, and both schedulers race for a minute's ticks (every job due each
# 30 s or minute: rollups, outbox_reconcile, evaluator_sms, overdue, phone_reindex) before the
# check — polled until the ticks came, not slept on.
start serve-2
start worker-2
start cron-2
raced_from=$(psql_owner -c "SELECT count(DISTINCT (job, tick)) FROM job_runs")
deadline=$((SECONDS + 120))
while [ "$(psql_owner -c "SELECT count(DISTINCT (job, tick)) FROM job_runs")" -lt $((raced_from + 8)) ]; do
  [ $SECONDS -lt $deadline ] || die "FAILED: no 8 job ticks in 120 s with two schedulers"
  alive
  sleep 1
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
a_med=$(awk '$1 == "A" { print $3 }' "$run/rounds.txt" | median)
b_med=$(awk '$1 == "B" { print $3 }' "$run/rounds.txt" | median)
echo "== medians of $rounds"
for k in A B; do
  printf '%s: throughput=%s/s p50=%sms p99=%sms\n' "$k" \
    "$(awk -v k=$k '$1 == k { print $3 }' "$run/rounds.txt" | median)" \
    "$(awk -v k=$k '$1 == k { print $4 }' "$run/rounds.txt" | median)" \
    "$(awk -v k=$k '$1 == k { print $5 }' "$run/rounds.txt" | median)"
done
printf 'ratio B/A: %s\n' "$(awk -v a="$a_med" -v b="$b_med" 'BEGIN { printf "%.2f", b / a }')"

# Every round's acknowledgements in one file, with one summary of them all, for check.
all="$run/acks.jsonl"
cat "$run"/round-*.acks.jsonl | jq -c 'select(.kind == "ack")' >"$all"
cat "$run"/round-*.acks.jsonl | jq -s -c '[.[] | select(.kind == "summary")] |
  {kind: "summary", sent: (map(.sent) | add), acknowledged: (map(.acknowledged) | add), refused: (map(.refused) | add),
   no_answer: (map(.no_answer) | add), repeats: (map(.repeats) | add)}' >>"$all"

log "checking (waiting up to $settle for the outbox and the work orders)"
check_rc=0
"$bin" check --acks "$all" --window 0s --settle "$settle" >"$run/check.out" 2>"$run/check.err" || check_rc=$?
echo "== check"
cat "$run/check.err" "$run/check.out"

echo "== the database, asked directly"
failed=0
dup_orders=$(psql_owner -c "SELECT count(*) FROM (SELECT evaluation_id, count(*) FROM work_orders GROUP BY 1 HAVING count(*) > 1) d")
dup_ticks=$(psql_owner -c "SELECT count(*) FROM (SELECT job, tick, count(*) FROM job_runs GROUP BY 1, 2 HAVING count(*) > 1) d")
echo "bad reviews with more than one work order: $dup_orders"
echo "(job, tick) claimed more than once: $dup_ticks"
[ "$dup_orders" = 0 ] && [ "$dup_ticks" = 0 ] || failed=1
psql_owner <<'SQL'
SELECT 'evaluations ' || count(*) || ', bad ' || count(*) FILTER (WHERE bad) || ', work orders ' || (SELECT count(*) FROM work_orders) FROM evaluations;
SELECT 'job runs ' || count(*) || ' over ' || count(DISTINCT (job, tick)) || ' ticks of ' || count(DISTINCT job) || ' jobs, by '
       || count(DISTINCT instance) || ' scheduler processes; failed ' || count(*) FILTER (WHERE outcome = 'failed')
FROM job_runs WHERE NOT manual;
SELECT '  ' || instance || ': ' || count(*) || ' runs' FROM job_runs WHERE NOT manual GROUP BY instance ORDER BY instance;
SQL

if [ "$check_rc" != 0 ] || [ "$failed" != 0 ]; then
  die "FAILED: check exit $check_rc, duplicate work orders $dup_orders, duplicate ticks $dup_ticks (logs in $run; --keep keeps the data)"
fi
log "passed"
