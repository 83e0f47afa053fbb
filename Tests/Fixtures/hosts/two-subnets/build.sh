#!/bin/sh
# two-subnets: one interface eth0 in two IPv4 subnets, 198.51.100.10/24 and 203.0.113.10/24 (both primary: each
# is the first address of its prefix). Default via 198.51.100.1; 192.0.2.0/24 via 203.0.113.1 (protocol static).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" addr add 203.0.113.1/24 dev up-eth0
ip -n "$peer" link set up-eth0 up

ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 203.0.113.10/24 dev eth0
ip -n "$ns" link set eth0 up
ip -n "$ns" route add default via 198.51.100.1 dev eth0
ip -n "$ns" route add 192.0.2.0/24 via 203.0.113.1 dev eth0 proto static
