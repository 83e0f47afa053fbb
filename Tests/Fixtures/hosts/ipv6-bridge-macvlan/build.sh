#!/bin/sh
# ipv6-bridge-macvlan: the link kinds and address shapes a namespace can hold.
# - eth0 (veth): 198.51.100.10/24 primary, 198.51.100.11/24 secondary labelled eth0:1, 198.51.100.12/24
#   secondary; 2001:db8:a::10/64 (nodad); defaults via 198.51.100.1 and 2001:db8:a::1.
# - br0 (bridge): 192.0.2.1/24 and 2001:db8:b::1/64 (nodad); its port tap0 (veth) has no address.
# - mv0 (macvlan, mode bridge) on eth1 (veth, no address): 203.0.113.10/24 and 2001:db8:c::10/64 (nodad).
# - vx0 (vxlan 42) and ifb0 (ifb), created and left down.
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$ns" link add name br0 type bridge
ip -n "$ns" link add name tap0 type veth peer name up-tap0 netns "$peer"
ip -n "$ns" link set tap0 master br0
ip -n "$ns" link add name eth1 type veth peer name up-eth1 netns "$peer"
ip -n "$ns" link add name mv0 link eth1 type macvlan mode bridge
ip -n "$ns" link add name vx0 type vxlan id 42 local 198.51.100.10 dstport 4789
ip -n "$ns" link add name ifb0 type ifb
for link in up-eth0 up-tap0 up-eth1; do ip -n "$peer" link set "$link" up; done
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" addr add 2001:db8:a::1/64 dev up-eth0 nodad

ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" addr add 198.51.100.11/24 dev eth0 label eth0:1
ip -n "$ns" addr add 198.51.100.12/24 dev eth0
ip -n "$ns" addr add 2001:db8:a::10/64 dev eth0 nodad
ip -n "$ns" addr add 192.0.2.1/24 dev br0
ip -n "$ns" addr add 2001:db8:b::1/64 dev br0 nodad
ip -n "$ns" addr add 203.0.113.10/24 dev mv0
ip -n "$ns" addr add 2001:db8:c::10/64 dev mv0 nodad
for link in eth0 tap0 br0 eth1 mv0; do ip -n "$ns" link set "$link" up; done
ip -n "$ns" route add default via 198.51.100.1 dev eth0
ip -n "$ns" -6 route add default via 2001:db8:a::1 dev eth0
