#!/usr/bin/env python3
"""Sends one IPv6 router advertisement, as a router upstream of a fixture host would.

Usage (inside the router's namespace): send-ra.py IFACE SOURCE PREFIX/64 ROUTER_LIFETIME

The advertisement goes to all nodes (ff02::1) from SOURCE (a link-local address on IFACE) with hop limit 255,
announces a default router lifetime of ROUTER_LIFETIME seconds and PREFIX as on-link and autonomous (valid 30 days,
preferred 7 days), so the host's kernel installs a `proto ra` default route that expires and a SLAAC address.
"""

import ipaddress
import socket
import struct
import sys


def main(interface, source, prefix_text, router_lifetime):
  prefix = ipaddress.IPv6Network(prefix_text)
  index = socket.if_nametoindex(interface)
  # Type 134, code 0, checksum (the kernel fills it in on ICMPv6 raw sockets), hop limit 64, no M/O flags,
  # router lifetime, reachable time and retransmission timer left to the host.
  message = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, router_lifetime, 0, 0)
  # Prefix information: type 3, 4 units of 8 bytes, length, L and A flags, valid and preferred lifetimes.
  message += struct.pack("!BBBBIII", 3, 4, prefix.prefixlen, 0xC0, 2592000, 604800, 0) + prefix.network_address.packed
  sender = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
  sender.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
  sender.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
  sender.bind((source, 0, 0, index))
  sender.sendto(message, ("ff02::1", 0, 0, index))


if __name__ == "__main__":
  if len(sys.argv) != 5:
    sys.exit("usage: send-ra.py IFACE SOURCE PREFIX/64 ROUTER_LIFETIME")
  main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
