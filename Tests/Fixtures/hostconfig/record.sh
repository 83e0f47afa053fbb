#!/bin/sh
# Records the real files under Tests/Fixtures/hostconfig that the programs themselves write: DHCP leases from
# dhclient, dhcpcd and systemd-networkd (each against dnsmasq, inside network namespaces), networkd's link state,
# NetworkManager keyfiles from `nmcli --offline`, and the networkd and NetworkManager files `netplan generate`
# renders from the netplan YAML in netplan/input. See README.md for what is recorded and what is hand-written.
#
# Usage (as root): Tests/Fixtures/hostconfig/record.sh
# Needs: iproute2, isc-dhcp-client, dhcpcd-base, dnsmasq-base, systemd (networkd), network-manager (nmcli),
# netplan.io, util-linux (unshare).
#
# Only documentation addresses are used (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32), traffic stays between the
# two namespaces, and the namespaces are deleted however the script ends. The clients never touch the host's own
# files: dhclient runs with `-sf /bin/true` (no script, so no resolv.conf change) and its own lease file; dhcpcd and
# networkd run in a private mount namespace with tmpfs over /run, /var/lib/dhcpcd and /etc/systemd/network.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (it creates network namespaces)" >&2; exit 1; }
for tool in ip dhclient dhcpcd dnsmasq nmcli netplan unshare; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing" >&2; exit 1; }
done

suffix="$$"
server="hcrec-srv-$suffix"
client="hcrec-cli-$suffix"
work=$(mktemp -d "${TMPDIR:-/tmp}/polroute-hostconfig.XXXXXX")
dnsmasq_pid=

cleanup() {
  status=$?
  trap - EXIT INT TERM HUP
  [ -z "$dnsmasq_pid" ] || kill "$dnsmasq_pid" 2>/dev/null || true
  if [ -f "$work/dhclient.pid" ]; then kill "$(cat "$work/dhclient.pid")" 2>/dev/null || true; fi
  for namespace in "$server" "$client"; do
    [ ! -e "/run/netns/$namespace" ] || ip netns delete "$namespace" || echo "$0: could not delete $namespace" >&2
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A DHCP server on 192.0.2.1 (router 192.0.2.1, 1 hour leases) behind a veth pair: hc0 in the client namespace.
start_server() {
  ip netns add "$server"
  ip netns add "$client"
  ip -n "$server" link set lo up
  ip -n "$client" link set lo up
  ip -n "$server" link add name hcs0 type veth peer name hc0 netns "$client"
  ip -n "$server" addr add 192.0.2.1/24 dev hcs0
  ip -n "$server" link set hcs0 up
  ip -n "$client" link set hc0 up
  ip netns exec "$server" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
    --user=root --interface=hcs0 --bind-interfaces --dhcp-authoritative \
    --dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,1h --dhcp-option=option:router,192.0.2.1 \
    --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" &
  dnsmasq_pid=$!
  sleep 1
}

# Waits up to 30 s for a file to exist.
wait_for() {
  tries=0
  while [ ! -s "$1" ] && [ "$tries" -lt 60 ]; do
    sleep 0.5
    tries=$((tries + 1))
  done
  [ -s "$1" ] || { echo "$0: $1 did not appear" >&2; exit 1; }
}

start_server

# dhclient: the lease database ISC dhclient keeps (/var/lib/dhcp/dhclient.IFACE.leases on Debian).
mkdir -p "$here/dhclient/root/var/lib/dhcp"
ip netns exec "$client" dhclient -4 -1 -v -sf /bin/true -lf "$work/dhclient.hc0.leases" -pf "$work/dhclient.pid" \
  hc0 2>"$work/dhclient.log"
wait_for "$work/dhclient.hc0.leases"
ip netns exec "$client" dhclient -x -sf /bin/true -lf "$work/dhclient.hc0.leases" -pf "$work/dhclient.pid" hc0 \
  2>/dev/null || true
cp "$work/dhclient.hc0.leases" "$here/dhclient/root/var/lib/dhcp/dhclient.hc0.leases"

# dhcpcd: the raw DHCP ACK it stores (/var/lib/dhcpcd/IFACE.lease).
mkdir -p "$here/dhcpcd/root/var/lib/dhcpcd"
ip -n "$client" addr flush dev hc0
ip netns exec "$client" unshare --mount --propagation private sh -c '
  mount -t tmpfs -o mode=0755 tmpfs /run && mount -t tmpfs tmpfs /var/lib/dhcpcd &&
  timeout 60 dhcpcd -f /dev/null -c /bin/true -4 -1 -B hc0 >"$1/dhcpcd.log" 2>&1 &&
  cp /var/lib/dhcpcd/hc0.lease "$1/hc0.lease"' sh "$work"
cp "$work/hc0.lease" "$here/dhcpcd/root/var/lib/dhcpcd/hc0.lease"

# systemd-networkd, run by hand with a private /run: its lease and link state for hc0, and the .network file.
networkd_root="$here/networkd/root"
rm -rf "$networkd_root/run"
mkdir -p "$networkd_root/run/systemd/network"
cat >"$networkd_root/run/systemd/network/20-hc0.network" <<'EOF'
[Match]
Name=hc0

[Network]
DHCP=ipv4
IPv6AcceptRA=no
EOF
ip -n "$client" addr flush dev hc0
ip netns exec "$client" unshare --mount --propagation private sh -c '
  set -e
  # A read-only /sys tells networkd that no udev runs, so it configures links without waiting for udev.
  mount -o remount,ro,bind /sys 2>/dev/null || { umount -l /sys && mount -t sysfs -o ro sysfs /sys; }
  mount -t tmpfs -o mode=0755 tmpfs /run
  mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network
  mkdir -p /run/systemd/network
  cp "$2/run/systemd/network/20-hc0.network" /run/systemd/network/
  SYSTEMD_LOG_LEVEL=info /lib/systemd/systemd-networkd >"$1/networkd.log" 2>&1 &
  pid=$!
  tries=0
  while [ -z "$(ls /run/systemd/netif/leases 2>/dev/null)" ] && [ "$tries" -lt 60 ]; do sleep 0.5; tries=$((tries + 1)); done
  sleep 1
  mkdir -p "$1/netif"
  cp -R /run/systemd/netif/leases /run/systemd/netif/links "$1/netif/"
  kill "$pid"
  wait "$pid" || true' sh "$work" "$networkd_root"
[ -n "$(ls "$work/netif/leases")" ] || { echo "$0: networkd wrote no lease; see its log:" >&2; cat "$work/networkd.log" >&2; exit 1; }
mkdir -p "$networkd_root/run/systemd/netif"
cp -R "$work/netif/leases" "$work/netif/links" "$networkd_root/run/systemd/netif/"
ip -n "$client" -j link show hc0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])' \
  >"$here/networkd/hc0.ifindex"

# NetworkManager keyfiles as nmcli writes them (nmcli --offline prints the keyfile; nothing runs).
keyfiles="$here/networkmanager/root/etc/NetworkManager/system-connections"
mkdir -p "$keyfiles"
nmcli --offline connection add type ethernet con-name uplink ifname eth1 ipv4.method manual \
  ipv4.addresses 198.51.100.10/24 ipv4.gateway 198.51.100.1 ipv6.method manual \
  ipv6.addresses 2001:db8:1::10/64 ipv6.gateway 2001:db8:1::1 >"$keyfiles/uplink.nmconnection"
nmcli --offline connection add type ethernet con-name "lan dhcp" ifname eth0 ipv4.method auto ipv6.method auto \
  >"$keyfiles/lan dhcp.nmconnection"
nmcli --offline connection add type ethernet con-name routed ifname eth2 ipv4.method manual \
  ipv4.addresses 203.0.113.10/24 ipv4.routes "0.0.0.0/0 203.0.113.1 table=254, 192.0.2.0/24 203.0.113.2 table=200" \
  >"$keyfiles/routed.nmconnection"
nmcli --offline connection add type wifi con-name "home wifi" ifname wlan0 ssid "example net" \
  wifi-sec.key-mgmt wpa-psk wifi-sec.psk "not-a-real-psk-0123" ipv4.method auto >"$keyfiles/home wifi.nmconnection"
chmod 600 "$keyfiles"/*.nmconnection

# netplan: what `netplan generate` renders from each input tree (networkd and NetworkManager files).
for tree in "$here"/netplan/*/; do
  [ -d "$tree/input" ] || continue
  rm -rf "$tree/root"
  mkdir -p "$work/netplan"
  rm -rf "$work/netplan/"*
  cp -R "$tree/input/." "$work/netplan/"
  find "$work/netplan" -name '*.yaml' -exec chmod 600 {} +
  netplan generate --root-dir "$work/netplan" 2>"$work/netplan.log" || {
    echo "$0: netplan generate failed for $tree:" >&2
    cat "$work/netplan.log" >&2
    exit 1
  }
  [ ! -s "$work/netplan.log" ] || { echo "$0: netplan generate warned for $tree:" >&2; cat "$work/netplan.log" >&2; exit 1; }
  mkdir -p "$tree/root"
  cp -R "$work/netplan/." "$tree/root/"
  # Links netplan makes that point outside the tree (udev rules, service wants) are not needed by the reader.
  find "$tree/root" -type l -delete
done

echo "recorded: dhclient, dhcpcd, networkd, networkmanager, netplan"
