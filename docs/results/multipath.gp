# mbench multipath: redraw with `gnuplot THIS_FILE`
set terminal pngcairo size 800,560 font 'sans,10'
set output "/work/wt/charts/docs/results/multipath.png"
$s0 << EOD
1 0.791305
4 1.42894
16 3.41598
64 10.5191
EOD
$s1 << EOD
1 0.973246
4 1.44713
16 3.48327
64 13.0208
EOD
$s2 << EOD
1 0.801055
4 1.50652
16 4.12455
64 14.9778
EOD
$s3 << EOD
1 1.23058
4 1.79853
16 4.178
64 10.7622
EOD
$s4 << EOD
1 0.745847
4 1.40043
16 3.99766
64 14.8162
EOD
$s5 << EOD
1 1.33536
4 2.64152
16 7.87711
64 29.6805
EOD
$s6 << EOD
1 0.310643
4 0.730074
16 2.4078
64 9.11868
EOD
set title "mbench multipath: download time vs file size (medians of 3 runs)"."\n"."testbed: wifi 40mbit 80 ms RTT, lte 20mbit 145 ms RTT (emulated by mbench link; server behind a router)"
set xlabel 'file size (MiB)'
set ylabel 'download time (s)'
set logscale xy
set grid
set key top left
plot $s0 using 1:2 with linespoints title "msocket default", $s1 using 1:2 with linespoints title "msocket rr", $s2 using 1:2 with linespoints title "msocket redundant", $s3 using 1:2 with linespoints title "mptcp", $s4 using 1:2 with linespoints title "tcp wifi", $s5 using 1:2 with linespoints title "tcp lte", $s6 using 1:2 with linespoints title "ideal"
set output
set terminal svg size 800,560 dynamic font 'sans,10'
set output "/work/wt/charts/docs/results/multipath.svg"
$s0 << EOD
1 0.791305
4 1.42894
16 3.41598
64 10.5191
EOD
$s1 << EOD
1 0.973246
4 1.44713
16 3.48327
64 13.0208
EOD
$s2 << EOD
1 0.801055
4 1.50652
16 4.12455
64 14.9778
EOD
$s3 << EOD
1 1.23058
4 1.79853
16 4.178
64 10.7622
EOD
$s4 << EOD
1 0.745847
4 1.40043
16 3.99766
64 14.8162
EOD
$s5 << EOD
1 1.33536
4 2.64152
16 7.87711
64 29.6805
EOD
$s6 << EOD
1 0.310643
4 0.730074
16 2.4078
64 9.11868
EOD
set title "mbench multipath: download time vs file size (medians of 3 runs)"."\n"."testbed: wifi 40mbit 80 ms RTT, lte 20mbit 145 ms RTT (emulated by mbench link; server behind a router)"
set xlabel 'file size (MiB)'
set ylabel 'download time (s)'
set logscale xy
set grid
set key top left
plot $s0 using 1:2 with linespoints title "msocket default", $s1 using 1:2 with linespoints title "msocket rr", $s2 using 1:2 with linespoints title "msocket redundant", $s3 using 1:2 with linespoints title "mptcp", $s4 using 1:2 with linespoints title "tcp wifi", $s5 using 1:2 with linespoints title "tcp lte", $s6 using 1:2 with linespoints title "ideal"
set output
