# The lesson: one sweep's rows of the same product and the same requests, per language and
# execution model (scripts/run.sh's lesson pass, DIR/lesson/rows.csv). Writes the bars each
# picture draws (data/lesson-product.dat, data/lesson-fetch.dat), the table summary.md gets
# (lesson.md) and the verdicts on the lesson's claims (lesson-headline.txt).
# Variables: data (directory for the outputs).
BEGIN {
  FS = ","
  # driver | panel | language | the model, as a teacher says it (order: the picture's, left to right)
  n = split("py_serial_tasks|product|Python|serial: the lesson's program (one task per n);" \
            "py_threads_tasks|product|Python|threads, one task per n (ThreadPoolExecutor);" \
            "py_processes_tasks|product|Python|processes, one task per n (ProcessPoolExecutor);" \
            "py_serial|product|Python|serial, corescale's items;" \
            "py_threads|product|Python|threads, items;" \
            "py_processes|product|Python|processes, items;" \
            "cpu_serial|product|C|serial;" \
            "cpu_omp|product|C|OpenMP threads, items;" \
            "py_fetch_serial|fetch|Python|one by one (requests.Session);" \
            "py_fetch_threads|fetch|Python|threads (ThreadPoolExecutor of requests);" \
            "py_fetch_async|fetch|Python|asyncio (aiohttp);" \
            "io_serial|fetch|C|one by one (libcurl);" \
            "io_threads|fetch|C|threads (a libcurl handle each);" \
            "io_async|fetch|C|event loop (libcurl multi)", spec, ";")
  for (i = 1; i <= n; i++) {
    split(spec[i], f, "|")
    order[i] = f[1]; panel[f[1]] = f[2]; lang[f[1]] = f[3]; model[f[1]] = f[4]
  }
}
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
  d = $c["driver"]
  if (!(d in panel) || $c["rep"] == 0) { if (d in panel) failed[d] = 1; next }
  if ($c["verified"] != 1) failed[d] = 1
  # A repetition's time is its cases' sum: the whole class, as the lesson timed it.
  key = d SUBSEP $c["rep"]
  if (!(key in rep_s)) { reps[d]++; rep_list[d, reps[d]] = $c["rep"] }
  rep_s[key] += $c["wall_s"]
  workers[d] = $c["workers"]
  if (d ~ /fetch|^io_/) { requests[d] = $c["requests"]; casetext[d] = $c["case"] }
  else casetext[d] = $c["class"]
}
function median(d,    k, m, v, i, j, t) {
  m = reps[d]
  for (i = 1; i <= m; i++) v[i] = rep_s[d, rep_list[d, i]]
  for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
  return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function fmt_x(x) { return x >= 100 ? sprintf("%.0fx", x) : x >= 10 ? sprintf("%.1fx", x) : sprintf("%.2fx", x) }
END {
  for (i = 1; i <= n; i++) { d = order[i]; if ((d in reps) && !(d in failed)) t[d] = median(d) }
  base["product"] = "py_serial_tasks"; base["fetch"] = "py_fetch_serial"
  md = data "/lesson.md"
  print "## The lesson: Python's threads, processes and asyncio beside C" > md
  print "" > md
  print "corescale began as a lesson about Python: a CPU-bound product runs no faster on threads (the GIL lets one run Python at a time), faster on processes, and a list of web requests runs far faster on threads or asyncio than one by one. These rows are the same product and the same requests, each run once (scripts/run.sh's lesson pass, `lesson/rows.csv`); speedups are against the Python serial run of each panel. The picture: `plots/lesson.png`." > md
  for (p = 1; p <= 2; p++) {
    pn = p == 1 ? "product" : "fetch"
    b = base[pn]
    print "" > md
    if (pn == "product")
      print "**The class W product** (n = 50, 63, 32; every result checked against ((n-1)!)^(3(n-1)^2), the items' digests equal to cpu_serial's):" > md
    else
      print "**" (requests[b] ? requests[b] : "The") " requests** against io_server (" casetext[b] "); ideal = ceil(requests / concurrency) x the delay:" > md
    print "" > md
    if (pn == "product") {
      print "| language | execution model | driver | workers | time (s) | speedup |" > md
      print "|----------|-----------------|--------|--------:|---------:|--------:|" > md
    } else {
      print "| language | execution model | driver | concurrency | time (s) | ideal (s) | speedup |" > md
      print "|----------|-----------------|--------|------------:|---------:|----------:|--------:|" > md
    }
    dat = data "/lesson-" pn ".dat"
    print "# x\tlabel\ttime_s\tspeedup_text\tcolour (Python 1, C 0)" > dat
    x = 0
    for (i = 1; i <= n; i++) {
      d = order[i]
      if (panel[d] != pn || !((d in reps) || (d in failed))) continue
      if (d in failed) {
        print "| " lang[d] " | " model[d] " | " d " | " workers[d] " | FAILED |" (pn == "fetch" ? " |" : "") " |" > md
        continue
      }
      sp = (b in t) && t[d] > 0 ? fmt_x(t[b] / t[d]) : ""
      ideal = ""
      if (pn == "fetch" && match(casetext[d], /delay_ms=[0-9]+/) && workers[d] > 0)
        ideal = " " sprintf("%.3f", int((requests[d] + workers[d] - 1) / workers[d]) * substr(casetext[d], RSTART + 9, RLENGTH - 9) / 1000) " |"
      print "| " lang[d] " | " model[d] " | " d " | " workers[d] " | " sprintf("%.3f", t[d]) " |" ideal " " sp " |" > md
      label = lang[d] ": " model[d]
      sub(/ \(.*\)$/, "", label)
      if (workers[d] > 1) label = label " (" workers[d] ")"
      printf "%d\t\"%s\"\t%.6f\t\"%s\"\t%d\n", x++, label, t[d], sp, lang[d] == "Python" > dat
    }
    close(dat)
  }
  # The lesson's claims, each checked against these rows.
  hl = data "/lesson-headline.txt"
  if (("py_serial_tasks" in t) && ("py_threads_tasks" in t))
    printf "lesson: Python threads on the product %.2fx Python serial (the GIL: no faster, within noise if near 1)\n", t["py_serial_tasks"] / t["py_threads_tasks"] > hl
  if (("py_processes" in t) && ("py_processes_tasks" in t))
    printf "lesson: Python processes with items %.1fx faster than with one task per n\n", t["py_processes_tasks"] / t["py_processes"] > hl
  if (("py_serial_tasks" in t) && ("cpu_serial" in t))
    printf "lesson: C serial %.0fx faster than the lesson's Python serial program\n", t["py_serial_tasks"] / t["cpu_serial"] > hl
  if (("py_fetch_serial" in t) && ("py_fetch_async" in t) && ("py_fetch_threads" in t))
    printf "lesson: Python fetch: asyncio %.1fx, threads %.1fx the serial requests\n", t["py_fetch_serial"] / t["py_fetch_async"], t["py_fetch_serial"] / t["py_fetch_threads"] > hl
  close(hl)
  print "" > md
  while ((getline line < hl) > 0) print "- " substr(line, 9) > md
  close(md)
}
