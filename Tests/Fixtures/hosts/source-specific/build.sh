#!/bin/sh
# source-specific: IPv6 multihoming with source-specific routes in main (as homenet routers and OpenWrt's netifd
# set them up): each uplink's default applies only to packets from that uplink's prefix.
# - mgmt 198.51.100.10/24 (main's IPv4 default via 198.51.100.1) and 2001:db8:a::10/64 (nodad).
# - data 2001:db8:d::10/64 (nodad).
# - main: default from 2001:db8:a::/64 via 2001:db8:a::1 dev mgmt; default from 2001:db8:d::/64 via 2001:db8:d::1
#   dev data; 2001:db8:ee::/48 from 2001:db8:d::10 (a single address) via 2001:db8:d::1 dev data.
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
ip -n "$peer" addr add 2001:db8:a::1/64 dev up-mgmt nodad
ip -n "$peer" addr add 2001:db8:d::1/64 dev up-data nodad
ip -n "$peer" link set up-mgmt up
ip -n "$peer" link set up-data up

ip -n "$ns" addr add 198.51.100.10/24 dev mgmt
ip -n "$ns" addr add 2001:db8:a::10/64 dev mgmt nodad
ip -n "$ns" addr add 2001:db8:d::10/64 dev data nodad
ip -n "$ns" link set mgmt up
ip -n "$ns" link set data up
ip -n "$ns" route add default via 198.51.100.1 dev mgmt
ip -n "$ns" -6 route add default from 2001:db8:a::/64 via 2001:db8:a::1 dev mgmt
ip -n "$ns" -6 route add default from 2001:db8:d::/64 via 2001:db8:d::1 dev data
ip -n "$ns" -6 route add 2001:db8:ee::/48 from 2001:db8:d::10 via 2001:db8:d::1 dev data
