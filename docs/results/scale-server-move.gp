# mbench scale-server-move: redraw with `gnuplot THIS_FILE`
set terminal pngcairo size 920,440 font 'sans,10'
set output "/work/main/docs/results/scale-server-move.png"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror font ',9'
set key outside right top vertical
set grid ytics
set bmargin 9
set multiplot layout 1,2 title "mbench scale-server-move"."\n"."testbed: client - router - server, RTT 100 ms (mbench link between client and router); the listener's address moves"
$panel0 << EOD
"move to migrated p50, 100 connections, RTT 100 ms" 267.306 NaN
"move to migrated p90, 100 connections, RTT 100 ms" 273.262 NaN
"move to migrated max, 100 connections, RTT 100 ms" 276.262 NaN
"move to the listener's address event, mean, 100 connections, RTT 100 ms" 5.93421 NaN
"move to every RECONNECT acknowledged, mean, 100 connections, RTT 100 ms" 108.934 NaN
"move to migrated p50, 200 connections, RTT 100 ms" 282.695 NaN
"move to migrated p90, 200 connections, RTT 100 ms" 302.035 NaN
"move to migrated max, 200 connections, RTT 100 ms" 308.035 NaN
"move to the listener's address event, mean, 200 connections, RTT 100 ms" 7.14043 NaN
"move to every RECONNECT acknowledged, mean, 200 connections, RTT 100 ms" 116.14 NaN
"move to migrated p50, 1000 connections, RTT 100 ms" 481.919 NaN
"move to migrated p90, 1000 connections, RTT 100 ms" 593.147 NaN
"move to migrated max, 1000 connections, RTT 100 ms" 640.919 NaN
"move to the listener's address event, mean, 1000 connections, RTT 100 ms" 32.5826 NaN
"move to every RECONNECT acknowledged, mean, 1000 connections, RTT 100 ms" 202.583 NaN
EOD
set title "server move: ip(8) to migrated (ms)"
set logscale y
set yrange [*:*]
plot $panel0 using 2:xtic(1) title "msocket"
$panel1 << EOD
"move to migrated p50 in RTTs, 100 connections, RTT 100 ms" 2.67306 NaN
"move to migrated p90 in RTTs, 100 connections, RTT 100 ms" 2.73262 NaN
"move to migrated max in RTTs, 100 connections, RTT 100 ms" 2.76262 NaN
"move to migrated p50 in RTTs, 200 connections, RTT 100 ms" 2.82695 NaN
"move to migrated p90 in RTTs, 200 connections, RTT 100 ms" 3.02035 NaN
"move to migrated max in RTTs, 200 connections, RTT 100 ms" 3.08035 NaN
"move to migrated p50 in RTTs, 1000 connections, RTT 100 ms" 4.81919 NaN
"move to migrated p90 in RTTs, 1000 connections, RTT 100 ms" 5.93147 NaN
"move to migrated max in RTTs, 1000 connections, RTT 100 ms" 6.40919 NaN
EOD
set title "server move: ip(8) to migrated (RTT)"
unset logscale y
set yrange [0:*]
plot $panel1 using 2:xtic(1) title "msocket"
unset multiplot
set output
set terminal svg size 920,440 dynamic font 'sans,10'
set output "/work/main/docs/results/scale-server-move.svg"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror font ',9'
set key outside right top vertical
set grid ytics
set bmargin 9
set multiplot layout 1,2 title "mbench scale-server-move"."\n"."testbed: client - router - server, RTT 100 ms (mbench link between client and router); the listener's address moves"
$panel0 << EOD
"move to migrated p50, 100 connections, RTT 100 ms" 267.306 NaN
"move to migrated p90, 100 connections, RTT 100 ms" 273.262 NaN
"move to migrated max, 100 connections, RTT 100 ms" 276.262 NaN
"move to the listener's address event, mean, 100 connections, RTT 100 ms" 5.93421 NaN
"move to every RECONNECT acknowledged, mean, 100 connections, RTT 100 ms" 108.934 NaN
"move to migrated p50, 200 connections, RTT 100 ms" 282.695 NaN
"move to migrated p90, 200 connections, RTT 100 ms" 302.035 NaN
"move to migrated max, 200 connections, RTT 100 ms" 308.035 NaN
"move to the listener's address event, mean, 200 connections, RTT 100 ms" 7.14043 NaN
"move to every RECONNECT acknowledged, mean, 200 connections, RTT 100 ms" 116.14 NaN
"move to migrated p50, 1000 connections, RTT 100 ms" 481.919 NaN
"move to migrated p90, 1000 connections, RTT 100 ms" 593.147 NaN
"move to migrated max, 1000 connections, RTT 100 ms" 640.919 NaN
"move to the listener's address event, mean, 1000 connections, RTT 100 ms" 32.5826 NaN
"move to every RECONNECT acknowledged, mean, 1000 connections, RTT 100 ms" 202.583 NaN
EOD
set title "server move: ip(8) to migrated (ms)"
set logscale y
set yrange [*:*]
plot $panel0 using 2:xtic(1) title "msocket"
$panel1 << EOD
"move to migrated p50 in RTTs, 100 connections, RTT 100 ms" 2.67306 NaN
"move to migrated p90 in RTTs, 100 connections, RTT 100 ms" 2.73262 NaN
"move to migrated max in RTTs, 100 connections, RTT 100 ms" 2.76262 NaN
"move to migrated p50 in RTTs, 200 connections, RTT 100 ms" 2.82695 NaN
"move to migrated p90 in RTTs, 200 connections, RTT 100 ms" 3.02035 NaN
"move to migrated max in RTTs, 200 connections, RTT 100 ms" 3.08035 NaN
"move to migrated p50 in RTTs, 1000 connections, RTT 100 ms" 4.81919 NaN
"move to migrated p90 in RTTs, 1000 connections, RTT 100 ms" 5.93147 NaN
"move to migrated max in RTTs, 1000 connections, RTT 100 ms" 6.40919 NaN
EOD
set title "server move: ip(8) to migrated (RTT)"
unset logscale y
set yrange [0:*]
plot $panel1 using 2:xtic(1) title "msocket"
unset multiplot
set output
