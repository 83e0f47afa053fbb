#!/bin/sh
# rule-selectors: every rule selector and action iproute2 prints (except l3mdev, which needs a VRF), recorded from
# the kernel, and polroute's protocol 177 named `polroute` in rt_protos.d, so `ip` prints the name.
# - eth0 198.51.100.10/24 (main's default via 198.51.100.1), eth1 203.0.113.10/24.
# - table 101: default via 198.51.100.1 (protocol 177), 198.51.100.128/25 via 198.51.100.1 with mtu 1400 and
#   advmss 1360 (route metrics), throw 192.0.2.0/24, prohibit 203.0.113.128/25.
# - IPv4 rules, all to table 101 unless said: 100 not from 192.0.2.0/24; 110 to 198.51.100.0/24; 120 tos 0x10
#   (IPv4 rules take only TOS bits, none of which rt_dsfield names); 130 fwmark 0x10 (full mask); 140 iif eth1;
#   141 oif eth0; 150 uidrange 1000-1999; 160 ipproto tcp dport 443; 161 ipproto udp sport 1000-2000;
#   162 ipproto tcp dport 8000-8080; 170 from 198.51.100.10 goto 32766; 180 nop; 190 from 192.0.2.0/24 blackhole;
#   191 from 192.0.2.128/25 unreachable; 200 lookup main suppress_prefixlength 0; 210 from 198.51.100.10
#   (protocol 177).
# - IPv6 rules: 100 from 2001:db8:a::/64 to 2001:db8:b::/64; 110 tos 0x28 (named AF11 in rt_dsfield);
#   120 fwmark 0x1/0x1; 130 ipproto ipv6-icmp lookup main; 140 not from 2001:db8:c::/48 prohibit.
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2 etc=$3

printf '# polroute marks what it installs\n177\tpolroute\n' >"$etc/iproute2/rt_protos.d/polroute.conf"

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$ns" link add name eth1 type veth peer name up-eth1 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" addr add 203.0.113.1/24 dev up-eth1
ip -n "$peer" link set up-eth0 up
ip -n "$peer" link set up-eth1 up
ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 203.0.113.10/24 dev eth1
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" route add default via 198.51.100.1 dev eth0

ip -n "$ns" route add default via 198.51.100.1 dev eth0 table 101 proto 177
ip -n "$ns" route add 198.51.100.128/25 via 198.51.100.1 dev eth0 table 101 mtu 1400 advmss 1360
ip -n "$ns" route add throw 192.0.2.0/24 table 101
ip -n "$ns" route add prohibit 203.0.113.128/25 table 101

ip -n "$ns" rule add not from 192.0.2.0/24 lookup 101 priority 100
ip -n "$ns" rule add to 198.51.100.0/24 lookup 101 priority 110
ip -n "$ns" rule add tos 0x10 lookup 101 priority 120
ip -n "$ns" rule add fwmark 0x10 lookup 101 priority 130
ip -n "$ns" rule add iif eth1 lookup 101 priority 140
ip -n "$ns" rule add oif eth0 lookup 101 priority 141
ip -n "$ns" rule add uidrange 1000-1999 lookup 101 priority 150
ip -n "$ns" rule add ipproto tcp dport 443 lookup 101 priority 160
ip -n "$ns" rule add ipproto udp sport 1000-2000 lookup 101 priority 161
ip -n "$ns" rule add ipproto tcp dport 8000-8080 lookup 101 priority 162
ip -n "$ns" rule add from 198.51.100.10 goto 32766 priority 170
ip -n "$ns" rule add nop priority 180
ip -n "$ns" rule add from 192.0.2.0/24 blackhole priority 190
ip -n "$ns" rule add from 192.0.2.128/25 unreachable priority 191
ip -n "$ns" rule add lookup main suppress_prefixlength 0 priority 200
ip -n "$ns" rule add from 198.51.100.10 lookup 101 priority 210 protocol 177

ip -n "$ns" -6 rule add from 2001:db8:a::/64 to 2001:db8:b::/64 lookup 101 priority 100
ip -n "$ns" -6 rule add tos 0x28 lookup 101 priority 110
ip -n "$ns" -6 rule add fwmark 0x1/0x1 lookup 101 priority 120
ip -n "$ns" -6 rule add ipproto ipv6-icmp lookup main priority 130
ip -n "$ns" -6 rule add not from 2001:db8:c::/48 prohibit priority 140
