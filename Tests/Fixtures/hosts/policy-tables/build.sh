#!/bin/sh
# policy-tables: a host that already routes by source. rt_tables.d names 101 mgmt and 102 data.
# - mgmt 198.51.100.10/24 (main's default via 198.51.100.1); data 203.0.113.10/24 and 2001:db8:d::10/64 (nodad).
# - table 101 (mgmt), all protocol 177: link route with src, default via 198.51.100.1, unreachable default at
#   metric 4278198272 (a last resort) in both families.
# - table 102 (data): IPv4 link route with src and default via 203.0.113.1 (protocol boot, not polroute's),
#   blackhole 192.0.2.0/24 (protocol static); IPv6 link route and default via 2001:db8:d::1 (protocol 177),
#   blackhole 2001:db8:bad::/48 (protocol static).
# - rules: 900 lookup main suppress_prefixlength 0; 1000 from 198.51.100.10 lookup mgmt (177); 1001 from
#   203.0.113.10 lookup data; 1100 fwmark 0x2/0xff lookup data (177); 1200 from 100.64.0.0/10 lookup 103 (an empty
#   table); 1300 iif data lookup data; 1400 to 192.0.2.0/24 prohibit (177); IPv6 1001 from 2001:db8:d::10 lookup
#   data (177).
# - rp_filter: all 2, default 1, mgmt 0, data 1 (effective: 2 on both).
# Usage: build.sh HOST_NS PEER_NS ETC (see ../../record-host.sh).
set -eu
ns=$1 peer=$2 etc=$3

printf '# Uplink tables\n101\tmgmt\n102\tdata\n' >"$etc/iproute2/rt_tables.d/uplinks.conf"

ip netns add "$ns"
ip netns add "$peer"
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=1
ip -n "$ns" link set lo up

ip -n "$ns" link add name mgmt type veth peer name up-mgmt netns "$peer"
ip -n "$ns" link add name data type veth peer name up-data netns "$peer"
ip -n "$peer" addr add 198.51.100.1/24 dev up-mgmt
ip -n "$peer" addr add 203.0.113.1/24 dev up-data
ip -n "$peer" addr add 2001:db8:d::1/64 dev up-data nodad
ip -n "$peer" link set up-mgmt up
ip -n "$peer" link set up-data up
ip netns exec "$ns" sysctl -q -w net.ipv4.conf.mgmt.rp_filter=0 net.ipv4.conf.data.rp_filter=1

ip -n "$ns" addr add 198.51.100.10/24 dev mgmt
ip -n "$ns" addr add 203.0.113.10/24 dev data
ip -n "$ns" addr add 2001:db8:d::10/64 dev data nodad
ip -n "$ns" link set mgmt up
ip -n "$ns" link set data up
ip -n "$ns" route add default via 198.51.100.1 dev mgmt

ip -n "$ns" route add 198.51.100.0/24 dev mgmt scope link src 198.51.100.10 table 101 proto 177
ip -n "$ns" route add default via 198.51.100.1 dev mgmt table 101 proto 177
ip -n "$ns" route add unreachable default metric 4278198272 table 101 proto 177
ip -n "$ns" route add 203.0.113.0/24 dev data scope link src 203.0.113.10 table 102
ip -n "$ns" route add default via 203.0.113.1 dev data table 102
ip -n "$ns" route add blackhole 192.0.2.0/24 table 102 proto static
ip -n "$ns" -6 route add 2001:db8:d::/64 dev data table 102 proto 177
ip -n "$ns" -6 route add default via 2001:db8:d::1 dev data table 102 proto 177
ip -n "$ns" -6 route add unreachable default metric 4278198272 table 101 proto 177
ip -n "$ns" -6 route add blackhole 2001:db8:bad::/48 table 102 proto static

ip -n "$ns" rule add lookup main suppress_prefixlength 0 priority 900
ip -n "$ns" rule add from 198.51.100.10 lookup 101 priority 1000 protocol 177
ip -n "$ns" rule add from 203.0.113.10 lookup 102 priority 1001
ip -n "$ns" rule add fwmark 0x2/0xff lookup 102 priority 1100 protocol 177
ip -n "$ns" rule add from 100.64.0.0/10 lookup 103 priority 1200
ip -n "$ns" rule add iif data lookup 102 priority 1300
ip -n "$ns" rule add to 192.0.2.0/24 prohibit priority 1400 protocol 177
ip -n "$ns" -6 rule add from 2001:db8:d::10 lookup 102 priority 1001 protocol 177
