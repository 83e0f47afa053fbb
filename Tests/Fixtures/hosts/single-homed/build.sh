#!/bin/sh
# single-homed: one uplink eth0 with 198.51.100.10/24 and the default route via 198.51.100.1.
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
# New namespaces copy IPv4 sysctls from the machine's; set what a stock Debian 12 host has.
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" link set up-eth0 up
ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" link set eth0 up
ip -n "$ns" route add default via 198.51.100.1
