#!/bin/sh
# docker-host: an uplink eth0 198.51.100.10/24 (default via 198.51.100.1) and Docker's default bridge docker0
# (172.17.0.1/16, as dockerd creates it) with one container's veth (vethc0ffee) enslaved; the container's end
# (172.17.0.2/16) lives in the upstream namespace. Docker turns forwarding on.
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" link set up-eth0 up
ip -n "$ns" addr add 198.51.100.10/24 dev eth0
ip -n "$ns" link set eth0 up
ip -n "$ns" route add default via 198.51.100.1 dev eth0

ip -n "$ns" link add name docker0 type bridge
ip -n "$ns" addr add 172.17.0.1/16 brd 172.17.255.255 dev docker0
ip -n "$ns" link add name vethc0ffee type veth peer name container0 netns "$peer"
ip -n "$ns" link set vethc0ffee master docker0
ip -n "$peer" addr add 172.17.0.2/16 dev container0
ip -n "$peer" link set container0 up
ip -n "$ns" link set vethc0ffee up
ip -n "$ns" link set docker0 up
