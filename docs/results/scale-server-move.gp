# mbench scale: redraw with `gnuplot THIS_FILE`
set terminal pngcairo size 1380,440 font 'sans,10'
set output "/work/main/docs/results/scale-server-move.png"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror font ',9'
set key outside right top vertical
set grid ytics
set bmargin 9
set multiplot layout 1,3 title "mbench scale"."\n"."testbed: client - router - server, RTT 100 ms (mbench link between client and router); the listener's address moves"
$panel0 << EOD
"move to migrated p50, 100 connections, RTT 100 ms" 266.285 NaN
"move to migrated p90, 100 connections, RTT 100 ms" 276.679 NaN
"move to migrated max, 100 connections, RTT 100 ms" 281.679 NaN
"move to the listener's address event, mean, 100 connections, RTT 100 ms" 3.77445 NaN
"move to every RECONNECT acknowledged, mean, 100 connections, RTT 100 ms" 110.441 NaN
"move to migrated p50, 200 connections, RTT 100 ms" 276.254 NaN
"move to migrated p90, 200 connections, RTT 100 ms" 283.343 NaN
"move to migrated max, 200 connections, RTT 100 ms" 289.254 NaN
"move to the listener's address event, mean, 200 connections, RTT 100 ms" 7.76941 NaN
"move to every RECONNECT acknowledged, mean, 200 connections, RTT 100 ms" 114.769 NaN
"move to migrated p50, 1000 connections, RTT 100 ms" 405.572 NaN
"move to migrated p90, 1000 connections, RTT 100 ms" 450.325 NaN
"move to migrated max, 1000 connections, RTT 100 ms" 477.078 NaN
"move to the listener's address event, mean, 1000 connections, RTT 100 ms" 17.6583 NaN
"move to every RECONNECT acknowledged, mean, 1000 connections, RTT 100 ms" 192.658 NaN
EOD
set title "server move: ip(8) to migrated (ms)"
set logscale y
set yrange [*:*]
plot $panel0 using 2:xtic(1) title "msocket"
$panel1 << EOD
"move to migrated p50 in RTTs, 100 connections, RTT 100 ms" 2.66285 NaN
"move to migrated p90 in RTTs, 100 connections, RTT 100 ms" 2.76679 NaN
"move to migrated max in RTTs, 100 connections, RTT 100 ms" 2.81679 NaN
"move to migrated p50 in RTTs, 200 connections, RTT 100 ms" 2.76254 NaN
"move to migrated p90 in RTTs, 200 connections, RTT 100 ms" 2.83343 NaN
"move to migrated max in RTTs, 200 connections, RTT 100 ms" 2.89254 NaN
"move to migrated p50 in RTTs, 1000 connections, RTT 100 ms" 4.05572 NaN
"move to migrated p90 in RTTs, 1000 connections, RTT 100 ms" 4.50325 NaN
"move to migrated max in RTTs, 1000 connections, RTT 100 ms" 4.77078 NaN
EOD
set title "server move: ip(8) to migrated (RTT)"
unset logscale y
set yrange [0:*]
plot $panel1 using 2:xtic(1) title "msocket"
$panel2 << EOD
"CPU of the listener per migration, mean, 100 connections, RTT 100 ms" 200 NaN
"CPU of the client process per migration, mean, 100 connections, RTT 100 ms" 233.333 NaN
"CPU of the link emulator per migration, mean, 100 connections, RTT 100 ms" 266.667 NaN
"CPU of the listener per migration, mean, 200 connections, RTT 100 ms" 166.667 NaN
"CPU of the client process per migration, mean, 200 connections, RTT 100 ms" 200 NaN
"CPU of the link emulator per migration, mean, 200 connections, RTT 100 ms" 250 NaN
"CPU of the listener per migration, mean, 1000 connections, RTT 100 ms" 170 NaN
"CPU of the client process per migration, mean, 1000 connections, RTT 100 ms" 196.667 NaN
"CPU of the link emulator per migration, mean, 1000 connections, RTT 100 ms" 263.333 NaN
EOD
set title "server move: CPU per migration (us)"
unset logscale y
set yrange [0:*]
plot $panel2 using 2:xtic(1) title "msocket"
unset multiplot
set output
set terminal svg size 1380,440 dynamic font 'sans,10'
set output "/work/main/docs/results/scale-server-move.svg"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror font ',9'
set key outside right top vertical
set grid ytics
set bmargin 9
set multiplot layout 1,3 title "mbench scale"."\n"."testbed: client - router - server, RTT 100 ms (mbench link between client and router); the listener's address moves"
$panel0 << EOD
"move to migrated p50, 100 connections, RTT 100 ms" 266.285 NaN
"move to migrated p90, 100 connections, RTT 100 ms" 276.679 NaN
"move to migrated max, 100 connections, RTT 100 ms" 281.679 NaN
"move to the listener's address event, mean, 100 connections, RTT 100 ms" 3.77445 NaN
"move to every RECONNECT acknowledged, mean, 100 connections, RTT 100 ms" 110.441 NaN
"move to migrated p50, 200 connections, RTT 100 ms" 276.254 NaN
"move to migrated p90, 200 connections, RTT 100 ms" 283.343 NaN
"move to migrated max, 200 connections, RTT 100 ms" 289.254 NaN
"move to the listener's address event, mean, 200 connections, RTT 100 ms" 7.76941 NaN
"move to every RECONNECT acknowledged, mean, 200 connections, RTT 100 ms" 114.769 NaN
"move to migrated p50, 1000 connections, RTT 100 ms" 405.572 NaN
"move to migrated p90, 1000 connections, RTT 100 ms" 450.325 NaN
"move to migrated max, 1000 connections, RTT 100 ms" 477.078 NaN
"move to the listener's address event, mean, 1000 connections, RTT 100 ms" 17.6583 NaN
"move to every RECONNECT acknowledged, mean, 1000 connections, RTT 100 ms" 192.658 NaN
EOD
set title "server move: ip(8) to migrated (ms)"
set logscale y
set yrange [*:*]
plot $panel0 using 2:xtic(1) title "msocket"
$panel1 << EOD
"move to migrated p50 in RTTs, 100 connections, RTT 100 ms" 2.66285 NaN
"move to migrated p90 in RTTs, 100 connections, RTT 100 ms" 2.76679 NaN
"move to migrated max in RTTs, 100 connections, RTT 100 ms" 2.81679 NaN
"move to migrated p50 in RTTs, 200 connections, RTT 100 ms" 2.76254 NaN
"move to migrated p90 in RTTs, 200 connections, RTT 100 ms" 2.83343 NaN
"move to migrated max in RTTs, 200 connections, RTT 100 ms" 2.89254 NaN
"move to migrated p50 in RTTs, 1000 connections, RTT 100 ms" 4.05572 NaN
"move to migrated p90 in RTTs, 1000 connections, RTT 100 ms" 4.50325 NaN
"move to migrated max in RTTs, 1000 connections, RTT 100 ms" 4.77078 NaN
EOD
set title "server move: ip(8) to migrated (RTT)"
unset logscale y
set yrange [0:*]
plot $panel1 using 2:xtic(1) title "msocket"
$panel2 << EOD
"CPU of the listener per migration, mean, 100 connections, RTT 100 ms" 200 NaN
"CPU of the client process per migration, mean, 100 connections, RTT 100 ms" 233.333 NaN
"CPU of the link emulator per migration, mean, 100 connections, RTT 100 ms" 266.667 NaN
"CPU of the listener per migration, mean, 200 connections, RTT 100 ms" 166.667 NaN
"CPU of the client process per migration, mean, 200 connections, RTT 100 ms" 200 NaN
"CPU of the link emulator per migration, mean, 200 connections, RTT 100 ms" 250 NaN
"CPU of the listener per migration, mean, 1000 connections, RTT 100 ms" 170 NaN
"CPU of the client process per migration, mean, 1000 connections, RTT 100 ms" 196.667 NaN
"CPU of the link emulator per migration, mean, 1000 connections, RTT 100 ms" 263.333 NaN
EOD
set title "server move: CPU per migration (us)"
unset logscale y
set yrange [0:*]
plot $panel2 using 2:xtic(1) title "msocket"
unset multiplot
set output
