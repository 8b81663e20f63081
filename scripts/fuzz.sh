#!/usr/bin/env bash
# fuzz.sh runs every Fuzz* target of the given packages (default: those of
# schema, relation, dialect, orm and migrate that exist) for FUZZTIME each (default 20s).
#
#   scripts/fuzz.sh [package ...]
set -euo pipefail

go=${GO:-go}
fuzztime=${FUZZTIME:-20s}
if [ "$#" -eq 0 ]; then
	set -- ./schema/... ./relation/... ./dialect/... ./orm/... ./migrate/...
fi

ran=0
# go list -e skips patterns that match nothing yet.
for pkg in $("$go" list -e -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "$@" 2>/dev/null); do
	for target in $("$go" test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "== $pkg $target ($fuzztime)"
		"$go" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
		ran=$((ran + 1))
	done
done
echo "fuzz: $ran target(s)"
