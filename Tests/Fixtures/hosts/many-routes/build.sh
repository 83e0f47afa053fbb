#!/bin/sh
# many-routes: tables long enough that `ip` prints them over many pipe reads (tens of kilobytes).
# - mgmt 198.51.100.10/24 and 2001:db8:a::10/64 (nodad), main's IPv4 default via 198.51.100.1.
# - data 203.0.113.10/24 and 2001:db8:d::10/64 (nodad).
# - main: 100.64.N.0/24 via 198.51.100.1 dev mgmt for N = 0..255, and 2001:db8:1:N::/64 via 2001:db8:a::1 dev mgmt
#   for N = 0..99 (hex 0..63), all protocol static.
# - table 101: 100.65.N.0/24 via 203.0.113.1 dev data for N = 0..199, and 2001:db8:2:N::/64 via 2001:db8:d::1
#   dev data for N = 0..99 (hex), all protocol 177; rules 1000 from 203.0.113.10 and from 2001:db8:d::10 lookup 101.
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
ip -n "$peer" addr add 203.0.113.1/24 dev up-data
ip -n "$peer" addr add 2001:db8:a::1/64 dev up-mgmt nodad
ip -n "$peer" addr add 2001:db8:d::1/64 dev up-data nodad
ip -n "$peer" link set up-mgmt up
ip -n "$peer" link set up-data up

ip -n "$ns" addr add 198.51.100.10/24 dev mgmt
ip -n "$ns" addr add 2001:db8:a::10/64 dev mgmt nodad
ip -n "$ns" addr add 203.0.113.10/24 dev data
ip -n "$ns" addr add 2001:db8:d::10/64 dev data nodad
ip -n "$ns" link set mgmt up
ip -n "$ns" link set data up
ip -n "$ns" route add default via 198.51.100.1 dev mgmt

# Numbers, not names, for protocols: inside one `ip -batch`, iproute2 (6.1 and still today) caches the last
# protocol name it resolved but overwrites the cached number when it parses a number, so `proto static` after
# `proto 177` installs protocol 177 (lib/rt_names.c, rtnl_rtprot_a2n).
n=0
while [ "$n" -lt 256 ]; do
  echo "route add 100.64.$n.0/24 via 198.51.100.1 dev mgmt proto 4"
  [ "$n" -ge 200 ] || echo "route add 100.65.$n.0/24 via 203.0.113.1 dev data table 101 proto 177"
  if [ "$n" -lt 100 ]; then
    hex=$(printf '%x' "$n")
    echo "route add 2001:db8:1:$hex::/64 via 2001:db8:a::1 dev mgmt proto 4"
    echo "route add 2001:db8:2:$hex::/64 via 2001:db8:d::1 dev data table 101 proto 177"
  fi
  n=$((n + 1))
done | ip -n "$ns" -batch -

ip -n "$ns" rule add from 203.0.113.10 lookup 101 priority 1000
ip -n "$ns" -6 rule add from 2001:db8:d::10 lookup 101 priority 1000
