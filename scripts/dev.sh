#!/usr/bin/env bash
# hemalink developer entry point. Installs what is missing (Debian packages), configures, builds,
# tests, fuzzes and benchmarks. Run from anywhere; everything lands under the checkout.
#
#   scripts/dev.sh [build]      install missing packages, configure and build (build/)
#   scripts/dev.sh up           build the daemon alone, start a private PostgreSQL under var/pg
#                               (kept between runs), and run `hemalink serve` with
#                               config/hemalink.example.json in the foreground (it migrates the
#                               database at start); Ctrl-C stops both
#   scripts/dev.sh test         build, then run the whole suite twice: normal build and ASan+UBSan
#                               build (build-asan/), plus a short fuzz smoke of every codec; the
#                               page's browser tests drive Debian's chromium with playwright-core
#                               and axe-core, installed from npm into build/web-tests
#   scripts/dev.sh fuzz [SECS]  build the libFuzzer targets with clang and run each SECS seconds
#   scripts/dev.sh bench        build optimised and run the benchmarks: codecs, the rules, the
#                               store, the daemon (acknowledgement latency and throughput beside
#                               the COPY and fsync floors, spool replay, RSS with 10,000 idle
#                               connections) and LIS delivery
#   scripts/dev.sh bench-daemon only the daemon's benchmarks
#   scripts/dev.sh bench-backtest [SIZES]
#                               the backtest's benchmark alone (`bench` runs it last, at 1 M
#                               results): archives made by the lab day of each size (default
#                               1000000; e.g. 1000000,10000000), kept under var/backtest-pg
#   scripts/dev.sh bench-build  build what `bench` runs (Release, -O3, warnings as errors) and
#                               run nothing: CI's check that the benchmarks build
#   scripts/dev.sh lab-day [N] [PROFILE] [SEEDS]
#                               the autoverification yield: for each seed (e.g. 1-10), a fresh
#                               database on a private PostgreSQL, `hemalink serve` with
#                               config/hemalink.example.json, `lis-sim --lab-day N` ordering the
#                               day's tubes, `simulate --lab-day N` playing them, and
#                               `hemalink report av` against the day's truth (var/lab-day/); then
#                               one line per seed (defaults: 5000, hospital, 1)
#   scripts/dev.sh format       clang-format every C++ file in place
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
corpus="${HEMALINK_CORPUS_DIR:-$root/../shared/corpus}"
jobs=$(nproc 2>/dev/null || echo 2)

packages=(
  g++ cmake ninja-build ccache pkg-config clang libclang-rt-14-dev clang-format
  libboost1.81-dev libpqxx-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libhowardhinnant-date-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev postgresql-15 socat iproute2
  curl openssl python3-prometheus-client
)
# Only for `test`: the browsers the page's tests drive.
browser_packages=(chromium firefox-esr)

log() { printf '[dev.sh] %s\n' "$*" >&2; }

# ensure_packages [PACKAGE...]: the common packages, and those named.
ensure_packages() {
  local missing=()
  for p in "${packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# configure DIR [cmake args...]: configures once, reconfigures only when asked for new args.
configure() {
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DHEMALINK_WERROR=ON "$@" >/dev/null
}

# build_normal [TARGET...]: everything, or only the targets named.
build_normal() {
  configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
  if [ $# -gt 0 ]; then
    cmake --build build -j "$jobs" --target "$@"
  else
    cmake --build build -j "$jobs"
  fi
}

build_asan() {
  configure build-asan -DCMAKE_BUILD_TYPE=Debug -DHEMALINK_SANITIZE=ON -DHEMALINK_BENCH=OFF
  cmake --build build-asan -j "$jobs"
}

# build_bench [TARGET...]: the benchmarks' Release build (build-bench/), everything or the targets
# named. GCC warns differently at -O3 (inlining): CI builds it too (bench-build).
build_bench() {
  configure build-bench -DCMAKE_BUILD_TYPE=Release -DHEMALINK_TESTS=OFF
  if [ $# -gt 0 ]; then
    cmake --build build-bench -j "$jobs" --target "$@"
  else
    cmake --build build-bench -j "$jobs"
  fi
}

build_fuzz() {
  CC=clang CXX=clang++ configure build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEMALINK_FUZZ=ON
  cmake --build build-fuzz -j "$jobs"
}

# Seeds come from ../shared/corpus (never copied into the project) and tests/fixtures.
fuzz_seed_dirs() {
  local target=$1 seeds=()
  case "$target" in
    e1381_link_fuzz | lis2_records_fuzz) seeds+=("$corpus/astm" "$root/tests/fixtures/astm") ;;
    v2_message_fuzz | mllp_fuzz) seeds+=("$corpus/hl7" "$root/tests/fixtures/hl7") ;;
    rule_expression_fuzz) seeds+=("$root/tests/fixtures/rules") ;;
  esac
  for d in "${seeds[@]}"; do [ -d "$d" ] && printf '%s\n' "$d"; done
}

run_fuzz() {
  local seconds=$1 failed=0
  build_fuzz
  local work
  work=$(mktemp -d)
  for bin in build-fuzz/tests/fuzz/*_fuzz; do
    local name
    name=$(basename "$bin")
    mkdir -p "$work/$name"
    log "fuzzing $name for ${seconds}s"
    # shellcheck disable=SC2046
    if ! "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=0 -artifact_prefix="$work/$name-" "$work/$name" \
      $(fuzz_seed_dirs "$name") >"$work/$name.log" 2>&1; then
      log "FAILED: $name (log and crash input under $work)"
      tail -n 40 "$work/$name.log" >&2
      failed=1
    else
      grep -E '^(#[0-9]+.*DONE|Done)' "$work/$name.log" | tail -n 1 >&2 || true
    fi
  done
  [ $failed -eq 0 ] && rm -rf "$work"
  return $failed
}

# A private PostgreSQL 15 cluster for the database tests: initdb as the postgres user in a
# temporary directory, listening on a Unix socket only, stopped on exit.
pg_bin=/usr/lib/postgresql/15/bin
start_private_postgres() {
  pg_dir=$(mktemp -d /tmp/hemalink-pg.XXXXXX)
  chown postgres "$pg_dir" 2>/dev/null || true
  local as_pg=()
  [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-c listen_addresses='' -k $pg_dir -c fsync=on ${pg_extra_options:-}" start >/dev/null
  trap stop_private_postgres EXIT
  # Keywords without dbname: each database test creates and drops its own database.
  export HEMALINK_TEST_PG="host=$pg_dir user=postgres"
  export HEMALINK_TEST_DATABASE_URL="postgresql://postgres@/postgres?host=$pg_dir"
  # The fault tests crash-stop and restart this cluster (ctest runs them alone).
  local ctl="${as_pg[*]} $pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w"
  export HEMALINK_TEST_PG_STOP="$ctl -m immediate stop >/dev/null"
  export HEMALINK_TEST_PG_START="$ctl -o \"-c listen_addresses='' -k $pg_dir -c fsync=on ${pg_extra_options:-}\" start >/dev/null"
  log "private PostgreSQL at $pg_dir"
}
stop_private_postgres() {
  [ -n "${pg_dir:-}" ] || return 0
  local as_pg=()
  [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  pg_dir=""
}

# start_kept_postgres DIR: a cluster in DIR (made on first use, kept between runs), on a Unix
# socket there, stopped on exit.
start_kept_postgres() {
  local data=$1 as_pg=()
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then
    as_pg=(runuser -u postgres --)
    chown postgres "$data"
  fi
  if [ ! -f "$data/data/PG_VERSION" ]; then
    log "creating a cluster in $data"
    "${as_pg[@]}" "$pg_bin/initdb" -D "$data/data" -U postgres -A trust >/dev/null
  fi
  if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data/data" status >/dev/null 2>&1; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data/data" -l "$data/log" -w \
      -o "-c listen_addresses='' -k $data" start >/dev/null
  fi
  # shellcheck disable=SC2064 # expanded now: the locals are gone by the time it runs
  trap "${as_pg[*]} $pg_bin/pg_ctl -D $data/data -m fast -w stop >/dev/null 2>&1 || true" EXIT
}

# The development database of `up`: var/pg, kept between runs.
run_up() {
  build_normal hemalink  # only what it runs: the tests and benchmarks are `test`'s and `bench`'s
  local data="$root/var/pg"
  mkdir -p "$root/var/spool" "$root/var/drop/facs-1"
  start_kept_postgres "$data"
  psql -q -X -h "$data" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'hemalink'" | grep -q 1 ||
    psql -q -X -h "$data" -U postgres -d postgres -c "CREATE DATABASE hemalink"
  export HEMALINK_DATABASE_URL="postgresql://postgres@/hemalink?host=$data"
  # The development token: an admin, made once, kept in var/ (owner-only) and printed each time.
  # config/hemalink.example.json reads its hash from var/api-tokens.json; no token ships.
  local token_file="$root/var/dev-api-token"
  if [ ! -s "$token_file" ] || [ ! -s "$root/var/api-tokens.json" ]; then
    rm -f "$root/var/api-tokens.json"
    (umask 077 && build/server/hemalink token --user dev --role admin --json \
      --tokens-file "$root/var/api-tokens.json" | sed -E 's/.*"token":"([^"]+)".*/\1/' >"$token_file")
  fi
  log "the technologist's page: open http://127.0.0.1:8080/ and sign in with the token below"
  log "HTTP API at http://127.0.0.1:8080 (try: curl -H \"Authorization: Bearer \$(cat var/dev-api-token)\" http://127.0.0.1:8080/api/v1/analyzers)"
  log "development API token (admin; var/dev-api-token): $(cat "$token_file")"
  log "PostgreSQL at $data (HEMALINK_DATABASE_URL=$HEMALINK_DATABASE_URL); serving config/hemalink.example.json (Ctrl-C stops)"
  log "its LIS, in another terminal: build/server/hemalink lis-sim --listen 127.0.0.1:5100 --protocol hl7"
  log "its orders: build/server/hemalink lis-sim --listen 127.0.0.1:5100 --protocol hl7 --send-orders 127.0.0.1:5101 --generate-orders 20"
  log "try, in another terminal: build/server/hemalink simulate --protocol astm --to 127.0.0.1:5001 --generate cbc --count 20 --query-first"
  build/server/hemalink serve --config "$root/config/hemalink.example.json"
}

# The daemon under load (scripts/dev.sh bench), each run against a fresh database with the shipped
# rules and a LIS nobody answers (released results wait in the outbox: the same rows as the COPY
# floor). Analyzers on consecutive ports: MLLP from 17001, ASTM E1381 from 18001; 16100 takes idle
# connections.
daemon_bench_config() {
  local dsn=$1 analyzers=$2 spool=$3 orders=${4:-} first=""
  printf '{"database": {"url": "%s", "migrate_at_start": true}, "spool_dir": "%s",\n' "$dsn" "$spool"
  printf ' "logging": {"level": "warn"}, "max_connections": 10200, "http": {"listen": "127.0.0.1:16080"},\n'
  printf ' "api": {"tokens_file": "%s/api-tokens.json"},\n' "$(dirname "$spool")"
  printf ' "rules": {"files": ["%s/config/rules/cbc.json", "%s/config/rules/coag.json", "%s/config/rules/flow.json"]},\n' \
    "$root" "$root" "$root"
  if [ -n "$orders" ]; then # the LIS orders on 16101; results without an order are not held
    printf ' "lis": [{"name": "lis", "protocol": "hl7", "transport": {"type": "tcp-client", "host": "127.0.0.1", "port": 9},\n'
    printf '   "mapping": "%s/config/lis/example-lis.json",\n' "$root"
    printf '   "orders": {"transport": {"type": "tcp-server", "listen_address": "127.0.0.1", "port": 16101}}}],\n'
    printf ' "orders": {"hold_specimens_without_order": false, "hold_results_not_ordered": false},\n'
  else
    printf ' "lis": [{"name": "lis", "protocol": "hl7", "transport": {"type": "tcp-client", "host": "127.0.0.1", "port": 9}}],\n'
  fi
  printf ' "analyzers": [\n'
  for i in $(seq 1 "$analyzers"); do
    printf '%s {"name": "hl7-%d", "driver": "generic-hl7", "protocol": "hl7", "base": "loinc-cbc",' "$first" "$i"
    printf ' "transport": {"type": "tcp-server", "listen_address": "127.0.0.1", "port": %d}}\n' $((17000 + i))
    printf ', {"name": "xn-%d", "driver": "sysmex-xn", "protocol": "astm", "link": "e1381",' "$i"
    printf ' "transport": {"type": "tcp-server", "listen_address": "127.0.0.1", "port": %d}}\n' $((18000 + i))
    first=","
  done
  printf ', {"name": "idle", "driver": "generic-hl7", "protocol": "hl7", "max_connections": 10000,'
  printf ' "transport": {"type": "tcp-server", "listen_address": "127.0.0.1", "port": 16100}}]}\n'
}

# serve_fresh NAME [orders]: the daemon on a new database NAME, in the background ($serve: its
# PID); with `orders`, its LIS sends orders.
serve_fresh() {
  local name=$1
  "${admin[@]}" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  rm -rf "$work/spool"
  daemon_bench_config "host=$pg_dir user=postgres dbname=$name" 50 "$work/spool" "${2:-}" >"$work/hemalink.json"
  "$serve_bin" serve --config "$work/hemalink.json" 2>>"$work/serve.log" &
  serve=$!
  for _ in $(seq 1 300); do
    (exec 3<>/dev/tcp/127.0.0.1/16100) 2>/dev/null && return 0
    sleep 0.1
  done
  log "the daemon did not start; its log:"
  tail -n 20 "$work/serve.log" >&2
  return 1
}

stop_serve() {
  kill -TERM "$serve" 2>/dev/null || true
  wait "$serve" 2>/dev/null || true
}

targets() { # targets FIRST_PORT COUNT
  for i in $(seq 1 "$2"); do printf -- '--to 127.0.0.1:%d ' $(($1 + i)); done
}

# bench_line RUN TARGET SIMULATE_OUTPUT: one row of the summary from `hemalink simulate`'s report.
bench_line() {
  local run=$1 target=$2 out=$3 rate lat
  rate=$(sed -n 's/.*(\([0-9.]*\) messages\/s).*/\1/p' "$out" | head -n 1)
  lat=$(sed -n 's/.*acknowledgement: p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms, max \([0-9.]*\) ms/\1 | \2 | \3/p' "$out")
  local unacked
  unacked=$(sed -n 's/.*unacknowledged \([0-9]*\)$/\1/p' "$out" | head -n 1)
  printf '| %s | %s | %s msg/s | %s | %s |\n' "$run" "${lat:-- | - | -}" "${rate:-?}" "${unacked:-?}" "$target" >>"$work/summary.md"
}

run_daemon_bench() {
  bin=build-bench/server/hemalink
  # HEMALINK_BENCH_BIN: another build's daemon (the simulator stays this one), to compare before
  # and after a change.
  serve_bin=${HEMALINK_BENCH_BIN:-$bin}
  work=$(mktemp -d)
  ulimit -n "$(ulimit -Hn)"
  local fsync_floor copy_floor
  fsync_floor=$("$pg_bin/pg_test_fsync" -s 1 -f "$work/fsync.test" 2>/dev/null |
    sed -n 's/^ *fdatasync *\([0-9.]*\) ops\/sec *\([0-9]*\) usecs\/op/\1 ops\/s (\2 us each)/p' | head -n 1)
  "${admin[@]}" -c "DROP DATABASE IF EXISTS hemalink_copy_floor" -c "CREATE DATABASE hemalink_copy_floor"
  copy_floor=$(build-bench/tests/bench/store_bench --copy-floor \
    "host=$pg_dir user=postgres dbname=hemalink_copy_floor" --hl7 1 --messages 6000 |
    sed -n 's/^copy floor: \([0-9]*\) messages\/s.*/\1/p')
  {
    echo "floors: psql COPY of the same rows (HL7 CBCs of a lab day, their decisions and outbox rows):"
    echo "${copy_floor} msg/s; an fsync loop (pg_test_fsync, one 8 kB write + fdatasync): ${fsync_floor}"
    echo
    echo "| run | ACK p50 ms | p99 ms | max ms | rate | unacknowledged | target |"
    echo "|---|---|---|---|---|---|---|"
  } >"$work/summary.md"

  log "daemon: one message at a time on an idle daemon (5 per second, 100 messages)"
  serve_fresh hemalink_bench_idle
  "$bin" simulate --protocol hl7 --to 127.0.0.1:17001 --generate lab-day --count 100 --rate 5 --seed 1 | tee "$work/run.txt"
  bench_line "one message on an idle daemon" "p50 <= 2 ms" "$work/run.txt"
  stop_serve

  log "daemon: 1 MLLP connection, closed loop (3,000 CBCs)"
  serve_fresh hemalink_bench_one
  "$bin" simulate --protocol hl7 --to 127.0.0.1:17001 --generate lab-day --count 3000 --seed 2 | tee "$work/run.txt"
  bench_line "1 MLLP connection, closed loop" "p50 <= 2 ms, p99 <= 5 ms" "$work/run.txt"
  stop_serve

  log "daemon: 4 MLLP connections, closed loop (8,000 CBCs)"
  serve_fresh hemalink_bench_four
  # shellcheck disable=SC2046
  "$bin" simulate --protocol hl7 $(targets 17000 4) --connections 4 --generate lab-day --count 8000 \
    --seed 3 | tee "$work/run.txt"
  bench_line "4 MLLP connections, closed loop" ">= 2,000 msg/s or >= 90% of COPY (${copy_floor})" "$work/run.txt"
  stop_serve

  log "daemon: 50 analyzers (25 ASTM E1381, 25 MLLP) paced at 200 msg/s in all (30 s)"
  serve_fresh hemalink_bench_paced
  # shellcheck disable=SC2046
  "$bin" simulate --protocol astm $(targets 18000 25) --connections 25 --generate lab-day --count 3000 \
    --rate 100 --seed 4 >"$work/astm.txt" &
  local astm=$!
  # shellcheck disable=SC2046
  "$bin" simulate --protocol hl7 $(targets 17000 25) --connections 25 --generate lab-day --count 3000 \
    --rate 100 --seed 5 | tee "$work/run.txt"
  wait "$astm" || true
  cat "$work/astm.txt"
  bench_line "50 analyzers paced at 200 msg/s: the 25 MLLP" "p99 <= 10 ms" "$work/run.txt"
  bench_line "50 analyzers paced at 200 msg/s: the 25 ASTM E1381" "p99 <= 10 ms" "$work/astm.txt"
  stop_serve

  log "daemon: host queries: 2,000 orders from the LIS, then 50 XN asking about 1,000 ordered tubes"
  serve_fresh hemalink_bench_queries orders
  "$bin" lis-sim --listen 127.0.0.1:16102 --protocol hl7 --send-orders 127.0.0.1:16101 \
    --generate-orders 2000 --duration 120 >"$work/orders.txt" &
  local lis_sim=$!
  for _ in $(seq 1 1200); do
    grep -q "order message(s)" "$work/orders.txt" && break
    sleep 0.1
  done
  kill -TERM "$lis_sim" 2>/dev/null || true
  wait "$lis_sim" 2>/dev/null || true
  cat "$work/orders.txt"
  for i in $(seq 0 999); do
    printf 'H|\\^&|||XN-550\nQ|1|1^1^%22s^B||||20260101000000||||||N\nL|1|N\n' "$(printf 'SMP%08d' "$i")"
  done >"$work/queries.astm"
  # The first pass comes right after the orders (cold: the desk's connections, PostgreSQL's
  # statistics of the new rows); the tests are made pending again after each pass.
  for pass in "first pass, 200 queries/s:200" "again, 200 queries/s:200" "flat out:0"; do
    # shellcheck disable=SC2046
    "$bin" simulate --protocol astm $(targets 18000 50) --connections 50 --file "$work/queries.astm" \
      --rate "${pass##*:}" | tee "$work/run.txt"
    bench_line "50 XN asking about ordered tubes (query to answer), ${pass%:*}" \
      "$([ "${pass##*:}" = 0 ] && echo "-" || echo "p99 <= 20 ms")" "$work/run.txt"
    # The daemon may still be marking the last answers' tests (sent, acknowledged) on its own
    # thread: the reset locks every test in id order first, as each transaction of the daemon
    # that changes several tests does, so that the two wait for each other instead of
    # deadlocking (one -c, one transaction).
    "${admin[@]}" -d hemalink_bench_queries -c "SELECT count(*) FROM (SELECT id FROM order_tests
      ORDER BY id FOR NO KEY UPDATE) locked; UPDATE order_tests SET status = 'ordered'" >/dev/null
  done
  stop_serve

  log "daemon: 50 MLLP connections flat out (20,000 CBCs)"
  serve_fresh hemalink_bench_flat
  # shellcheck disable=SC2046
  "$bin" simulate --protocol hl7 $(targets 17000 50) --connections 50 --generate lab-day --count 20000 \
    --seed 6 | tee "$work/run.txt"
  bench_line "50 connections flat out" ">= 80% of COPY (${copy_floor})" "$work/run.txt"
  stop_serve

  log "daemon: spool replay of 10,000 messages (spooled while the database is stopped)"
  serve_fresh hemalink_bench_replay
  eval "$HEMALINK_TEST_PG_STOP"
  # shellcheck disable=SC2046
  "$bin" simulate --protocol hl7 $(targets 17000 50) --connections 50 --generate lab-day --count 10000 \
    --seed 7 | tee "$work/run.txt"
  eval "$HEMALINK_TEST_PG_START"
  local started ended stored=0
  started=$(date +%s.%N)
  for _ in $(seq 1 1200); do
    stored=$("${admin[@]}" -d hemalink_bench_replay -tAc "SELECT count(*) FROM messages" 2>/dev/null || echo 0)
    [ "$stored" -ge 10000 ] && break
    sleep 0.1
  done
  ended=$(date +%s.%N)
  local replay_rate
  replay_rate=$(awk -v n="$stored" -v a="$started" -v b="$ended" 'BEGIN { printf "%.0f", n / (b - a) }')
  printf '| spool replay of 10,000 messages | - | - | - | %s msg/s (%s stored, from the database coming back) | - | >= the flat-out rate |\n' \
    "$replay_rate" "$stored" >>"$work/summary.md"
  stop_serve

  log "daemon: the HTTP API while 25 MLLP analyzers send 100 msg/s (review queue, then /metrics)"
  local token
  token=$(build-bench/server/hemalink token --user bench --role viewer --json \
    --tokens-file "$work/api-tokens.json" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  serve_fresh hemalink_bench_api
  # shellcheck disable=SC2046
  "$bin" simulate --protocol hl7 $(targets 17000 25) --connections 25 --generate lab-day --count 2500 \
    --rate 100 --seed 8 >"$work/api-load.txt" &
  local load=$!
  sleep 3 # some results held first
  {
    echo
    build-bench/tests/bench/api_bench --port 16080 --token "$token" --target /api/v1/review \
      --connections 4 --seconds 8
    build-bench/tests/bench/api_bench --port 16080 --target /metrics --connections 4 --seconds 8
  } | tee -a "$work/summary.md"
  wait "$load" || true
  bench_line "25 MLLP at 100 msg/s, the API read meanwhile" "-" "$work/api-load.txt"
  stop_serve

  log "daemon: RSS with 10,000 idle connections"
  serve_fresh hemalink_bench_idle_connections
  local rss_before rss_idle
  rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$serve/status")
  "$bin" simulate --protocol hl7 --to 127.0.0.1:16100 --connections 10000 --hold 15 \
    --timeout 120 >"$work/idle.txt" &
  local idle=$!
  for _ in $(seq 1 300); do
    [ "$(ss -Htn state established '( sport = :16100 )' | wc -l)" -ge 10000 ] && break
    sleep 0.1
  done
  sleep 2 # the kernel completes handshakes before the daemon accepts: let it take them all
  rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$serve/status")
  local established
  established=$(ss -Htn state established '( sport = :16100 )' | wc -l)
  printf '\nidle connections: %s established, %s descriptors open in the daemon; RSS %s MB before, %s MB with them open (target < 100 MB)\n' \
    "$established" "$(ls "/proc/$serve/fd" | wc -l)" $((rss_before / 1024)) $((rss_idle / 1024)) >>"$work/summary.md"
  wait "$idle" || true
  stop_serve
  echo
  cat "$work/summary.md"
  rm -rf "$work"
}

# The browser tests' tools (playwright-core, axe-core; versions pinned by tests/web's lock file)
# into build/web-tests, never into the checkout. Node.js is the machine's; without one, Debian's.
install_web_tools() {
  if ! command -v npm >/dev/null; then
    log "installing nodejs and npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  local dir="$root/build/web-tests"
  mkdir -p "$dir"
  if ! cmp -s tests/web/package-lock.json "$dir/package-lock.json" || [ ! -d "$dir/node_modules" ]; then
    cp tests/web/package.json tests/web/package-lock.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  export HEMALINK_WEB_TOOLS="$dir"
}

run_tests() {
  export HEMALINK_CORPUS_DIR="$corpus"
  [ -d "$corpus" ] || log "corpus not found at $corpus: corpus tests will skip"
  start_private_postgres
  log "normal build"
  build_normal
  install_web_tools
  HEMALINK_WEB_MEASURE=1 ctest --test-dir build --output-on-failure -j "$jobs"
  log "ASan+UBSan build"
  build_asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0" ctest --test-dir build-asan --output-on-failure -j "$jobs"
  log "fuzz smoke"
  run_fuzz "${HEMALINK_FUZZ_SMOKE_SECONDS:-20}"
  log "all tests passed"
}

run_bench() {
  build_bench
  HEMALINK_CORPUS_DIR="$corpus" build-bench/tests/bench/codec_bench \
    --benchmark_counters_tabular=true "$@"
  # The rules engine with the shipped rule sets (config/rules/), results per second on one core.
  build-bench/tests/bench/rules_bench --benchmark_counters_tabular=true "$@"
  # Quality control on the ingest path: the same XN messages read without QC and with it.
  build-bench/tests/bench/qc_bench --benchmark_counters_tabular=true "$@"
  # The lab day's model (issue 31): specimens generated per second.
  build-bench/tests/bench/lab_day_bench --benchmark_counters_tabular=true "$@"
  # Durable ingest into a private cluster (fsync on, synchronous_commit on), beside psql COPY.
  pg_extra_options="-c track_commit_timestamp=on"
  start_private_postgres
  local admin=(psql -q -X -h "$pg_dir" -U postgres -d postgres)
  "${admin[@]}" -c "CREATE DATABASE hemalink_bench" -c "CREATE DATABASE hemalink_bench_copy"
  build-bench/tests/bench/store_bench \
    --dsn "host=$pg_dir user=postgres dbname=hemalink_bench" \
    --copy-dsn "host=$pg_dir user=postgres dbname=hemalink_bench_copy" \
    2> >(grep -v '\] \[info\]' >&2)
  run_daemon_bench
  # LIS delivery: a filled outbox drained to lis-sim over one connection and four destinations,
  # and commit-to-ACK at 200 messages/s through the daemon (from the ingest commit: the cluster
  # keeps commit times, pg_extra_options above).
  build-bench/tests/bench/lis_bench --pg "host=$pg_dir user=postgres" \
    2> >(grep -v -e '\] \[info\]' -e 'cannot connect' >&2)
  # `hemalink report av` over 100,000 specimens loaded by SQL (docs/report-av.md).
  build-bench/tests/bench/report_bench --pg "host=$pg_dir user=postgres" \
    --benchmark_counters_tabular=true
  stop_private_postgres
  run_bench_backtest
}

# The backtest on lab-day archives (scripts/dev.sh bench-backtest [SIZES], e.g. 1000000,10000000;
# default 1 M results), kept in a cluster of their own under var/backtest-pg: an archive is built
# once (on 2 cores, 1 M: about 4 minutes, 10 M: about 40) and measured again on every run.
run_bench_backtest() {
  build_bench backtest_bench
  local data="$root/var/backtest-pg"
  start_kept_postgres "$data"
  build-bench/tests/bench/backtest_bench --pg "host=$data user=postgres" \
    --results "${1:-1000000}" --benchmark_counters_tabular=true 2> >(grep -v '\] \[info\]' >&2)
}

# Only the daemon's benchmarks (scripts/dev.sh bench-daemon): what issue work on latency reruns.
run_bench_daemon() {
  build_bench hemalink store_bench api_bench
  start_private_postgres
  local admin=(psql -q -X -h "$pg_dir" -U postgres -d postgres)
  run_daemon_bench
}

# The seeds of "A-B" or "A".
seeds_of() {
  local from=${1%-*} to=${1#*-}
  seq "$from" "$to"
}

# One lab day through the example configuration, against a fresh database; its report in $out.
lab_day_once() {
  local specimens=$1 profile=$2 seed=$3 out=$4 db="lab_day_$2_$3"
  "${admin[@]}" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  export HEMALINK_DATABASE_URL="postgresql://postgres@/$db?host=$pg_dir"
  local since
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  rm -rf "$root/var/spool" && mkdir -p "$root/var/spool" "$root/var/drop/facs-1"
  build/server/hemalink serve --config "$root/config/hemalink.example.json" >"$out/serve-$seed.log" 2>&1 &
  local serve=$!
  until curl -sf http://127.0.0.1:8080/healthz >/dev/null; do
    kill -0 $serve 2>/dev/null || { tail -n 20 "$out/serve-$seed.log" >&2; return 1; }
    sleep 0.2
  done
  local day=(--lab-day "$specimens" --profile "$profile" --seed "$seed")
  build/server/hemalink lis-sim --listen 127.0.0.1:5100 --protocol hl7 --send-orders 127.0.0.1:5101 \
    "${day[@]}" >"$out/lis-sim-$seed.log" 2>&1 &
  local lis=$!
  until grep -q "order message(s)" "$out/lis-sim-$seed.log"; do
    kill -0 $lis 2>/dev/null || { cat "$out/lis-sim-$seed.log" >&2; kill $serve; return 1; }
    sleep 0.5
  done
  build/server/hemalink simulate "${day[@]}" --config "$root/config/hemalink.example.json" \
    --truth "$out/truth-$profile-$seed.jsonl" >"$out/simulate-$seed.log" 2>&1 || true
  build/server/hemalink report av --truth "$out/truth-$profile-$seed.jsonl" --since "$since" \
    --json "$out/av-$profile-$seed.json" >"$out/av-$profile-$seed.txt" 2>&1 || true
  kill $lis $serve 2>/dev/null || true
  wait $lis $serve 2>/dev/null || true
}

run_lab_day() {
  local specimens=${1:-5000} profile=${2:-hospital} seeds=${3:-1}
  build_normal hemalink
  start_private_postgres
  admin=(psql -q -X -h "$pg_dir" -U postgres -d postgres)
  local out="$root/var/lab-day"
  mkdir -p "$out"
  for seed in $(seeds_of "$seeds"); do
    log "lab day: $specimens tubes, $profile, seed $seed"
    lab_day_once "$specimens" "$profile" "$seed" "$out"
    grep -E "^(specimens|false negatives)" "$out/av-$profile-$seed.txt" >&2 || cat "$out/av-$profile-$seed.txt" >&2
  done
}

command=${1:-build}
[ $# -gt 0 ] && shift
case "$command" in
  build) ensure_packages && build_normal ;;
  up) ensure_packages && run_up ;;
  test) ensure_packages "${browser_packages[@]}" && run_tests ;;
  fuzz) ensure_packages && run_fuzz "${1:-60}" ;;
  bench) ensure_packages && run_bench "$@" ;;
  bench-daemon) ensure_packages && run_bench_daemon ;;
  bench-build) ensure_packages && build_bench ;;
  bench-backtest) ensure_packages && run_bench_backtest "$@" ;;
  lab-day) ensure_packages && run_lab_day "$@" ;;
  format) ensure_packages && git ls-files '*.cpp' '*.hpp' | xargs clang-format -i ;;
  *)
    echo "usage: scripts/dev.sh [build|up|test|fuzz [SECONDS]|bench|bench-daemon|bench-build|bench-backtest [SIZES]|lab-day [N] [PROFILE] [SEEDS]|format]" >&2
    exit 2
    ;;
esac
