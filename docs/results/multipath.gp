# mbench multipath: redraw with `gnuplot THIS_FILE`
set terminal pngcairo size 800,560 font 'sans,10'
set output "/tmp/x/plot/multipath.png"
$s0 << EOD
1 0.719603
4 1.27552
16 3.08746
64 10.0311
EOD
$s1 << EOD
1 0.969669
4 1.39154
16 3.39895
64 10.7861
EOD
$s2 << EOD
1 0.726294
4 1.51061
16 3.99262
64 14.8179
EOD
$s3 << EOD
1 1.12829
4 1.87218
16 3.93856
64 10.5964
EOD
$s4 << EOD
1 0.72364
4 1.39494
16 3.98643
64 14.7379
EOD
$s5 << EOD
1 1.32513
4 2.62553
16 7.859
64 29.67
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
set output "/tmp/x/plot/multipath.svg"
$s0 << EOD
1 0.719603
4 1.27552
16 3.08746
64 10.0311
EOD
$s1 << EOD
1 0.969669
4 1.39154
16 3.39895
64 10.7861
EOD
$s2 << EOD
1 0.726294
4 1.51061
16 3.99262
64 14.8179
EOD
$s3 << EOD
1 1.12829
4 1.87218
16 3.93856
64 10.5964
EOD
$s4 << EOD
1 0.72364
4 1.39494
16 3.98643
64 14.7379
EOD
$s5 << EOD
1 1.32513
4 2.62553
16 7.859
64 29.67
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
