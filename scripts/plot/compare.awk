# compare.awk: two sweeps' rows.csv (OLD then NEW) -> per point, the change in median time with
# its bootstrap 95% interval and the Mann-Whitney U verdict. Run by scripts/compare.sh after
# stats.awk. Variables: threshold (percent), alpha (the test's level), title (the first line).
#
# A point is driver, kernel, class, scaling, ranks, threads, workers and schedule; its time in
# one repetition is the sum of its cases' wall_s (as in summary.md), and only repetitions holding
# every case count. Failed points (rep 0 rows, or rows not verified) are reported, not compared.

BEGIN { FS = ","; nfile = 0; npoints = 0 }

FNR == 1 {
    nfile++
    missing = read_header("driver kernel case class ranks threads workers rep wall_s verified")
    if (missing != "") {
        printf "compare: %s: not corescale's rows.csv: no column '%s'\n", FILENAME, missing > "/dev/stderr"
        bad_input = 1
        exit 2
    }
    next
}
$0 == "" { next }

{
    key = $col["driver"] SUBSEP $col["kernel"] SUBSEP $col["class"] SUBSEP \
          (("scaling" in col) ? $col["scaling"] : "") SUBSEP $col["ranks"] SUBSEP $col["threads"] SUBSEP \
          $col["workers"] SUBSEP (("schedule" in col) ? $col["schedule"] : "")
    if (!(key in seen)) { seen[key] = 1; order[++npoints] = key }
    present[key, nfile] = 1
    if ($col["rep"] + 0 == 0 || $col["verified"] != "1" || !($col["wall_s"] + 0 > 0)) { failed[key, nfile] = 1; next }
    cs = $col["case"]
    if (!((key, nfile, cs) in case_seen)) { case_seen[key, nfile, cs] = 1; ncases[key, nfile]++ }
    r = $col["rep"] "." (++occ[key, nfile, cs, $col["rep"]])
    if (!((key, nfile, r) in rep_seen)) { rep_seen[key, nfile, r] = 1; nreps[key, nfile]++; reps[key, nfile, nreps[key, nfile]] = r }
    total[key, nfile, r] += $col["wall_s"]
    held[key, nfile, r]++
}

# The complete repetitions' times of key in file f into v; their count.
function times(key, f, v,    i, n, r) {
    n = 0
    for (i = 1; i <= nreps[key, f]; i++) {
        r = reps[key, f, i]
        if (held[key, f, r] == ncases[key, f]) v[++n] = total[key, f, r]
    }
    return n
}

function pct(x) { return sprintf("%+.1f%%", 100 * (x - 1)) }

END {
    if (bad_input) exit 2
    if (nfile != 2) { print "compare: expected two rows.csv files" > "/dev/stderr"; exit 2 }
    print title
    printf "# %-12s %-8s %-6s %-6s %7s %5s %11s %11s %8s %-19s %8s  %s\n", "driver", "kernel", "class",
        "scaling", "workers", "reps", "old_s", "new_s", "change", "95% CI", "p", "verdict"
    nslow = 0; nfast = 0; nsame = 0; nbeyond = 0; nfail = 0; nonly = 0; nweak = 0
    for (i = 1; i <= npoints; i++) {
        key = order[i]
        split(key, k, SUBSEP)
        label = sprintf("  %-12s %-8s %-6s %-6s %7s", k[1], k[2], k[3], (k[4] == "" ? "-" : k[4]), k[7])
        if (!((key, 1) in present) || !((key, 2) in present)) {
            printf "%s %5s %11s %11s %8s %-19s %8s  %s\n", label, "-", "-", "-", "-", "-", "-",
                ((key, 1) in present) ? "only in OLD" : "only in NEW"
            nonly++
            continue
        }
        na = times(key, 1, a); nb = times(key, 2, b)
        if ((key, 2) in failed || nb == 0 || na == 0) {
            printf "%s %5s %11s %11s %8s %-19s %8s  %s\n", label, na "/" nb, "-", "-", "-", "-", "-",
                (((key, 2) in failed || nb == 0) ? "FAILED in NEW" : "failed in OLD")
            if ((key, 2) in failed || nb == 0) nfail++
            continue
        }
        sort_numbers(a, na); sort_numbers(b, nb)
        ma = sorted_median(a, na); mb = sorted_median(b, nb)
        ratio_ci(b, nb, a, na)
        p = mann_whitney(a, na, b, nb)
        verdict = "no detectable change"
        if (p < alpha) verdict = mb > ma ? "slower" : "faster"
        if (verdict == "slower") { nslow++; if (100 * (mb / ma - 1) > threshold) { nbeyond++; verdict = verdict " (beyond " threshold "%)" } }
        else if (verdict == "faster") nfast++
        else nsame++
        if (stats_pmin >= alpha) { verdict = verdict " [too few repetitions to decide]"; nweak++ }
        printf "%s %5s %11.6f %11.6f %8s %-19s %8.4f  %s\n", label, na "/" nb, ma, mb, pct(mb / ma),
            "[" pct(stats_lo) ", " pct(stats_hi) "]", p, verdict
    }
    printf "# %d point%s: %d slower (%d beyond %s%%), %d faster, %d no detectable change", npoints,
        npoints == 1 ? "" : "s", nslow, nbeyond, threshold, nfast, nsame
    if (nfail) printf ", %d FAILED in NEW", nfail
    if (nonly) printf ", %d in one run only", nonly
    printf "\n"
    if (nweak)
        printf "# %d point%s had too few repetitions for the U test to reach p < %s (3 and 3 cannot go below p = 0.1; 4 and 4 reach 0.029): sweep with --repeat 5 or more, or --rounds\n", nweak, nweak == 1 ? "" : "s", alpha
    exit (nbeyond > 0 || nfail > 0) ? 1 : 0
}
