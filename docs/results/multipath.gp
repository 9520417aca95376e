# mbench multipath: redraw with `gnuplot THIS_FILE`
set terminal pngcairo size 800,560 font 'sans,10'
set output "/tmp/mp/final/multipath.png"
$s0 << EOD
1 0.788964
4 1.38116
16 3.16676
64 10.0725
EOD
$s1 << EOD
1 1.10474
4 1.4585
16 3.4842
64 10.4951
EOD
$s2 << EOD
1 0.793949
4 1.49664
16 4.14485
64 14.8738
EOD
$s3 << EOD
1 1.27438
4 1.80856
16 4.01223
64 10.8221
EOD
$s4 << EOD
1 0.722306
4 1.39209
16 3.9848
64 14.7636
EOD
$s5 << EOD
1 1.32082
4 2.6247
16 7.85598
64 29.226
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
set output "/tmp/mp/final/multipath.svg"
$s0 << EOD
1 0.788964
4 1.38116
16 3.16676
64 10.0725
EOD
$s1 << EOD
1 1.10474
4 1.4585
16 3.4842
64 10.4951
EOD
$s2 << EOD
1 0.793949
4 1.49664
16 4.14485
64 14.8738
EOD
$s3 << EOD
1 1.27438
4 1.80856
16 4.01223
64 10.8221
EOD
$s4 << EOD
1 0.722306
4 1.39209
16 3.9848
64 14.7636
EOD
$s5 << EOD
1 1.32082
4 2.6247
16 7.85598
64 29.226
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
