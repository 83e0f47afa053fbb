#!/usr/bin/env python3
"""Makes a host recording reproducible by rewriting the values that change on every run.

Usage: normalize-recording.py DIR   (DIR holds addr.json, rule-*.json, route-*.json as `ip -j` printed them)

What changes, and into what:
- MAC addresses of the links (each link's `address`/`permaddr`) become 02:00:00:00:00:01, ...:02, ... numbered
  in order of first appearance by ifindex; a MAC shared by two links (a bridge takes its port's) keeps one number.
  The same MAC inside bridge ids (`8000.e:9:9b:67:44:d1`, which iproute2 prints without zero padding) follows.
- IPv6 addresses whose interface identifier was derived from one of those MACs (modified EUI-64: link-local
  addresses, SLAAC addresses) get the identifier of the new MAC.
- Bridge and bridge-port timers (`*_timer`, seconds left on a running timer) become 0.00.
- The kernel lists an IPv6 table's /128 local routes in address order; once link-local addresses are rewritten
  that order is the random MACs', so runs of them in the local table are sorted again by their new address.
- Finite address lifetimes (`valid_life_time`, `preferred_life_time` other than 4294967295) and route `expires`
  count down while the recorder runs; they are rounded up to a multiple of 60 s, which gives back the value
  build.sh configured as long as recording takes less than a minute.

The files are edited as text, not re-serialised, so everything else stays byte for byte what `ip` printed.
"""

import ipaddress
import json
import os
import re
import sys

FOREVER = 4294967295
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def unpadded(mac):
  """The form iproute2 prints inside bridge ids: each byte without a leading zero."""
  return ":".join(format(int(part, 16), "x") for part in mac.split(":"))


def interface_id(mac):
  """The 64-bit interface identifier the kernel derives from a MAC (modified EUI-64)."""
  octets = [int(part, 16) for part in mac.split(":")]
  octets[0] ^= 0x02
  return int.from_bytes(bytes(octets[:3] + [0xFF, 0xFE] + octets[3:]), "big")


def with_new_interface_id(match, identifiers):
  """Rewrites one quoted IPv6 address if its interface identifier came from a recorded MAC."""
  try:
    address = int(ipaddress.IPv6Address(match.group(1)))
  except ValueError:
    return match.group(0)
  low = address & 0xFFFFFFFFFFFFFFFF
  if low not in identifiers:
    return match.group(0)
  # Python prints RFC 5952 text, as glibc's inet_ntop (which iproute2 uses) does.
  return '"%s"' % ipaddress.IPv6Address(address - low + identifiers[low])


def round_up(seconds):
  """Rounds a countdown up to the next multiple of 60 seconds (0 stays 0)."""
  return (seconds + 59) // 60 * 60


def lifetime(match):
  """Rounds one finite lifetime field."""
  value = int(match.group(2))
  return match.group(1) + str(value if value == FOREVER else round_up(value))


def elements(text):
  """The raw text of each element of the top-level JSON array in `text`, and the text around them."""
  decoder = json.JSONDecoder()
  start = text.index("[") + 1
  position = start
  spans = []
  while True:
    while text[position] in " \n,":
      position += 1
    if text[position] == "]":
      return text[:start], [text[a:b] for a, b in spans], text[position:]
    _, end = decoder.raw_decode(text, position)
    spans.append((position, end))
    position = end


def sort_local_ipv6(text):
  """Sorts each run of /128 local routes of the IPv6 local table by address, as the kernel's walk lists them."""
  head, items, tail = elements(text)

  def local_address(item):
    route = json.loads(item)
    if route.get("type") == "local" and route.get("table") == "local" and "/" not in route["dst"]:
      return int(ipaddress.IPv6Address(route["dst"]))
    return None

  result = []
  run = []
  for item in items + [None]:
    key = local_address(item) if item is not None else None
    if key is not None:
      run.append((key, item))
      continue
    result += [entry for _, entry in sorted(run, key=lambda pair: pair[0])]
    run = []
    if item is not None:
      result.append(item)
  return head + ",".join(result) + tail


def main(directory):
  with open(os.path.join(directory, "addr.json")) as handle:
    links = json.load(handle)

  # Number the MACs in ifindex order, so the same build gives the same numbers.
  macs = {}
  for link in sorted(links, key=lambda link: link["ifindex"]):
    for field in ("address", "permaddr"):
      mac = link.get(field, "")
      if MAC.match(mac) and mac != "00:00:00:00:00:00" and mac != "ff:ff:ff:ff:ff:ff" and mac not in macs:
        macs[mac] = "02:00:00:00:%02x:%02x" % ((len(macs) + 1) >> 8, (len(macs) + 1) & 0xFF)

  identifiers = {interface_id(old): interface_id(new) for old, new in macs.items()}

  for name in sorted(os.listdir(directory)):
    if not name.endswith(".json"):
      continue
    path = os.path.join(directory, name)
    with open(path) as handle:
      text = handle.read()
    original = text
    for old, new in macs.items():
      text = text.replace('"%s"' % old, '"%s"' % new)
      text = text.replace('.%s"' % unpadded(old), '.%s"' % unpadded(new))
    # A JSON string value starts after `:`, `[` or `,`; the lookbehind keeps `":"` between a key and a value out.
    quoted_ipv6 = r'(?<=[:\[,])"([0-9a-f:]*:[0-9a-f:]*)"'
    text = re.sub(quoted_ipv6, lambda match: with_new_interface_id(match, identifiers), text)
    text = re.sub(r'("[a-z_]+_timer":)[0-9]+\.[0-9]+', r"\g<1>0.00", text)
    text = re.sub(r'("(?:valid|preferred)_life_time":)([0-9]+)', lifetime, text)
    text = re.sub(r'("expires":)([0-9]+)', lambda match: match.group(1) + str(round_up(int(match.group(2)))), text)
    if name.startswith("route-inet6-"):
      text = sort_local_ipv6(text)
    # Still the same JSON shape: a failure here means a substitution went wrong.
    json.loads(text)
    if text != original:
      with open(path, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
  if len(sys.argv) != 2:
    sys.exit("usage: normalize-recording.py DIR")
  main(sys.argv[1])
