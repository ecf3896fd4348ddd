# stats.awk: what summary.md and compare.sh share (POSIX awk; loaded with -f before the script
# that uses it): reading a rows.csv header, medians with bootstrap confidence intervals, outlying
# repetitions, and the Mann-Whitney U rank test.
#
# The bootstrap resamples the repetitions with replacement (2000 times, a fixed seed, so a run
# always says the same) and takes the 2.5th and 97.5th percentiles of the resampled statistic:
# a 95% interval that assumes nothing about the shape of the times. With few repetitions it is
# narrow because it cannot see what did not happen: 3 repetitions give at most 10 distinct
# medians. The random numbers are our own (Park-Miller), so every awk draws the same ones.

# The current line as a rows.csv header: col[name] = its field number. Returns the first of the
# space-separated `required` names it lacks, or "".
function read_header(required,    i, n, req) {
    delete col
    for (i = 1; i <= NF; i++) col[$i] = i
    n = split(required, req, " ")
    for (i = 1; i <= n; i++)
        if (!(req[i] in col)) return req[i]
    return ""
}

function stats_random(    ) {
    if (stats_seed == 0) stats_seed = 20261204
    stats_seed = (stats_seed * 16807) % 2147483647
    return stats_seed / 2147483647
}

# Sorts v[1..n] ascending, numerically (insertion sort: a handful of values).
function sort_numbers(v, n,    i, j, x) {
    for (i = 2; i <= n; i++) {
        x = v[i]
        for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
        v[j + 1] = x
    }
}

# The median of v[1..n], which must be sorted.
function sorted_median(v, n) { return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }

# The median of a resample of v[1..n] with replacement.
function resampled_median(v, n,    i, r) {
    for (i = 1; i <= n; i++) r[i] = v[1 + int(stats_random() * n)]
    sort_numbers(r, n)
    return sorted_median(r, n)
}

# The percentile q (0..1) of sorted s[1..n], interpolated.
function percentile(s, n, q,    h, i) {
    h = 1 + (n - 1) * q
    i = int(h)
    return i >= n ? s[n] : s[i] + (h - i) * (s[i + 1] - s[i])
}

# Bootstrap 95% interval of the median of v[1..n]: into stats_lo and stats_hi.
function median_ci(v, n,    b, m, B) {
    B = 2000
    for (b = 1; b <= B; b++) m[b] = resampled_median(v, n)
    sort_numbers(m, B)
    stats_lo = percentile(m, B, 0.025); stats_hi = percentile(m, B, 0.975)
}

# Bootstrap 95% interval of median(num) / median(den), each resampled on its own: into stats_lo
# and stats_hi (a speedup: den the p-worker times, num the one-worker times).
function ratio_ci(num, nn, den, nd,    b, m, B) {
    B = 2000
    for (b = 1; b <= B; b++) m[b] = resampled_median(num, nn) / resampled_median(den, nd)
    sort_numbers(m, B)
    stats_lo = percentile(m, B, 0.025); stats_hi = percentile(m, B, 0.975)
}

# How many of v[1..n] are outliers, as hyperfine and the robust-statistics texts count them: a
# modified z-score 0.6745 |x - median| / MAD above 3.5 (Iglewicz and Hoaglin). Needs 3 values and
# a MAD above zero. stats_outliers holds their 1-based positions in v, comma-separated.
function count_outliers(v, n,    s, i, med, dev, mad, k) {
    stats_outliers = ""
    if (n < 3) return 0
    for (i = 1; i <= n; i++) s[i] = v[i]
    sort_numbers(s, n)
    med = sorted_median(s, n)
    for (i = 1; i <= n; i++) dev[i] = (v[i] > med ? v[i] - med : med - v[i])
    for (i = 1; i <= n; i++) s[i] = dev[i]
    sort_numbers(s, n)
    mad = sorted_median(s, n)
    if (mad <= 0) return 0
    k = 0
    for (i = 1; i <= n; i++)
        if (0.6745 * dev[i] / mad > 3.5) { k++; stats_outliers = stats_outliers (k > 1 ? "," : "") i }
    return k
}

# Mann-Whitney U of b against a: the pairs where b is larger, ties counting one half. Returns
# the two-sided p-value that a and b come from one distribution: exact (the count of orderings)
# up to 400 pairs, else the normal approximation with a continuity correction. stats_u holds U,
# stats_pmin the smallest p these sample sizes can give (above alpha: the test cannot decide).
function mann_whitney(a, na, b, nb,    i, j, u, mu, sd, z, p, lo, hi) {
    u = 0
    for (i = 1; i <= na; i++)
        for (j = 1; j <= nb; j++)
            u += (b[j] > a[i]) ? 1 : (b[j] == a[i] ? 0.5 : 0)
    stats_u = u
    if (na * nb <= 400) {
        u_counts(na, nb)
        lo = u_tail(na, nb, u, -1); hi = u_tail(na, nb, u, 1)
        p = 2 * (lo < hi ? lo : hi)
        stats_pmin = 2 * u_tail(na, nb, 0, -1)
        return p > 1 ? 1 : p
    }
    mu = na * nb / 2; sd = sqrt(na * nb * (na + nb + 1) / 12)
    z = (u > mu ? u - mu - 0.5 : (u < mu ? mu - u - 0.5 : 0)) / sd
    stats_pmin = 0
    return normal_tail2(z)
}

# u_count[i, j, k]: orderings of i values of a and j of b with U = k (no ties): the recurrence on
# which sample holds the largest value. Built once per size pair.
function u_counts(na, nb,    i, j, k) {
    if ((na, nb) in u_built) return
    u_built[na, nb] = 1
    for (i = 0; i <= na; i++)
        for (j = 0; j <= nb; j++)
            for (k = 0; k <= i * j; k++) {
                if (i == 0 || j == 0) { u_count[i, j, k] = (k == 0); continue }
                # the largest value is b's: it beats all i of a's; else it is a's: beats none
                u_count[i, j, k] = (k >= i ? u_count[i, j - 1, k - i] : 0) + u_count[i - 1, j, k]
            }
}
# P(U <= u) (dir -1) or P(U >= u) (dir 1) under the null.
function u_tail(na, nb, u, dir,    k, all, part) {
    all = 0; part = 0
    for (k = 0; k <= na * nb; k++) {
        all += u_count[na, nb, k]
        if ((dir < 0 && k <= u + 1e-9) || (dir > 0 && k >= u - 1e-9)) part += u_count[na, nb, k]
    }
    return part / all
}
# Two-sided tail of the standard normal beyond |z| (Abramowitz and Stegun 7.1.26, error < 1.5e-7).
function normal_tail2(z,    t, e) {
    if (z < 0) z = -z
    t = 1 / (1 + 0.3275911 * z / sqrt(2))
    e = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return e * exp(-z * z / 2)
}
