#!/bin/sh
# Coverage-guided fuzzing of polroute's input readers with libFuzzer, through the Swift toolchain.
#
#   Tests/Fuzz/fuzz.sh [SECONDS [TARGET...]]     (make fuzz FUZZ_SECONDS=N; default 60 s a target)
#
# Builds .build/fuzz/polroute-fuzz (`swiftc -sanitize=fuzzer,address`, the PolrouteCore sources with the entry point
# in Tests/Fuzz), then runs each target for SECONDS: the inputs in Tests/Fuzz/regressions/TARGET first, then new
# ones, starting from the corpus kept in .build/fuzz/corpus/TARGET and seeds copied from the golden files and
# fixtures. A crash is saved as .build/fuzz/crashes/TARGET-crash-HASH and the run exits 1. Needs no root.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=${*:-policy-text policy-json ip-json snapshot}
out=.build/fuzz
binary=$out/polroute-fuzz
mkdir -p "$out/crashes"

# Rebuild when a source is newer than the binary.
if [ ! -x "$binary" ] || [ -n "$(find Sources/PolrouteCore Tests/Fuzz -name '*.swift' -newer "$binary" | head -n 1)" ]; then
  echo "fuzz: building $binary"
  # Absolute paths, so that #filePath finds the examples the targets resolve policies against. With stack-depth
  # coverage, libFuzzer counts a deeper stack as progress, so it works its way towards unbounded recursion.
  find "$PWD/Sources/PolrouteCore" "$PWD/Tests/Fuzz" -name '*.swift' -print0 | sort -z \
    | xargs -0 "${SWIFTC:-swiftc}" -sanitize=fuzzer,address -Xllvm -sanitizer-coverage-stack-depth \
      -parse-as-library -O -g -use-ld=lld -module-name PolrouteFuzz -o "$binary"
fi

# Seeds: real inputs of each kind, copied (flattened) so libFuzzer can read them as one directory each.
seed() {
  target=$1
  shift
  rm -rf "$out/seeds/$target"
  mkdir -p "$out/seeds/$target" "$out/corpus/$target"
  for file in "$@"; do
    [ -f "$file" ] && cp "$file" "$out/seeds/$target/$(echo "$file" | tr / _)"
  done
  return 0
}
seed policy-text Examples/*/polroute.conf Tests/Scenarios/*/expected/policy.conf Tests/Scenarios/*/input/policy.conf
seed policy-json Tests/Scenarios/*/input/policy.json Examples/*/state.json
seed ip-json Tests/Fixtures/hosts/*/ip/*.json Tests/Fixtures/netlink/*.bin
seed snapshot Examples/*/state.json

# The runtime's backtracer is off: it outlives a crashing target and holds its output open, so libFuzzer would wait.
# The stack is 256 KiB, a 32nd of the usual 8 MiB: recursion without a bound (JSON nested 40,000 deep overflowed
# 8 MiB) then overflows at a depth of a few hundred, which the fuzzer reaches in minutes (it found the old JSON
# parsers' overflow in under five), while the bounded recursion polroute keeps (128 levels) fits even with ASan's
# larger frames.
# shellcheck disable=SC3045 # dash, bash and busybox sh all have ulimit -s
ulimit -s 256
status=0
for target in $targets; do
  regressions=Tests/Fuzz/regressions/$target
  mkdir -p "$regressions"
  log=$out/$target.log
  echo "fuzz: $target for $seconds s"
  if SWIFT_BACKTRACE=enable=no POLROUTE_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crashes/$target-" \
    "$out/corpus/$target" "$out/seeds/$target" "$regressions" >"$log" 2>&1; then
    :
  else
    status=1
    echo "fuzz: $target FAILED; the input is in $out/crashes (last lines of $log):"
    tail -n 30 "$log"
  fi
  # One line a target: executions, speed, corpus and coverage (edges) reached.
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  speed=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log")
  echo "fuzz: $target: ${done_line:-no summary} (average ${speed:-?} exec/s)"
done
exit $status
