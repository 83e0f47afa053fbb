#!/bin/sh
# uplink-down: three uplinks, one working, one whose cable is out, one switched off.
# - eth0 198.51.100.10/24, default via 198.51.100.1 metric 100: up, with carrier.
# - eth1 203.0.113.10/24, default via 203.0.113.1 metric 200: up, but its far end is down, so it has no carrier
#   and the kernel marks its routes `linkdown`.
# - eth2 100.64.0.10/24: administratively down (the kernel removes its routes; the address stays).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

for link in eth0 eth1 eth2; do
  ip -n "$ns" link add name "$link" type veth peer name "up-$link" netns "$peer"
done
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" link set up-eth0 up
ip -n "$peer" link set up-eth2 up

ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 203.0.113.10/24 dev eth1
ip -n "$ns" addr add 100.64.0.10/24 dev eth2
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" route add default via 198.51.100.1 dev eth0 metric 100
ip -n "$ns" route add default via 203.0.113.1 dev eth1 metric 200
