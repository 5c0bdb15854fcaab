#!/usr/bin/env bash
# A fuzz campaign with cargo-afl (AFL++ on the stable toolchain).
#
#   fuzz/run.sh [SECONDS] [TARGET...]   run each target (default: all four) for SECONDS
#                                       (default 3600), niced, together; findings in
#                                       fuzz/out/TARGET/default/crashes
#   fuzz/run.sh --smoke                 what .ci/run runs: each target for 12 s from the
#                                       checked-in corpus; fails only when a target crashes
#
# Targets: config (the config loader and checker on a packed config folder), expr (the
# expression parser), rule (the rule parser), csv (verify's CSV reader). Installs cargo-afl
# and builds AFL++ when missing.
set -euo pipefail
cd "$(dirname "$0")"

smoke=false
if [ "${1:-}" = "--smoke" ]; then
  smoke=true
  shift
  seconds=12
else
  seconds="${1:-3600}"
  [ $# -gt 0 ] && shift
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(config expr rule csv)

if ! cargo afl --version >/dev/null 2>&1; then
  cargo install cargo-afl --locked
fi
# Builds AFL++ once per toolchain; says so (and succeeds) when already built.
cargo afl config --build >/dev/null 2>&1 || cargo afl config --build --force
export CARGO_INCREMENTAL=0
cargo afl build --release --bins

# No CPU frequency or core-dump setup is asked of the machine; no core is pinned (other
# builds share it), no UI (logs, not a terminal).
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export AFL_FAST_CAL=1

out=out
$smoke && out="$(mktemp -d)"
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$out/$t"
  timeout_ms=1000
  [ "$t" = config ] && timeout_ms=5000
  # -V: stop after SECONDS; an existing output folder is resumed (-i -), else started.
  if [ -d "$out/$t/default/queue" ] && ! $smoke; then input=-; else input="corpus/$t"; fi
  nice -n 19 cargo afl fuzz -i "$input" -o "$out/$t" -V "$seconds" -t "$timeout_ms" \
    "target/release/$t" >"$out/$t/fuzz.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done

crashed=0
for t in "${targets[@]}"; do
  stats="$out/$t/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    printf '%-7s ' "$t"
    awk -F' *: *' '/^(execs_done|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs|run_time)/ {printf "%s=%s ", $1, $2}' "$stats"
    echo
  else
    echo "$t: no fuzzer_stats (see $out/$t/fuzz.log)"; tail -5 "$out/$t/fuzz.log" || true
    status=1
  fi
  n=$(find "$out/$t/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  if [ "$n" -gt 0 ]; then
    echo "$t: $n crashing input(s) in $out/$t/default/crashes" >&2
    crashed=1
  fi
done
# A smoke run keeps its folder only when it found something.
if $smoke && [ "$crashed" -eq 0 ]; then rm -rf "$out"; fi
[ "$crashed" -eq 0 ] || exit 1
exit "$status"
