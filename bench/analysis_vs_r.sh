#!/usr/bin/env bash
# The analysis batch against R's survey package, measured in one session on this machine
# (BENCHMARKS.md, "Analysis batch vs R"). Ratios are what we report: R's time / minyi's time,
# both measured in this run.
#
#   bench/analysis_vs_r.sh                                   # 100k and 1M per wave, then 10M streamed
#   SIZES=100000 STREAM_ROWS=0 bench/analysis_vs_r.sh        # a quick run
#
# For each size: generate two waves (CSV for the batch and R, Parquet for streaming), then time
#   - minyi's full batch (`analysis run --no-report`: every table) — wall and peak RSS;
#   - minyi's R-comparable part in memory (`analysis stream memory`: load, then svymean and
#     svyby-by-unit of the 20 items with the stats core, both waves);
#   - minyi's streaming estimator on each wave's Parquet (`analysis stream estimate`);
#   - R (`bench/r/survey_bench.R`): fread both CSV files, then svymean + svyby per item;
# and check that every minyi item mean and SE equals R's (bench/r/compare.R).
# and the same query on polars' in-memory engine (one wave), for what streaming saves.
# Then STREAM_ROWS responses in one Parquet wave on the streaming engine, also under an
# address-space cap (STREAM_CAP_MB) far below what the in-memory engine needs.
#
# Env: BENCH_DIR (default /tmp/minyi-bench; ~3 GB at the default sizes), SIZES, STREAM_ROWS
# (0 skips), STREAM_CAP_MB (default 1024), ANALYSIS_BIN (default: build the release binary),
# CARGO_TARGET_DIR. Needs Rscript with r-cran-survey (r-cran-data.table for fread) and GNU time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/minyi-bench}
sizes=${SIZES:-"100000 1000000"}
stream_rows=${STREAM_ROWS:-10000000}
cap_mb=${STREAM_CAP_MB:-1024}
bin=${ANALYSIS_BIN:-}
if [[ -z $bin ]]; then
  (cd "$root" && cargo build --release -p minyi-analysis)
  bin=${CARGO_TARGET_DIR:-$root/target}/release/analysis
fi
[[ -x /usr/bin/time ]] || { echo "needs GNU time (Debian: apt-get install time)" >&2; exit 1; }
items=$(tr '\n' ',' <<'EOF' | sed 's/,$//'
conduct_duty
conduct_consistent
conduct_procedure
conduct_documents
fair_equal
fair_outcome
fair_discretion
fair_leniency
open_certificate
open_rights
open_recorded
open_lawful
service_manner
service_listen
service_speed
service_guidance
trust_law
trust_result
trust_complaint
overall_sat
EOF
)

# measure NAME CMD...: runs CMD under GNU time into NAME.out, NAME.err and NAME.time.
measure() {
  local name=$1
  shift
  if ! /usr/bin/time -v -o "$name.time" "$@" >"$name.out" 2>"$name.err"; then
    echo "failed: $*" >&2
    tail -20 "$name.err" >&2
    exit 1
  fi
}
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1.time"; }
peak_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1.time"; }
field() { grep -o "$2 [^ ]*" "$1.out" | head -1 | awk '{ print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
stream() { # stream NAME FILE WAVE
  measure "$1" "$bin" stream estimate --input "$2" --out "$1-out" --items "$items" \
    --stratum unit --group unit --population-column population --wave "$3" "${@:4}"
}
# same_as_r DIR WHAT FILE...: every item mean and SE of FILE... equals R's, or stop.
same_as_r() {
  local d=$1 what=$2 out
  shift 2
  out=$(Rscript "$root/bench/r/compare.R" "$d/r-estimates.csv" "$@") ||
    { echo "minyi's $what estimates differ from R's: $out" >&2; exit 1; }
  echo "R vs minyi $what: $out"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "R: $(Rscript -e 'cat(R.version.string, "survey", format(packageVersion("survey")))')"
versus_r=()
engines=()
for n in $sizes; do
  d=$bench_dir/$n
  echo "== $n responses per wave ($d)"
  "$bin" stream bench-data --rows "$n" --out "$d"
  measure "$d/batch" "$bin" run --config "$d/batch.toml" --out "$d/batch-out" --no-report
  measure "$d/memory" "$bin" stream memory --config "$d/batch.toml" --out "$d/memory-out"
  stream "$d/stream-baseline" "$d/baseline.parquet" baseline
  stream "$d/stream-final" "$d/final.parquet" final
  stream "$d/in-memory" "$d/final.parquet" final --in-memory
  measure "$d/r" Rscript "$root/bench/r/survey_bench.R" "$d/baseline.csv" "$d/final.csv" \
    --out "$d/r-estimates.csv"
  same_as_r "$d" batch "$d/batch-out/estimates.csv"
  same_as_r "$d" estimate-only "$d/memory-out/estimates.csv"
  same_as_r "$d" streamed "$d/stream-baseline-out/estimates.csv" "$d/stream-final-out/estimates.csv"
  cat "$d/memory.out" "$d/r.out"
  stream_wall=$(sum "$(wall "$d/stream-baseline")" "$(wall "$d/stream-final")")
  stream_peak=$(max "$(peak_mb "$d/stream-baseline")" "$(peak_mb "$d/stream-final")")
  r_wall=$(wall "$d/r")
  r_estimate=$(field "$d/r" estimate_seconds)
  estimate=$(field "$d/memory" estimate_seconds)
  versus_r+=("| $n | $(wall "$d/batch") | $(peak_mb "$d/batch") | $estimate | $(field "$d/r" load_seconds) | $r_estimate | $r_wall | $(peak_mb "$d/r") | **$(ratio "$r_wall" "$(wall "$d/batch")")** | **$(ratio "$r_estimate" "$estimate")** |")
  engines+=("| $n | $stream_wall | $stream_peak | $(ratio "$r_wall" "$stream_wall") | $(wall "$d/in-memory") | $(peak_mb "$d/in-memory") |")
done

echo
echo "| responses per wave (2 waves) | minyi batch wall s | batch peak MB | minyi estimate-only s | R load s | R estimate s | R wall s | R peak MB | R wall / batch wall | R estimate / minyi estimate-only |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${versus_r[@]}"
echo
echo "| responses per wave | streamed, 2 waves, wall s | streamed peak MB | R wall / streamed | in-memory engine, 1 wave, wall s | in-memory engine peak MB |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${engines[@]}"

if [[ $stream_rows -gt 0 ]]; then
  d=$bench_dir/stream-$stream_rows
  echo
  echo "== $stream_rows responses in one Parquet wave ($d)"
  "$bin" stream bench-data --rows "$stream_rows" --out "$d" --no-csv --one-wave
  stream "$d/streaming" "$d/final.parquet" final
  # The same run in an address space capped far below the data's in-memory size.
  ( ulimit -v $((cap_mb * 1024)); stream "$d/capped" "$d/final.parquet" final )
  cmp -s "$d/streaming-out/estimates.csv" "$d/capped-out/estimates.csv" ||
    { echo "the capped run's estimates differ" >&2; exit 1; }
  # The in-memory engine under the same cap: it cannot hold the data.
  if ( ulimit -v $((cap_mb * 1024)); stream "$d/capped-in-memory" "$d/final.parquet" final --in-memory ) \
    2>/dev/null; then
    in_memory_capped="runs (peak $(peak_mb "$d/capped-in-memory") MB)"
  else
    in_memory_capped="fails: $(grep -m1 -io 'memory allocation[^,]*\|out of memory' "$d/capped-in-memory.err" || echo 'aborted')"
  fi
  cat "$d/streaming.out"
  echo
  echo "| $stream_rows responses, Parquet $(du -m "$d/final.parquet" | cut -f1) MB | wall s | peak RSS MB |"
  echo "|---|---:|---:|"
  echo "| streaming engine | $(wall "$d/streaming") | $(peak_mb "$d/streaming") |"
  echo "| streaming engine, address space capped at $cap_mb MB | $(wall "$d/capped") | $(peak_mb "$d/capped") |"
  echo
  echo "in-memory engine, same query, same cap: $in_memory_capped"
fi
