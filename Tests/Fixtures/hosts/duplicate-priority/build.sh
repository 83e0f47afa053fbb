#!/bin/sh
# duplicate-priority: two rules share priority 1000 (the kernel keeps both, in the order they were added):
# from 198.51.100.10 lookup 101 and from 203.0.113.10 lookup 102; IPv6 has two rules at 1000 as well, from
# 2001:db8:a::10 lookup 101 and from 2001:db8:d::10 lookup 102. Tables 101 and 102 hold each uplink's link route
# and default, both families (protocol static).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$ns" link add name eth1 type veth peer name up-eth1 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" addr add 2001:db8:a::1/64 dev up-eth0 nodad
ip -n "$peer" addr add 203.0.113.1/24 dev up-eth1
ip -n "$peer" addr add 2001:db8:d::1/64 dev up-eth1 nodad
ip -n "$peer" link set up-eth0 up
ip -n "$peer" link set up-eth1 up

ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 2001:db8:a::10/64 dev eth0 nodad
ip -n "$ns" addr add 203.0.113.10/24 dev eth1
ip -n "$ns" addr add 2001:db8:d::10/64 dev eth1 nodad
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" route add default via 198.51.100.1 dev eth0

ip -n "$ns" route add 198.51.100.0/24 dev eth0 src 198.51.100.10 table 101 proto static
ip -n "$ns" route add default via 198.51.100.1 dev eth0 table 101 proto static
ip -n "$ns" route add 203.0.113.0/24 dev eth1 src 203.0.113.10 table 102 proto static
ip -n "$ns" route add default via 203.0.113.1 dev eth1 table 102 proto static
ip -n "$ns" -6 route add 2001:db8:a::/64 dev eth0 table 101 proto static
ip -n "$ns" -6 route add default via 2001:db8:a::1 dev eth0 table 101 proto static
ip -n "$ns" -6 route add 2001:db8:d::/64 dev eth1 table 102 proto static
ip -n "$ns" -6 route add default via 2001:db8:d::1 dev eth1 table 102 proto static

ip -n "$ns" rule add from 198.51.100.10 lookup 101 priority 1000
ip -n "$ns" rule add from 203.0.113.10 lookup 102 priority 1000
ip -n "$ns" -6 rule add from 2001:db8:a::10 lookup 101 priority 1000
ip -n "$ns" -6 rule add from 2001:db8:d::10 lookup 102 priority 1000
