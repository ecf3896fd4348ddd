# lesson: drawn by scripts/plot.sh from the .dat files beside this one
set datafile missing "NaN"
set multiplot layout 1,2 title "the lesson on vm: Python (blue) beside C (grey); on each bar its speedup over Python serial, in brackets its workers" font ",12"
set bmargin 12
set title "the class W product (n = 50, 63, 32)"
set logscale y 10
set ylabel "seconds (log scale)"
set xtics rotate by -35 left font ",9" nomirror
set grid ytics lc rgb "#dddddd"
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.7
set offsets 0.6, 0.6, 0, 0
set key off
set yrange [0.0209255:*]
plot "lesson-product.dat" using 1:3:($5 > 0.5 ? 0x3572A5 : 0x777777):xticlabels(2) with boxes lc rgb variable, \
     "lesson-product.dat" using 1:($3 * 1.5):4 with labels font ",10" textcolor rgb "#222222"
set title "100 requests at 20 ms against io_server"
set logscale y 10
set ylabel "seconds (log scale)"
set xtics rotate by -35 left font ",9" nomirror
set grid ytics lc rgb "#dddddd"
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.7
set offsets 0.6, 0.6, 0, 0
set key off
set yrange [0.0521182:*]
plot "lesson-fetch.dat" using 1:3:($5 > 0.5 ? 0x3572A5 : 0x777777):xticlabels(2) with boxes lc rgb variable, \
     "lesson-fetch.dat" using 1:($3 * 1.5):4 with labels font ",10" textcolor rgb "#222222"
unset multiplot
