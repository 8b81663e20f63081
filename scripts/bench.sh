#!/usr/bin/env bash
# bench.sh runs the comparison benchmarks (orm BenchmarkCompare) in ROUNDS
# rounds, one process per round, and appends every result to BENCHOUT. Each
# round runs every workload's two sides one after the other (crucible, pgx,
# crucible, pgx, …); which side goes first alternates from round to round,
# so that neither always runs on a warmer cache or a cooler machine. Then
# BenchmarkSessionMemory adds the session's bytes per object.
#
#   ROUNDS=6 BENCHTIME=1s BENCH='ReadSlice.*' scripts/bench.sh
set -euo pipefail

GO=${GO:-go}
ROUNDS=${ROUNDS:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.*}
BENCHOUT=${BENCHOUT:-bench.out}

out=$(realpath -m "$BENCHOUT")
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
"$GO" test -c -o "$bin/orm.test" ./orm
: >"$out"
cd orm
for ((r = 1; r <= ROUNDS; r++)); do
	first=crucible
	((r % 2 == 0)) && first=pgx
	echo "round $r of $ROUNDS ($first first)" >&2
	CRUCIBLE_BENCH_FIRST=$first "$bin/orm.test" -test.run '^$' -test.bench "^BenchmarkCompare/($BENCH)/" \
		-test.benchmem -test.count=1 -test.benchtime="$BENCHTIME" -test.timeout=30m | tee -a "$out"
done
"$bin/orm.test" -test.run '^$' -test.bench '^BenchmarkSessionMemory$' -test.count=1 -test.benchtime=3x | tee -a "$out"
