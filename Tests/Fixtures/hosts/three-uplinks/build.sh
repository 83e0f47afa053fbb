#!/bin/sh
# three-uplinks: three interfaces, each with its own gateway in main, told apart by metric.
# - eth0 198.51.100.10/24, default via 198.51.100.1 metric 100.
# - eth1 203.0.113.10/24, default via 203.0.113.1 metric 200.
# - eth2 100.64.0.10/32 (a cloud-style /32), default via 100.64.0.1 onlink metric 300.
# - 192.0.2.0/24 spread over eth0 and eth1 (multipath, weights 1 and 3, protocol static).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

for link in eth0 eth1 eth2; do
  ip -n "$ns" link add name "$link" type veth peer name "up-$link" netns "$peer"
  ip -n "$peer" link set "up-$link" up
done
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" addr add 203.0.113.1/24 dev up-eth1
ip -n "$peer" addr add 100.64.0.1/24 dev up-eth2

ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 203.0.113.10/24 dev eth1
ip -n "$ns" addr add 100.64.0.10/32 dev eth2
for link in eth0 eth1 eth2; do ip -n "$ns" link set "$link" up; done
ip -n "$ns" route add default via 198.51.100.1 dev eth0 metric 100
ip -n "$ns" route add default via 203.0.113.1 dev eth1 metric 200
ip -n "$ns" route add default via 100.64.0.1 dev eth2 onlink metric 300
ip -n "$ns" route add 192.0.2.0/24 proto static \
  nexthop via 198.51.100.1 dev eth0 weight 1 nexthop via 203.0.113.1 dev eth1 weight 3
