#!/bin/sh
# dhcp-interface: eth0 configured as NetworkManager configures a DHCP lease.
# - 198.51.100.10/24 brd 198.51.100.255, lease 3600 s (dynamic), noprefixroute; the prefix route added by the
#   client with metric 100, and default via 198.51.100.1 proto dhcp src 198.51.100.10 metric 100.
# - 198.51.100.20/24, an old lease still valid for 600 s but no longer preferred (secondary, deprecated).
# - 2001:db8:a::20/128 from DHCPv6 (valid 7200 s, preferred 3600 s, noprefixroute, nodad).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name eth0 type veth peer name up-eth0 netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-eth0
ip -n "$peer" link set up-eth0 up

ip -n "$ns" addr add 198.51.100.10/24 brd + dev eth0 valid_lft 3600 preferred_lft 3600 noprefixroute
ip -n "$ns" addr add 198.51.100.20/24 brd + dev eth0 valid_lft 600 preferred_lft 0 noprefixroute
ip -n "$ns" addr add 2001:db8:a::20/128 dev eth0 valid_lft 7200 preferred_lft 3600 noprefixroute nodad
ip -n "$ns" link set eth0 up
ip -n "$ns" route add 198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.10 metric 100
ip -n "$ns" route add default via 198.51.100.1 dev eth0 proto dhcp src 198.51.100.10 metric 100
