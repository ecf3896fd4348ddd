# fetch: drawn by scripts/plot.sh from the .dat files beside this one
set datafile missing "NaN"
set grid lc rgb "#dddddd"
set key top right box opaque Left reverse samplen 3 spacing 1.1 width 1
set logscale x 2
set logscale y 10
set xrange [0.8:80]
set yrange [0.01:*]
set title "fetch: 100 requests at 20 ms on vm\nwall time against concurrency (log-log; median, bars min-max)"
set xlabel "concurrency (io_threads: threads, io_async: requests in flight, io_mpi: processes)"
set ylabel "wall time, seconds"
set arrow 1 from 2, graph 0 to 2, graph 1 nohead lc rgb "#aaaaaa" dt 2
set label 1 "2 cores: waiting scales past them" at 2, graph 0.04 offset 0.5, 0 font ",9" textcolor rgb "#666666"

plot "fetch-io_serial.dat" using ($1 * 0.980):3:4:5 with yerrorlines lc rgb "#222222" pt 5 lw 2 ps 1.2 title "io_serial", "fetch-io_threads.dat" using ($1 * 1.000):3:4:5 with yerrorlines lc rgb "#1f77b4" pt 7 lw 2 ps 1.2 title "io_threads", "fetch-io_async.dat" using ($1 * 1.020):3:4:5 with yerrorlines lc rgb "#2ca02c" pt 13 lw 2 ps 1.2 title "io_async", "fetch-io_mpi.dat" using ($1 * 1.040):3:4:5 with yerrorlines lc rgb "#d62728" pt 9 lw 2 ps 1.2 title "io_mpi", 0.02 with lines lc rgb "#888888" dt 3 lw 1.5 title "one request's delay (20 ms): the floor", "fetch-ideal.dat" using 1:2 with lines lc rgb "#444444" dt (10,6) lw 1.5 title "ideal: ceil(requests / concurrency) x io_serial's time per request"
