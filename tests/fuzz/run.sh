#!/usr/bin/env bash
# Runs every fuzz target (or those named) for a fixed number of executions from the committed seeds,
# with a fixed libFuzzer seed, and fails on the first crash, leak, timeout or out-of-memory.
#
#   tests/fuzz/run.sh RUNS [TARGET...]      e.g. tests/fuzz/run.sh 5000     (CI's short pass)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the nightly toolchain is used when installed
# (see below). The targets are built once (release, debug assertions and overflow checks on, AddressSanitizer); new inputs found go
# to tests/fuzz/corpus/TARGET (not committed), crashes to tests/fuzz/artifacts/TARGET/. Env:
# FUZZ_SEED (libFuzzer's -seed, default 1), FUZZ_MAX_LEN (default 4096).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Every target, in the order they run.
TARGETS=(config token call batch_answer notification callback emu_batch emu_query emu_api relay_forward relay_allow)

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -eq 0 ]; then
  echo "usage: $0 RUNS [TARGET...]   (targets: ${TARGETS[*]})" >&2
  exit 2
fi
runs="$1"
shift
if [ $# -gt 0 ]; then
  for t in "$@"; do
    [[ " ${TARGETS[*]} " == *" $t "* ]] || { echo "unknown fuzz target: $t" >&2; exit 2; }
  done
  TARGETS=("$@")
fi
seed="${FUZZ_SEED:-1}"
max_len="${FUZZ_MAX_LEN:-4096}"

# cargo fuzz passes rustc unstable flags (-Zsanitizer=address and others): the nightly toolchain when
# there is one, else this machine's toolchain with RUSTC_BOOTSTRAP=1, which lets a stable rustc take them
# (CI machines have one toolchain and cannot fetch another).
if rustup run nightly rustc --version >/dev/null 2>&1; then
  toolchain=(+nightly)
else
  toolchain=()
  export RUSTC_BOOTSTRAP=1
  echo "fuzz: no nightly toolchain; using $(rustc --version) with RUSTC_BOOTSTRAP=1"
fi
cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1 ||
  { echo "FAIL: fuzzing needs cargo-fuzz (cargo install cargo-fuzz --locked)" >&2; exit 1; }

cd "$root"
# The fuzz workspace's Cargo.lock is committed: refuse to run if it would change.
cargo "${toolchain[@]}" metadata --locked --format-version 1 --manifest-path tests/fuzz/Cargo.toml >/dev/null
# 16 codegen units: a much faster build on two cores for a slightly slower fuzzer.
cargo "${toolchain[@]}" fuzz build --fuzz-dir tests/fuzz --codegen-units 16
bin_dir="$here/target/x86_64-unknown-linux-gnu/release"

total=0
summary=()
for t in "${TARGETS[@]}"; do
  corpus="$here/corpus/$t"
  artifacts="$here/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  [ -d "$here/seeds/$t" ] || { echo "FAIL: fuzz target $t has no seeds (tests/fuzz/seeds/$t)" >&2; exit 1; }
  log="$(mktemp)"
  echo "==== fuzz $t: $runs runs (seed $seed)"
  start=$(date +%s)
  status=0
  "$bin_dir/$t" "$corpus" "$here/seeds/$t" \
    -runs="$runs" -seed="$seed" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1 || status=$?
  secs=$(( $(date +%s) - start ))
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "FAIL: fuzz target $t crashed (exit $status); the input is in ${artifacts#"$root"/}" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  done_runs="${done_runs:-0}"
  total=$((total + done_runs))
  summary+=("$(printf '%-14s %12s runs %7s s  corpus %5s' "$t" "$done_runs" "$secs" "$(ls "$corpus" | wc -l)")")
  echo "${summary[-1]}"
done
echo "==== fuzz summary (seed $seed, max_len $max_len)"
printf '%s\n' "${summary[@]}"
echo "fuzz: $total runs in all, no crash"
