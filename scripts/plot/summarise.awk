# summarise.awk: a sweep's rows.csv -> per-point statistics, gnuplot data and summary.md.
#
# Also data/headline.txt: one line per driver, its speedup at the most cores, for the terminal.
# Run by scripts/plot.sh after stats.awk (POSIX awk: mawk, gawk and BSD awk all do). Variables:
#   data     directory for the gnuplot data files and index.txt (must exist)
#   summary  path of summary.md
#   cores    physical cores the sweep had (points above are oversubscribed)
#   requests, delay_ms   the fetch sweep's workload (0 if unknown)
#   title    first line of summary.md; meta_md  lines to quote under it (optional, \n-separated)
#   figs     directory of the figures, relative to summary.md ("plots")
#   clock_counter  the counter the sweep's clock probe read (points.csv), for the clock warning
#
# A point is one driver at one worker count (ranks x threads) for one kernel and class; its
# time in one repetition is the sum of its cases' wall_s (a class may hold several sizes), and
# only repetitions holding every case count. Rows with rep 0 are sweep.sh's record of a point
# that failed. Speedup S(p) = median T(1) / median T(p); bars use the fastest and slowest
# repetition. Karp-Flatt e(p) = (1/S - 1/p) / (1 - 1/p). The Amdahl fit is the least-squares f
# of 1/S - 1/p = f (1 - 1/p) over the points with 1 < p <= cores, clamped to [0, 1]. Rows with
# scaling weak form groups of their own (class token CLASS-weak): there S(p) = p T(1) / T(p)
# (scaled), E = T(1) / T(p), and Gustafson's s is fitted from p - S = s (p - 1) instead.

BEGIN {
    FS = ","
    nan = "NaN"
    ngroups = 0; nfetch = 0; nfail = 0
    split("cpu_serial cpu_omp cpu_mpi cpu_hybrid io_serial io_threads io_async io_mpi", order, " ")
    for (i = 1; i in order; i++) rank_of[order[i]] = i
    required = "driver kernel case class ranks threads workers rep wall_s verified warnings schedule"
    for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\x%02x", i)
    ctl[sprintf("%c", 127)] = "\\x7f"
}

# ---- reading -----------------------------------------------------------------------------------

NR == 1 {
    header = $0
    missing = read_header(required)
    if (missing != "") {
        printf "plot: %s: not corescale's CSV: no column '%s'\n", FILENAME, missing > "/dev/stderr"
        bad_input = 1
        exit 2
    }
    next
}
$0 == header || $0 == "" { next }

# A row whose numbers cannot be right is skipped, said on stderr with its file and line, and
# counted in summary.md, so that no nan, inf or division by zero reaches a plot or the summary.
{
    why = row_fault()
    if (why != "") {
        printf "plot: %s:%d: %s; row skipped\n", FILENAME, FNR, why > "/dev/stderr"
        nskipped++
        next
    }
}

{
    d = $col["driver"]; k = $col["kernel"]; c = $col["class"]
    sc = ("scaling" in col) ? $col["scaling"] : ""
    w = $col["workers"] + 0; r = $col["ranks"] + 0; t = $col["threads"] + 0
    rep = $col["rep"] + 0
    sched = (d == "cpu_serial" || k == "fetch") ? "" : $col["schedule"]

    if (k == "fetch") {
        g = "fetch"
        s = d
    } else {
        # A weak-scaling group is apart from the strong one of the same class: its class token
        # (in file names and index.txt) is CLASS-weak.
        g = k SUBSEP (sc == "weak" ? c "-weak" : c)
        s = d (sched != "" && sched != "dynamic" ? " (" sched ")" : "")
    }
    if (!(g in group_seen)) {
        group_seen[g] = 1
        if (k == "fetch") has_fetch = 1
        else {
            ngroups++; group_list[ngroups] = g; group_kernel[g] = k
            group_class[g] = (sc == "weak" ? c "-weak" : c); group_weak[g] = (sc == "weak")
        }
    }
    gs = g SUBSEP s
    if (!(gs in series_seen)) {
        series_seen[gs] = 1
        nseries[g]++
        series_list[g, nseries[g]] = s
        series_driver[gs] = d
    }
    p = gs SUBSEP w SUBSEP r SUBSEP t
    if (!(p in point_seen)) {
        point_seen[p] = 1
        npoints[gs]++
        point_list[gs, npoints[gs]] = p
        point_w[p] = w; point_r[p] = r; point_t[p] = t
    }
    if (rep == 0) {                      # sweep.sh: this point failed; its first word says how
        wl = $col["warnings"]
        fail_status[p] = wl
        sub(/;.*/, "", fail_status[p])
        sub(/^[^;]*;?/, "", wl)
        add_words(p, wl)
        if (!(p in failed)) { nfail++; fail_list[nfail] = p }
        failed[p] = 1
        next
    }
    add_words(p, $col["warnings"])
    if ($col["verified"] != "1") unverified[p] = 1
    cs = $col["case"]
    if (!((p, cs) in case_seen)) {
        case_seen[p, cs] = 1
        ncases[p]++
        point_case[p, ++npcases[p]] = cs
        if (!((g, cs) in group_case_seen)) {
            group_case_seen[g, cs] = 1
            ngcases[g]++
            group_case[g, ngcases[g]] = cs
        }
    }
    # The same point, case and repetition again: a later round or run into the same
    # directory. Its repetitions count as further ones rather than adding up.
    rep = rep "." (++occurrence[p, cs, rep])
    if (!((p, rep) in rep_seen)) {
        rep_seen[p, rep] = 1
        nreps[p]++
        rep_list[p, nreps[p]] = rep
    }
    total[p, rep] += $col["wall_s"]
    cases_in[p, rep]++
    if (("ghz" in col) && $col["ghz"] + 0 > 0 && !((p, rep) in ghz_rep)) ghz_rep[p, rep] = $col["ghz"] + 0
    case_wall[p, cs, rep] = $col["wall_s"]
    if (k == "fetch") {
        # The embedded server's delay, from the case name, when meta.txt did not give it.
        if (delay_ms + 0 == 0 && match(cs, /delay_ms=[0-9]+/))
            delay_ms = substr(cs, RSTART + 9, RLENGTH - 9) + 0
        fetch_rps[p, rep] = $col["req_per_s"]
        fetch_p50[p, rep] = $col["p50_ms"]
        fetch_p99[p, rep] = $col["p99_ms"]
        fetch_err[p] += $col["errors"]
        fetch_req[p] = $col["requests"]
    }
}

# ---- helpers -----------------------------------------------------------------------------------

# TEXT with control bytes as \xHH, for a message.
function shown(text,    out, i, ch) {
    if (text !~ /[[:cntrl:]]/) return text
    for (i = 1; i <= length(text); i++) {
        ch = substr(text, i, 1)
        out = out ((ch in ctl) ? ctl[ch] : ch)
    }
    return out
}
function is_count(v) { return v ~ /^[0-9]+$/ && length(v) <= 9 }
# A finite decimal number >= 0 (awk would read "nan", "inf", "0x1p3" or "1e999" too).
function is_amount(v) {
    return v ~ /^([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/ && v + 0 < 1e300
}
# Why this row cannot be summarised, or "".
function row_fault(    f, n, i, name) {
    if (!is_count($col["rep"])) return "rep '" shown($col["rep"]) "' is not a whole number"
    n = split("workers ranks threads", f, " ")
    for (i = 1; i <= n; i++)
        if (!is_count($col[f[i]]) || $col[f[i]] + 0 < 1)
            return f[i] " '" shown($col[f[i]]) "' is not a whole number >= 1"
    if ($col["rep"] + 0 == 0) return ""   # sweep.sh's failure record: wall_s is not summed
    if (!is_amount($col["wall_s"]) || $col["wall_s"] + 0 <= 0)
        return "wall_s '" shown($col["wall_s"]) "' is not a positive number of seconds"
    if ($col["kernel"] != "fetch") return ""
    n = split("requests errors req_per_s p50_ms p99_ms", f, " ")
    for (i = 1; i <= n; i++) {
        name = f[i]
        if ((name in col) && $col[name] != "" && !is_amount($col[name]))
            return name " '" shown($col[name]) "' is not a number >= 0"
    }
    return ""
}

function add_words(p, text,    n, i, wd, parts) {
    n = split(text, parts, ";")
    for (i = 1; i <= n; i++) {
        wd = parts[i]
        if (wd == "" || (p, wd) in word_seen) continue
        word_seen[p, wd] = 1
        words[p] = words[p] (words[p] == "" ? "" : ", ") wd
    }
}

# The complete repetitions' times of point p into v[1..n], in the order run; n.
function point_times(p, v,    i, n, rp) {
    n = 0
    for (i = 1; i <= nreps[p]; i++) {
        rp = rep_list[p, i]
        if (cases_in[p, rp] == ncases[p]) v[++n] = total[p, rp]
    }
    return n
}

# Median, min and max of the complete repetitions of point p into stat_med/min/max[p], the
# median's bootstrap 95% interval into stat_lo/hi[p] (stats.awk), outlying repetitions into
# stat_out[p].
function point_stats(p,    n, v) {
    n = point_times(p, v)
    stat_n[p] = n
    if (n == 0) return 0
    stat_out[p] = count_outliers(v, n)
    sort_numbers(v, n)
    stat_min[p] = v[1]; stat_max[p] = v[n]
    stat_med[p] = sorted_median(v, n)
    median_ci(v, n)
    stat_lo[p] = stats_lo; stat_hi[p] = stats_hi
    return n
}

# The bootstrap 95% interval of the speedup median T(1) / median T(p), times scale (p for a weak
# group's scaled speedup): "[lo, hi]", or "-".
function speedup_ci(p1, p, scale,    a, b, na, nb) {
    na = point_times(p1, a); nb = point_times(p, b)
    if (na == 0 || nb == 0) return "-"
    ratio_ci(a, na, b, nb)
    return sprintf("[%.2f, %.2f]", scale * stats_lo, scale * stats_hi)
}

function median_of(arr, p,    i, n, v, rp) {
    n = 0
    for (i = 1; i <= nreps[p]; i++) {
        rp = rep_list[p, i]
        if ((p, rp) in arr && arr[p, rp] != "") v[++n] = arr[p, rp] + 0
    }
    if (n == 0) return ""
    sort_numbers(v, n)
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function case_median(p, cs,    i, n, v, rp) {
    n = 0
    for (i = 1; i <= nreps[p]; i++) {
        rp = rep_list[p, i]
        if ((p, cs, rp) in case_wall) v[++n] = case_wall[p, cs, rp] + 0
    }
    if (n == 0) return ""
    sort_numbers(v, n)
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# Seconds for people: enough digits to compare, no more.
function secs(x) {
    if (x == "") return "-"
    if (x >= 100) return sprintf("%.1f", x)
    if (x >= 1) return sprintf("%.3f", x)
    if (x >= 0.001) return sprintf("%.4f", x)
    return sprintf("%.3g", x)
}
function num(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
function dat(x) { return x == "" ? nan : sprintf("%.6g", x) }

# Points of series gs in order of workers (then ranks) into ord[1..n].
function ordered_points(gs, ord,    i, j, n, x) {
    n = npoints[gs]
    for (i = 1; i <= n; i++) ord[i] = point_list[gs, i]
    for (i = 2; i <= n; i++) {
        x = ord[i]
        for (j = i - 1; j >= 1 && (point_w[ord[j]] > point_w[x] ||
             (point_w[ord[j]] == point_w[x] && point_r[ord[j]] > point_r[x])); j--)
            ord[j + 1] = ord[j]
        ord[j + 1] = x
    }
    return n
}

# Series of group g in the drivers' canonical order into sl[1..n].
function ordered_series(g, sl,    i, j, n, x, rx, rj) {
    n = nseries[g]
    for (i = 1; i <= n; i++) sl[i] = series_list[g, i]
    for (i = 2; i <= n; i++) {
        x = sl[i]; rx = rank_of[series_driver[g, x]] + 0; if (rx == 0) rx = 99
        for (j = i - 1; j >= 1; j--) {
            rj = rank_of[series_driver[g, sl[j]]] + 0; if (rj == 0) rj = 99
            if (rj < rx || (rj == rx && sl[j] <= x)) break
            sl[j + 1] = sl[j]
        }
        sl[j + 1] = x
    }
    return n
}

# The series' one-worker point (for its median and fastest time), or "".
function one_worker_point(gs,    i, p) {
    for (i = 1; i <= npoints[gs]; i++) {
        p = point_list[gs, i]
        if (point_w[p] == 1 && !(p in failed) && stat_n[p] > 0) return p
    }
    return ""
}
function one_worker_time(gs,    p) {
    p = one_worker_point(gs)
    return p == "" ? "" : stat_med[p]
}

function file_name(s) {
    gsub(/[^A-Za-z0-9_.-]+/, "-", s)
    return s
}

function cases_label(g,    i, lab, cs) {
    lab = ""
    for (i = 1; i <= ngcases[g]; i++) {
        cs = group_case[g, i]
        if (i > 1) sub(/^n=/, "", cs)
        lab = lab (i > 1 ? "," : "") cs
    }
    return lab
}

# What sweep.sh's status words mean, for people.
function failure_text(wd) {
    if (wd == "failed") return "the run failed (exit 1)"
    if (wd == "usage") return "the driver refused the command line (exit 2)"
    if (wd == "not-built") return "driver not built"
    if (wd == "not-registered") return "kernel not registered in this driver"
    if (wd == "timeout") return "timed out"
    if (wd == "crashed") return "crashed (killed by a signal)"
    if (wd == "no-rows") return "exit 0 but wrote no rows"
    return wd
}

function status_of(p) {
    if (p in failed) return "FAILED: " failure_text(fail_status[p])
    if (p in unverified) return "NO"
    return "yes"
}

# ---- writing -----------------------------------------------------------------------------------

END {
    if (bad_input) exit 2
    if (NR <= 1) {
        printf "plot: no rows to summarise (the CSV holds only its header)\n" > "/dev/stderr"
        exit 1
    }
    index_file = data "/index.txt"
    headline = data "/headline.txt"
    printf "" > index_file
    printf "" > headline
    print "# " title > summary
    if (meta_md != "") print meta_md > summary
    if (nskipped > 0)
        printf "- **Skipped**: %d row(s) of rows.csv whose values cannot be right (a wall_s that is not a positive finite number, ...): plot.sh named each, by file and line, on stderr\n", nskipped > summary
    print "" > summary
    print "How to read this: speedup S(p) = T(1) / T(p), from the median wall time over the timed" > summary
    print "repetitions (a point's time is the sum of its cases). T(1) is the **same driver at one worker**" > summary
    print "(\"speedup\") or **cpu_serial** (\"vs cpu_serial\"). \"Best-run speedup\" divides the fastest" > summary
    print "repetitions instead: on shared cores the run least disturbed. Efficiency E = S / p. Karp-Flatt" > summary
    print "e = (1/S - 1/p) / (1 - 1/p) is the serial fraction the measurement implies: an e that grows" > summary
    print "with p is overhead, not serial code. The Amdahl fit f is the least-squares serial fraction" > summary
    print "over the points within the " cores " physical cores; its curve is a model, not a measurement." > summary
    print "Oversubscribed points (more workers than cores) measure time-slicing and are not fitted." > summary
    print "" > summary
    print "Strong scaling keeps the problem and adds workers: Amdahl's law S = 1 / (f + (1 - f) / p) bounds" > summary
    print "it by the serial fraction f. Weak scaling (sweep.sh --scaling weak) grows the problem with the" > summary
    print "workers: Gustafson's law S = p - s (p - 1), s the serial share of the parallel run, says how far" > summary
    print "the larger problem keeps p workers busy. The 95% CI columns are bootstrap intervals over the" > summary
    print "repetitions (2000 resamples, a fixed seed): with 3 repetitions they show the spread seen, not" > summary
    print "the spread possible. A repetition is an outlier when its modified z-score (0.6745 |t - median|" > summary
    print "/ MAD) is above 3.5. GHz is the median clock of the point's workers, probed before and after it" > summary
    print "(a chain of dependent multiplies, or perf's cycles); efficiency at clock = efficiency x GHz(1) /" > summary
    print "GHz(p): what the code alone would have scaled to had the clock not changed." > summary

    for (gi = 1; gi <= ngroups; gi++) write_group(group_list[gi])
    write_karp_flatt()
    if (has_fetch) write_fetch("fetch")
    write_failures()
    close(index_file)
    close(headline)
    close(summary)
}

# The sizes point p ran, "1000000" or "5,10,16" (a weak group's points differ).
function point_sizes(p,    i, lab, cs) {
    lab = ""
    for (i = 1; i <= npcases[p]; i++) {
        cs = point_case[p, i]
        sub(/^n=/, "", cs)
        lab = lab (i > 1 ? "," : "") cs
    }
    return lab
}

function write_group(g,    t1min, best, clamp, best_p, k, c, cname, weak, label, ns, sl, si, s, gs, n, ord, i, p, t1, tser,
                           ser_gs, sp, lo, hi, ssp, slo, shi, eff, kf, pw, sx2, sxy, x, y, f, nf, p1, g1, gp, effc,
                           file, maxw, j, line, fitted, s1ser, fline, cline, nout, law, sci, scale) {
    k = group_kernel[g]; c = group_class[g]; weak = group_weak[g]
    cname = weak ? substr(c, 1, length(c) - 5) : c
    label = weak ? "sizes grown with the workers: the n column" : cases_label(g)
    law = weak ? "gustafson" : "amdahl"
    ns = ordered_series(g, sl)
    for (si = 1; si <= ns; si++) {
        gs = g SUBSEP sl[si]
        for (i = 1; i <= npoints[gs]; i++) point_stats(point_list[gs, i])
    }
    ser_gs = g SUBSEP "cpu_serial"
    tser = (ser_gs in series_seen) ? one_worker_time(ser_gs) : ""

    printf "\n## %s, class %s (%s)%s\n\n", k, cname, label, weak ? ", weak scaling" : "" > summary
    printf "![%s of %s against each driver at one worker](%s/speedup-%s-%s.png)\n", weak ? "scaled speedup" : "speedup", k, figs, file_name(k), file_name(c) > summary
    if (tser != "")
        printf "![%s of %s against cpu_serial](%s/speedup-serial-%s-%s.png)\n", weak ? "scaled speedup" : "speedup", k, figs, file_name(k), file_name(c) > summary
    printf "![efficiency of %s](%s/efficiency-%s-%s.png)\n\n", k, figs, file_name(k), file_name(c) > summary
    if (weak) {
        print "Weak scaling: at p workers the kernel ran p times the work of one worker (its model of work" > summary
        print "in meta.txt, the n of each point below), so an ideal machine takes the same time at every p." > summary
        print "Weak efficiency E = T(1) / T(p); scaled speedup p E, the time the p-fold problem would take" > summary
        print "one worker over the time p took. Gustafson's law S = p - s (p - 1) is fitted for s, the" > summary
        print "serial share of the parallel run's time, over the points within the cores.\n" > summary
    }
    if (tser == "")
        print "No verified cpu_serial run of this kernel and class: no speedup against cpu_serial.\n" > summary
    if (weak) {
        print "| driver | ranks x threads | workers | n | reps | median s | 95% CI s | min s | max s | scaled speedup | 95% CI | best-run | vs cpu_serial | weak efficiency | GHz | efficiency at clock | verified | warnings |" > summary
        print "|---|---|---:|---|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|" > summary
    } else {
        print "| driver | ranks x threads | workers | reps | median s | 95% CI s | min s | max s | speedup | 95% CI | best-run speedup | vs cpu_serial | efficiency | GHz | efficiency at clock | Karp-Flatt | verified | warnings |" > summary
        print "|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|" > summary
    }

    maxw = 0
    fline = ""; cline = ""; nout = 0
    for (si = 1; si <= ns; si++) {
        s = sl[si]; gs = g SUBSEP s
        n = ordered_points(gs, ord)
        p1 = one_worker_point(gs)
        t1 = p1 == "" ? "" : stat_med[p1]
        t1min = t1 == "" ? "" : stat_min[p1]
        g1 = p1 == "" ? "" : median_of(ghz_rep, p1)
        file = "cpu-" file_name(k) "-" file_name(c) "-" file_name(s) ".dat"
        print "# " s " running " k " class " c " (" label "): one line per worker count" > (data "/" file)
        if (weak) print "# weak scaling: speedup columns hold the scaled speedup p T(1) / T(p), efficiency T(1) / T(p)" > (data "/" file)
        print "# workers ranks threads reps median_s min_s max_s speedup lo hi speedup_serial lo hi efficiency lo hi karp_flatt oversubscribed" > (data "/" file)
        sx2 = 0; sxy = 0; nf = 0; best_p = ""
        for (i = 1; i <= n; i++) {
            p = ord[i]; pw = point_w[p]
            if (pw > maxw) maxw = pw
            # The headline point: the most workers within the cores that ran and verified.
            if (t1 != "" && stat_n[p] > 0 && !(p in failed) && !(p in unverified) && pw <= cores) best_p = p
            sp = lo = hi = ssp = slo = shi = eff = kf = best = effc = ""; sci = "-"
            # Weak: every time ratio counts p times the work, so speedups are scaled by p.
            scale = weak ? pw : 1
            gp = median_of(ghz_rep, p)
            if (stat_n[p] > 0 && !(p in failed)) {
                if (t1 != "") {
                    sp = scale * t1 / stat_med[p]; lo = scale * t1 / stat_max[p]; hi = scale * t1 / stat_min[p]
                    best = scale * t1min / stat_min[p]
                    eff = sp / pw
                    sci = speedup_ci(p1, p, scale)
                    if (g1 != "" && gp != "") effc = eff * g1 / gp
                    if (!weak && pw > 1) kf = (1 / sp - 1 / pw) / (1 - 1 / pw)
                    if (pw > 1 && pw <= cores) {
                        # Amdahl: 1/S - 1/p = f (1 - 1/p); Gustafson: p - S = s (p - 1).
                        if (weak) { x = pw - 1; y = pw - sp }
                        else { x = 1 - 1 / pw; y = 1 / sp - 1 / pw }
                        sx2 += x * x; sxy += x * y; nf++
                        if (g1 != "" && gp != "" && gp < 0.95 * g1)
                            cline = cline sprintf("- %s at %d workers: %.2f GHz against %.2f GHz at one worker (%+.0f%%): efficiency at the measured clock is %.2f, against %.2f plain\n", s, pw, gp, g1, 100 * (gp / g1 - 1), effc, eff)
                    }
                }
                if (tser != "") { ssp = scale * tser / stat_med[p]; slo = scale * tser / stat_max[p]; shi = scale * tser / stat_min[p] }
                printf "%d %d %d %d %s %s %s %s %s %s %s %s %s %s %s %s %s %d\n", pw, point_r[p], point_t[p],
                    stat_n[p], dat(stat_med[p]), dat(stat_min[p]), dat(stat_max[p]), dat(sp), dat(lo), dat(hi),
                    dat(ssp), dat(slo), dat(shi), dat(eff), dat(lo == "" ? "" : lo / pw),
                    dat(hi == "" ? "" : hi / pw), dat(kf), (pw > cores ? 1 : 0) > (data "/" file)
            }
            if (stat_out[p] > 0) { add_words(p, sprintf("outliers: %d of %d reps", stat_out[p], stat_n[p])); nout++ }
            line = sprintf("| %s | %d x %d | %d |", s, point_r[p], point_t[p], pw)
            if (weak) line = line " " point_sizes(p) " |"
            line = line sprintf(" %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |", stat_n[p], secs(stat_n[p] ? stat_med[p] : ""),
                stat_n[p] ? "[" secs(stat_lo[p]) ", " secs(stat_hi[p]) "]" : "-",
                secs(stat_n[p] ? stat_min[p] : ""), secs(stat_n[p] ? stat_max[p] : ""), num(sp, "%.2f"), sci,
                num(best, "%.2f"), num(ssp, "%.2f"), num(eff, "%.2f"))
            line = line sprintf(" %s | %s |", num(gp, "%.2f"), num(effc, "%.2f"))
            if (!weak) line = line " " num(kf, "%.3f") " |"
            print line " " status_of(p) " | " words[p] " |" > summary
        }
        close(data "/" file)
        fitted = ""; clamp = ""
        if (nf > 0 && sx2 > 0) {
            f = sxy / sx2
            # Outside [0, 1] the law cannot explain the times: say so, draw the bound.
            clamp = ""
            if (f < 0) { clamp = sprintf(" (clamped from %.3f: faster than linear)", f); f = 0 }
            if (f > 1) { clamp = sprintf(" (clamped from %.3f: slower with more workers)", f); f = 1 }
            fitted = sprintf("%.4f", f)
            if (weak)
                fline = fline sprintf("- %s: s = %.3f%s from %d point%s within %d cores; scaled speedup at %d workers by the law: %.1f\n",
                    s, f, clamp, nf, nf == 1 ? "" : "s", cores, 4 * cores, 4 * cores - f * (4 * cores - 1))
            else
                fline = fline sprintf("- %s: f = %.3f%s from %d point%s within %d cores; Amdahl's limit 1/f = %s\n",
                    s, f, clamp, nf, nf == 1 ? "" : "s", cores, f > 0 ? sprintf("%.1f", 1 / f) : "unbounded")
        }
        if (best_p != "" && s != "cpu_serial") {
            if (weak)
                printf "%-8s %-7s %-12s weak efficiency %4.2f at %d workers%s\n", k, c, s,
                    t1 / stat_med[best_p], point_w[best_p], (fitted == "" ? "" : sprintf(", Gustafson s = %.3f", fitted)) > headline
            else
                printf "%-8s %-2s %-12s speedup %5.2f at %d workers (efficiency %.2f)%s\n", k, c, s,
                    t1 / stat_med[best_p], point_w[best_p], t1 / stat_med[best_p] / point_w[best_p],
                    (fitted == "" ? "" : sprintf(", Amdahl f = %.3f", fitted)) > headline
        }
        s1ser = (tser != "" && t1 != "") ? sprintf("%.6g", tser / t1) : ""
        # series: kernel class name driver file fitted fit_points speedup_of_one_worker_vs_serial clamp law
        printf "series|%s|%s|%s|%s|%s|%s|%d|%s|%s|%s\n", k, c, s, series_driver[gs], file, fitted, nf, s1ser,
            (clamp == "" ? "" : (f == 0 ? "faster than linear" : "slower in parallel")), law > index_file
    }
    printf "group|%s|%s|%s|%d|%s|%s\n", k, c, label, maxw, (tser == "" ? "" : sprintf("%.6g", tser)), weak ? "weak" : "strong" > index_file
    if (fline != "") {
        if (weak) printf "\nGustafson fit (serial share s of the parallel run, from the scaled speedup against the same driver):\n\n%s", fline > summary
        else printf "\nAmdahl fit (serial fraction f, from the speedup against the same driver):\n\n%s", fline > summary
    }
    if (cline != "")
        printf "\n**Clock**: the cores ran slower with more workers (clock probe, counter %s; more than 5%% below one worker's): part of the lost efficiency is the clock, not the code:\n\n%s", (clock_counter == "" ? "unknown" : clock_counter), cline > summary
    if (nout > 0)
        printf "\n**Outliers**: %d point%s had repetitions far from their median (modified z-score above 3.5; the warnings column counts them): other work on the cores, or caches and clocks warming up. Consider --warmup, --rounds or idle cores.\n", nout, nout == 1 ? "" : "s" > summary

    if (ngcases[g] > 1 && !weak) {
        printf "\nMedian wall seconds per case:\n\n| driver | workers |" > summary
        for (j = 1; j <= ngcases[g]; j++) printf " %s |", group_case[g, j] > summary
        printf "\n|---|---:|" > summary
        for (j = 1; j <= ngcases[g]; j++) printf "---:|" > summary
        printf "\n" > summary
        for (si = 1; si <= ns; si++) {
            gs = g SUBSEP sl[si]
            n = ordered_points(gs, ord)
            for (i = 1; i <= n; i++) {
                p = ord[i]
                if (stat_n[p] == 0) continue
                line = sprintf("| %s | %d |", sl[si], point_w[p])
                for (j = 1; j <= ngcases[g]; j++) line = line " " secs(case_median(p, group_case[g, j])) " |"
                print line > summary
            }
        }
    }
}

# Karp-Flatt side by side, a table per parallel driver: kernels in rows, worker counts within
# the cores in columns. Flat across a row is a serial part; growing is overhead that more workers
# add (a stencil's halo exchanges and barriers every step; a reduction's tree).
function write_karp_flatt(    nw, wl, w, i, di, d, gi, g, line, any, ns, sl, si, gs, t1, n, ord, p,
                              pw, sp) {
    # each driver's first series per kernel and class, its points within the cores
    for (gi = 1; gi <= ngroups; gi++) {
        g = group_list[gi]
        ns = ordered_series(g, sl)
        for (si = 1; si <= ns; si++) {
            gs = g SUBSEP sl[si]
            t1 = one_worker_time(gs)
            n = ordered_points(gs, ord)
            for (i = 1; i <= n && t1 != ""; i++) {
                p = ord[i]; pw = point_w[p]
                if (pw < 2 || pw > cores || stat_n[p] == 0 || (p in failed)) continue
                if ((g, series_driver[gs], pw) in kf_of) continue
                sp = t1 / stat_med[p]
                kf_of[g, series_driver[gs], pw] = (1 / sp - 1 / pw) / (1 - 1 / pw)
                kf_workers[pw] = 1
                kf_driver[series_driver[gs]] = 1
            }
        }
    }
    nw = 0
    for (w in kf_workers) wl[++nw] = w + 0
    sort_numbers(wl, nw)
    if (nw == 0) return
    printf "\n## Karp-Flatt e(p) by kernel\n\n" > summary
    print "The serial fraction each kernel's speedup implies, against the same driver at one worker," > summary
    print "within the cores. A row that stays flat has a serial part; a row that grows with p pays an" > summary
    print "overhead that more workers add: communication and synchronisation (a stencil's halo" > summary
    print "exchange and barrier every step), not serial code." > summary
    for (di = 1; di in order; di++) {
        d = order[di]
        if (!(d in kf_driver)) continue
        printf "\n%s:\n\n| kernel | class |", d > summary
        for (i = 1; i <= nw; i++) printf " p=%d |", wl[i] > summary
        printf "\n|---|---|" > summary
        for (i = 1; i <= nw; i++) printf "---:|" > summary
        printf "\n" > summary
        for (gi = 1; gi <= ngroups; gi++) {
            g = group_list[gi]
            line = sprintf("| %s | %s |", group_kernel[g], group_class[g]); any = 0
            for (i = 1; i <= nw; i++) {
                if ((g, d, wl[i]) in kf_of) { line = line sprintf(" %.3f |", kf_of[g, d, wl[i]]); any = 1 }
                else line = line " - |"
            }
            if (any) print line > summary
        }
    }
}

# The best a client can do at concurrency c: ceil(N/c) rounds of one request each, a request
# costing what it cost io_serial (else the server's delay).
function fetch_ideal(c, t1, nreq) {
    if (t1 != "" && nreq > 0) return t1 / nreq * int((nreq + c - 1) / c)
    if (t1 != "") return t1 / c
    if (requests > 0 && delay_ms > 0) return delay_ms / 1000 * int((requests + c - 1) / c)
    return ""
}

function write_fetch(g,    best_p, ns, sl, si, s, gs, n, ord, i, p, file, maxc, t1, nreq, ideal, pw, errs,
                           levels, nlev, lev_seen, ser) {
    ns = ordered_series(g, sl)
    t1 = ""; nreq = requests + 0; nlev = 0
    for (si = 1; si <= ns; si++) {
        gs = g SUBSEP sl[si]
        for (i = 1; i <= npoints[gs]; i++) {
            p = point_list[gs, i]
            point_stats(p)
            if (!(point_w[p] in lev_seen)) { lev_seen[point_w[p]] = 1; levels[++nlev] = point_w[p] }
        }
    }
    ser = g SUBSEP "io_serial"
    if (ser in series_seen) {
        t1 = one_worker_time(ser)
        for (i = 1; i <= npoints[ser]; i++)
            if ((point_list[ser, i]) in fetch_req) nreq = fetch_req[point_list[ser, i]] + 0
    }
    sort_numbers(levels, nlev)
    printf "\n## fetch: %s requests at %s ms delay\n\n", (nreq > 0 ? nreq : "?"), (delay_ms > 0 ? delay_ms : "?") > summary
    printf "![fetch wall time against concurrency](%s/fetch.png)\n\n", figs > summary
    if (t1 != "")
        print "Ideal: ceil(requests / concurrency) rounds, each as long as one of io_serial's requests." > summary
    else if (requests > 0 && delay_ms > 0)
        print "Ideal: ceil(requests / concurrency) rounds of the server's delay (no io_serial run to scale from)." > summary
    print "" > summary
    print "| driver | concurrency | reps | median s | min s | max s | ideal s | req/s | p50 ms | p99 ms | errors | verified | warnings |" > summary
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|" > summary
    maxc = 0
    for (si = 1; si <= ns; si++) {
        s = sl[si]; gs = g SUBSEP s
        n = ordered_points(gs, ord)
        file = "fetch-" file_name(s) ".dat"
        print "# " s " fetching: one line per concurrency level" > (data "/" file)
        print "# concurrency reps median_s min_s max_s req_per_s p50_ms p99_ms errors" > (data "/" file)
        for (i = 1; i <= n; i++) {
            p = ord[i]; pw = point_w[p]
            if (pw > maxc) maxc = pw
            ideal = fetch_ideal(pw, t1, nreq)
            errs = (p in fetch_err) ? fetch_err[p] : ""
            if (stat_n[p] > 0 && !(p in failed))
                printf "%d %d %s %s %s %s %s %s %s\n", pw, stat_n[p], dat(stat_med[p]), dat(stat_min[p]),
                    dat(stat_max[p]), dat(median_of(fetch_rps, p)), dat(median_of(fetch_p50, p)),
                    dat(median_of(fetch_p99, p)), (errs == "" ? 0 : errs) > (data "/" file)
            printf "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s, pw, stat_n[p],
                secs(stat_n[p] ? stat_med[p] : ""), secs(stat_n[p] ? stat_min[p] : ""),
                secs(stat_n[p] ? stat_max[p] : ""), secs(ideal), num(median_of(fetch_rps, p), "%.0f"),
                num(median_of(fetch_p50, p), "%.1f"), num(median_of(fetch_p99, p), "%.1f"),
                (errs == "" ? "-" : errs), status_of(p), words[p] > summary
        }
        close(data "/" file)
        printf "fseries|%s|%s|%s\n", s, series_driver[gs], file > index_file
        best_p = ""
        for (i = 1; i <= n; i++)
            if (stat_n[ord[i]] > 0 && !(ord[i] in failed) && (best_p == "" || stat_med[ord[i]] < stat_med[best_p])) best_p = ord[i]
        if (best_p != "")
            printf "fetch       %-12s %.3f s at concurrency %d (ideal %s s)\n", s, stat_med[best_p], point_w[best_p],
                secs(fetch_ideal(point_w[best_p], t1, nreq)) > headline
    }
    file = "fetch-ideal.dat"
    print "# the ideal wall time at each concurrency level (see summary.md)" > (data "/" file)
    for (i = 1; i <= nlev; i++) {
        ideal = fetch_ideal(levels[i], t1, nreq)
        if (ideal != "") printf "%d %s\n", levels[i], dat(ideal) > (data "/" file)
    }
    close(data "/" file)
    # fetch: largest level, io_serial's time, the delay floor in s, requests, delay in ms, ideal file
    printf "fetch|%d|%s|%s|%s|%s|%s\n", maxc, (t1 == "" ? "" : sprintf("%.6g", t1)),
        (delay_ms > 0 ? delay_ms / 1000 : ""), (nreq > 0 ? nreq : ""), (delay_ms > 0 ? delay_ms : ""), file > index_file
}

function write_failures(    i, p, parts) {
    if (nfail == 0) return
    print "\n## Failed points\n" > summary
    print "The sweep recorded these and went on (points.csv and logs/ say more):\n" > summary
    print "| driver | kernel | class | ranks x threads | workers | status |" > summary
    print "|---|---|---|---|---:|---|" > summary
    for (i = 1; i <= nfail; i++) {
        p = fail_list[i]
        split(p, parts, SUBSEP)
        if (parts[1] == "fetch")
            printf "| %s | fetch | - | %d x %d | %d | %s |\n", parts[2], point_r[p], point_t[p], point_w[p], failure_text(fail_status[p]) > summary
        else
            printf "| %s | %s | %s | %d x %d | %d | %s |\n", parts[3], parts[1], parts[2], point_r[p], point_t[p], point_w[p], failure_text(fail_status[p]) > summary
    }
}
