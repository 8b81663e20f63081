# benchratio.awk prints, per workload, how crucible compares with plain pgx
# from `go test -bench BenchmarkCompare -benchmem` output. Benchmarks must be
# named BenchmarkCompare/<Workload>/crucible and BenchmarkCompare/<Workload>/pgx;
# repeated runs (-count) are averaged.
#
#   awk -f scripts/benchratio.awk bench.out

$1 ~ /^BenchmarkCompare\// {
	name = $1
	sub(/-[0-9]+$/, "", name)                 # the GOMAXPROCS suffix
	n = split(name, part, "/")
	impl = part[n]
	if (impl != "crucible" && impl != "pgx") next
	workload = part[2]
	for (i = 3; i < n; i++) workload = workload "/" part[i]
	if (!(workload in seen)) { seen[workload] = 1; order[++workloads] = workload }
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "ns/op") ns[workload, impl] += $i
		if ($(i+1) == "allocs/op") allocs[workload, impl] += $i
	}
	runs[workload, impl]++
}

function mean(sum, w, impl) {
	return runs[w, impl] ? sum / runs[w, impl] : 0
}

function ratio(a, b) {
	return b ? sprintf("%.2f", a / b) : "-"
}

END {
	if (workloads == 0) {
		print "no BenchmarkCompare/<Workload>/{crucible,pgx} results"
		exit 0
	}
	fmt = "%-28s %15s %12s %7s %16s %11s\n"
	printf fmt, "workload", "crucible ns/op", "pgx ns/op", "ratio", "crucible allocs", "pgx allocs"
	for (k = 1; k <= workloads; k++) {
		w = order[k]
		cn = mean(ns[w, "crucible"], w, "crucible"); pn = mean(ns[w, "pgx"], w, "pgx")
		ca = mean(allocs[w, "crucible"], w, "crucible"); pa = mean(allocs[w, "pgx"], w, "pgx")
		printf fmt, w, runs[w, "crucible"] ? sprintf("%.0f", cn) : "-", runs[w, "pgx"] ? sprintf("%.0f", pn) : "-",
			ratio(cn, pn), runs[w, "crucible"] ? sprintf("%.1f", ca) : "-", runs[w, "pgx"] ? sprintf("%.1f", pa) : "-"
	}
}
