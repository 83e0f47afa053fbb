#!/bin/sh
# Records the kernel's rule dump (rtnetlink RTM_GETRULE, as NetlinkRules reads it) and `ip -j rule show` of a
# namespace holding a rule of every kind polroute reads, for each family: rules-FAMILY.bin and rules-FAMILY.json.
# Run as root from this directory; the namespace is deleted however the script ends.
set -eu
N=polroute-nlrec
ip netns del $N 2>/dev/null || true
trap 'ip netns del $N 2>/dev/null || true' EXIT
trap 'exit 1' INT TERM HUP
ip netns add $N
ip -n $N link add u0 type veth peer name u1
ip -n $N link set u0 up
ip -n $N link set u1 up
r() { ip -n $N "$@"; }
for F in -4 -6; do
  if [ $F = -4 ]; then A=192.0.2.10; P=198.51.100.0/24; Q=203.0.113.128/25; else A=2001:db8::10; P=2001:db8:100::/40; Q=2001:db8:ff::/64; fi
  r $F rule add from $A lookup 100 priority 100 protocol static
  r $F rule add not from $P to $Q lookup 101 priority 101
  r $F rule add to $Q tos 0x10 lookup main priority 102
  r $F rule add fwmark 0x11 lookup 102 priority 103
  r $F rule add fwmark 0x10/0xf0 lookup 100000 priority 104 protocol 99
  r $F rule add iif u0 oif u1 lookup default priority 105
  r $F rule add uidrange 1000-1999 lookup 103 priority 106
  r $F rule add ipproto tcp sport 1000-2000 dport 443 lookup 104 priority 107
  r $F rule add ipproto udp dport 53 lookup main suppress_prefixlength 0 priority 108
  r $F rule add lookup main suppress_ifgroup 7 priority 109
  r $F rule add lookup local suppress_ifgroup default priority 110
  r $F rule add goto 120 priority 111
  r $F rule add nop priority 120
  r $F rule add from $A blackhole priority 121
  r $F rule add to $Q unreachable priority 122
  r $F rule add iif lo prohibit priority 123
  r $F rule add from $P lookup 105 priority 124 protocol kernel
  r $F rule add l3mdev priority 125
  # Not masked by the kernel: the address keeps its host bits, the length says what counts.
  r $F rule add to $A/32 lookup 106 priority 126
done
r -4 rule add from 192.0.2.0/26 lookup 107 realms 3/5 priority 130
r -4 rule add to 198.51.100.7 lookup 107 realms 7 priority 131
for F in inet inet6; do
  ip netns exec $N python3 - $F > rules-$F.bin <<'PY'
import socket, struct, sys
family = {'inet': 2, 'inet6': 10}[sys.argv[1]]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.send(struct.pack('=IHHII', 28, 34, 0x301, 7, 0) + bytes([family]) + bytes(11))  # RTM_GETRULE, NLM_F_DUMP
out = b''
done = False
while not done:
    data = s.recv(65536)
    out += data
    offset = 0
    while offset < len(data):
        length, kind = struct.unpack_from('=IH', data, offset)
        done = done or kind == 3  # NLMSG_DONE
        offset += (length + 3) & ~3
sys.stdout.buffer.write(out)
PY
  if [ $F = inet ]; then ip -n $N -4 -j rule show; else ip -n $N -6 -j rule show; fi > rules-$F.json
done
