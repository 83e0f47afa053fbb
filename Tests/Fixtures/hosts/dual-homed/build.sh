#!/bin/sh
# dual-homed: mgmt 198.51.100.10/24 holds main's default via 198.51.100.1; data 203.0.113.10/24 reaches
# 192.0.2.128/25 via 203.0.113.1. No policy rules. Strict reverse-path filtering (1) everywhere.
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1
ip -n "$ns" link set lo up

ip -n "$ns" link add name mgmt type veth peer name up-mgmt netns "$peer"
ip -n "$ns" link add name data type veth peer name up-data netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-mgmt
ip -n "$peer" addr add 203.0.113.1/24 dev up-data
ip -n "$peer" link set up-mgmt up
ip -n "$peer" link set up-data up
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.mgmt.rp_filter=1 net.ipv4.conf.data.rp_filter=1

ip -n "$ns" addr add 198.51.100.10/24 dev mgmt
ip -n "$ns" addr add 203.0.113.10/24 dev data
ip -n "$ns" link set mgmt up
ip -n "$ns" link set data up
ip -n "$ns" route add default via 198.51.100.1 dev mgmt
ip -n "$ns" route add 192.0.2.128/25 via 203.0.113.1 dev data
