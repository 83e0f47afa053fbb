#!/bin/sh
# dual-stack: mgmt and data with IPv4 and IPv6, IPv6 configured the way a router configures it.
# - mgmt 198.51.100.10/24 (main's IPv4 default via 198.51.100.1) and 2001:db8:a::10/64 (nodad).
# - data 203.0.113.10/24 and 2001:db8:d::10/64 (nodad); no IPv4 gateway.
# - a router on each link (fe80::1) sends one real router advertisement (router lifetime 1800 s, prefix
#   2001:db8:a::/64 or 2001:db8:d::/64 autonomous): the kernel adds `proto ra` defaults via fe80::1 on both, with
#   the same metric and an expiry, SLAAC addresses, and expiring prefix routes.
# - 2001:db8:ffff::/48 spread over both routers' global addresses (IPv6 multipath, weights 1 and 2).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2
fixtures=$(cd "$(dirname "$0")/../.." && pwd)

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=2
ip -n "$ns" link set lo up

ip -n "$ns" link add name mgmt type veth peer name up-mgmt netns "$peer"
ip -n "$ns" link add name data type veth peer name up-data netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-mgmt
ip -n "$peer" addr add 203.0.113.1/24 dev up-data
ip -n "$peer" addr add fe80::1/64 dev up-mgmt nodad
ip -n "$peer" addr add fe80::1/64 dev up-data nodad
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
ip -n "$ns" -6 route add 2001:db8:ffff::/48 \
  nexthop via 2001:db8:a::1 dev mgmt weight 1 nexthop via 2001:db8:d::1 dev data weight 2

# The host listens to advertisements once its links have a carrier.
tries=0
while ip -n "$ns" link show | grep -q NO-CARRIER; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "build.sh: links got no carrier" >&2; exit 1; }
  sleep 0.2
done
ip netns exec "$peer" python3 "$fixtures/send-ra.py" up-mgmt fe80::1 2001:db8:a::/64 1800
ip netns exec "$peer" python3 "$fixtures/send-ra.py" up-data fe80::1 2001:db8:d::/64 1800
tries=0
while [ "$(ip -n "$ns" -6 route show default proto ra | wc -l)" -lt 2 ]; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "build.sh: the router advertisements were not taken" >&2; exit 1; }
  sleep 0.2
done
