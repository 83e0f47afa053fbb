#!/bin/sh
# Produces ip/route-inet-all.json and ip/route-inet6-all.json of kinds-handwritten, whose links (bond, vlan, VRF,
# GRE, WireGuard) the recording kernel cannot create: veths named like those links carry the same addresses, so
# the kernel itself makes and prints the routes; what a VRF would do (put its member's connected, local and
# multicast routes into table 10) is done by hand. Runs as root, in namespaces it deletes however it ends.
# Usage: Tests/Fixtures/hosts/kinds-handwritten/emulate-routes.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
suffix="$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
ns="polroute-emu-$suffix"
peer="polroute-emu-up-$suffix"
for candidate in "$ns" "$peer"; do
  [ ! -e "/run/netns/$candidate" ] || { echo "$0: namespace $candidate exists" >&2; exit 1; }
done
cleanup() {
  status=$?
  trap - EXIT INT TERM HUP
  for candidate in "$ns" "$peer"; do
    if [ -e "/run/netns/$candidate" ]; then ip netns delete "$candidate" || true; fi
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link set lo up
# Link-local addresses are given by hand, as the real links would derive them (or not: bond slaves, wg0).
ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.addr_gen_mode=1
for link in eth0 eno1 eno2 mgmt0 bond0 eth0.100 gre1 wg0; do
  ip -n "$ns" link add name "$link" type veth peer name "p$(printf '%s' "$link" | tr -d '.')" netns "$peer"
done
for link in $(ip -n "$peer" -o link show | sed -n 's/^[0-9]*: \(p[^@:]*\).*/\1/p'); do
  ip -n "$peer" link set "$link" up
done

ip -n "$ns" addr add 198.51.100.10/24 brd 198.51.100.255 dev eth0
ip -n "$ns" addr add fe80::ff:fe00:1/64 dev eth0 nodad
ip -n "$ns" addr add 203.0.113.10/24 dev bond0
ip -n "$ns" addr add fe80::ff:fe00:2/64 dev bond0 nodad
ip -n "$ns" addr add 192.0.2.10/24 dev eth0.100
ip -n "$ns" addr add fe80::ff:fe00:1/64 dev eth0.100 nodad
ip -n "$ns" addr add 100.64.2.1 peer 100.64.2.2/30 dev gre1
ip -n "$ns" addr add fe80::5efe:c633:640a/64 dev gre1 nodad
ip -n "$ns" addr add 100.64.3.1/24 dev wg0
ip -n "$ns" addr add 2001:db8:f::1/64 dev wg0 nodad
# mgmt0 is in VRF vrf-mgmt (table 10): its routes belong there, not in main and local.
ip -n "$ns" addr add 100.64.1.10/24 dev mgmt0 noprefixroute
ip -n "$ns" addr add fe80::ff:fe00:5/64 dev mgmt0 nodad noprefixroute
for link in eth0 eno1 eno2 mgmt0 bond0 eth0.100 gre1 wg0; do ip -n "$ns" link set "$link" up; done
sleep 2
ip -n "$ns" route add default via 198.51.100.1 dev eth0

# (A source address must be local when the route is added, so table 10 is filled before local is emptied.)
ip -n "$ns" route add 100.64.1.0/24 dev mgmt0 table 10 proto kernel scope link src 100.64.1.10
ip -n "$ns" route add local 100.64.1.10 dev mgmt0 table 10 proto kernel scope host src 100.64.1.10
ip -n "$ns" route add broadcast 100.64.1.255 dev mgmt0 table 10 proto kernel scope link src 100.64.1.10
ip -n "$ns" route del local 100.64.1.10 table local
ip -n "$ns" route del broadcast 100.64.1.255 table local
ip -n "$ns" -6 route add fe80::/64 dev mgmt0 table 10 proto kernel metric 256
ip -n "$ns" -6 route add local fe80::ff:fe00:5 dev mgmt0 table 10 proto kernel metric 0
ip -n "$ns" -6 route add multicast ff00::/8 dev mgmt0 table 10 proto kernel metric 256
ip -n "$ns" -6 route del local fe80::ff:fe00:5 dev mgmt0 table local
ip -n "$ns" -6 route del multicast ff00::/8 dev mgmt0 table local
# Bond slaves carry no IPv6 at all (addrconf skips IFF_SLAVE devices): no multicast route either.
for link in eno1 eno2; do
  ip -n "$ns" -6 route del multicast ff00::/8 dev "$link" table local
done

for option in -4 -6; do
  family=inet
  [ "$option" = -4 ] || family=inet6
  printf 'route show table all\n' | ip -n "$ns" "$option" -j -batch - >"$here/ip/route-$family-all.json"
done
# The kernel gives the local routes it makes metric 0; one added by hand gets IPv6's default 1024.
local='"type":"local","dst":"fe80::ff:fe00:5","dev":"mgmt0","table":"10","protocol":"kernel","metric":'
sed -i "s/$local"'1024/'"$local"'0/' "$here/ip/route-inet6-all.json"
echo "wrote $here/ip/route-inet-all.json and route-inet6-all.json"
