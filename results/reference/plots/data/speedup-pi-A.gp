# speedup-pi-A: drawn by scripts/plot.sh from the .dat files beside this one
set datafile missing "NaN"
set grid lc rgb "#dddddd"
set key top left box opaque Left reverse samplen 3 spacing 1.1 width 1
set border lc rgb "#444444"
set xlabel "workers (threads, ranks, or ranks x threads)"
set xrange [0.8:8]
set xtics 1
set mxtics 1
set object 1 rectangle from 2, graph 0 to graph 1, graph 1 fillcolor rgb "#f2f2f2" fillstyle solid 1.0 noborder behind
set label 1 "more workers than the 2 cores: points are oversubscribed,\ndashed curves are the Amdahl model (not measured)" at graph 0.98, graph 0.08 right font ",9" textcolor rgb "#666666"
amdahl(p, f) = 1.0 / (f + (1.0 - f) / p)
set title "pi, class A (n=1000000000) on vm\nspeedup against the same driver at 1 worker (median, bars min-max)"
set ylabel "speedup T(1) / T(p), same driver"
set yrange [0:*]

plot sample [x=1:8] x with lines lc rgb "#999999" lw 1 noautoscale title "ideal (linear)", "cpu-pi-A-cpu_omp.dat" using ($1 * 0.970):8:9:10 with yerrorlines lc rgb "#1f77b4" pt 7 lw 2 ps 1.2 title "cpu_omp (Amdahl f = 0.000, clamped: faster than linear)", [x=1:2] amdahl(x, 0.0000) with lines lc rgb "#1f77b4" lw 1 notitle, [x=2:8] amdahl(x, 0.0000) with lines lc rgb "#1f77b4" lw 2 dt (10,6) notitle, "cpu-pi-A-cpu_mpi.dat" using ($1 * 1.000):8:9:10 with yerrorlines lc rgb "#d62728" pt 9 lw 2 ps 1.2 title "cpu_mpi (Amdahl f = 0.011)", [x=1:2] amdahl(x, 0.0106) with lines lc rgb "#d62728" lw 1 notitle, [x=2:8] amdahl(x, 0.0106) with lines lc rgb "#d62728" lw 2 dt (10,6) notitle, "cpu-pi-A-cpu_hybrid.dat" using ($1 * 1.030):8:9:10 with yerrorlines lc rgb "#2ca02c" pt 13 lw 2 ps 1.2 title "cpu_hybrid (Amdahl f = 0.000, clamped: faster than linear)", [x=1:2] amdahl(x, 0.0000) with lines lc rgb "#2ca02c" lw 1 notitle, [x=2:8] amdahl(x, 0.0000) with lines lc rgb "#2ca02c" lw 2 dt (10,6) notitle, NaN with lines lc rgb "#888888" lw 2 dt (10,6) title "Amdahl model past 2 cores (extrapolated)"
