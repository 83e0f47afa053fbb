#!/bin/sh
# no-gateway: mgmt 198.51.100.10/24 with main's default via 198.51.100.1, and data 203.0.113.10/24, a global
# address with no gateway anywhere (no route via any router on data, no rules, no other tables).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name mgmt type veth peer name up-mgmt netns "$peer"
ip -n "$ns" link add name data type veth peer name up-data netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-mgmt
ip -n "$peer" link set up-mgmt up
ip -n "$peer" link set up-data up

ip -n "$ns" addr add 198.51.100.10/24 dev mgmt
ip -n "$ns" addr add 203.0.113.10/24 dev data
ip -n "$ns" link set mgmt up
ip -n "$ns" link set data up
ip -n "$ns" route add default via 198.51.100.1 dev mgmt
