#!/bin/sh
# Records one fixture host: builds it in fresh network namespaces with hosts/NAME/build.sh, saves what polroute's
# StateReader reads (the `ip -j` output as ReplayRunner expects it, and the files under /proc and /etc), makes the
# recording reproducible with normalize-recording.py, and deletes the namespaces it made, whatever happens.
#
# Usage (as root): Tests/Fixtures/record-host.sh NAME
#
# build.sh is called as `build.sh HOST_NS PEER_NS ETC`: it creates the namespace HOST_NS (the host being recorded)
# and, when it needs the far ends of its links, PEER_NS (the routers and switches upstream); ETC stands for the
# host's /etc, seeded with Debian 12's stock /etc/iproute2 files (debian12/iproute2), where build.sh writes
# rt_tables.d or rt_protos.d entries. Every `ip` command of the recording runs with ETC/iproute2 mounted over
# /etc/iproute2 in a private mount namespace, so `ip` prints the host's names (tables, protocols, DSCP values)
# exactly as it would on that host; nothing outside the namespaces is changed.
#
# Recorded (into hosts/NAME/ip, replacing what was there), as ReplayRunner names them:
#   addr.json                                  ip -d -j addr show
#   rule-inet.json, route-inet-all.json        ip -4 -j -batch -  <<< "rule show", "route show table all"
#   rule-inet6.json, route-inet6-all.json      ip -6 -j -batch -  <<< the same
# which is exactly what StateReader runs.
# Captured (into hosts/NAME/root): proc/sys/net/ipv4/conf/{all,default,IFACE}/rp_filter for every interface;
# etc/iproute2/rt_tables, rt_protos and their .d directories (from ETC after build.sh). Written:
# proc/sys/kernel/hostname (polroute-test-NAME; `ip netns` does not give the namespace its own host name) and
# etc/os-release (Debian 12's).
set -eu

usage() {
  echo "usage: $0 NAME  (builds and records Tests/Fixtures/hosts/NAME)" >&2
  exit 2
}
[ $# -eq 1 ] || usage
name=$1
case $name in *[!a-z0-9-]* | '') usage ;; esac
here=$(cd "$(dirname "$0")" && pwd)
host="$here/hosts/$name"
[ -f "$host/build.sh" ] || { echo "$0: no $host/build.sh" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (it creates network namespaces)" >&2; exit 1; }

suffix="$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
ns="polroute-rec-$suffix"
peer="polroute-up-$suffix"
for candidate in "$ns" "$peer"; do
  if [ -e "/run/netns/$candidate" ] || [ -e "/var/run/netns/$candidate" ]; then
    echo "$0: namespace $candidate already exists; not touching it" >&2
    exit 1
  fi
done
build=
work=$(mktemp -d "${TMPDIR:-/tmp}/polroute-record.XXXXXX")

# Runs on every exit, failure and signal included: the namespaces named above did not exist before, so whatever
# holds those names now was made by this run.
cleanup() {
  status=$?
  trap - EXIT INT TERM HUP
  if [ -n "$build" ]; then
    kill "$build" 2>/dev/null || true
    wait "$build" 2>/dev/null || true
  fi
  for candidate in "$ns" "$peer"; do
    if [ -e "/run/netns/$candidate" ] || [ -e "/var/run/netns/$candidate" ]; then
      ip netns delete "$candidate" || echo "$0: could not delete namespace $candidate" >&2
    fi
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/etc/iproute2/rt_tables.d" "$work/ip" "$work/root"
mkdir -p "$work/etc/iproute2/rt_protos.d"
cp "$here"/debian12/iproute2/* "$work/etc/iproute2/"

# In the background so that a signal interrupts `wait` at once; cleanup stops build.sh before deleting.
sh "$host/build.sh" "$ns" "$peer" "$work/etc" &
build=$!
wait "$build"
build=

# `ip` of the host, seeing the host's /etc/iproute2.
hostip() {
  unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/iproute2 && shift && exec ip "$@"' \
    sh "$work/etc/iproute2" -n "$ns" "$@"
}

# Carrier comes up a moment after `ip link set up` (the kernel's link watch runs up to a second later), and only
# then do IPv6 link-local addresses appear, `tentative` while duplicate address detection runs. Give carriers two
# seconds, then wait (up to 15 s more) until no address is tentative, so the recording shows the host settled.
# A link left without carrier on purpose keeps NO-CARRIER; give its addresses `nodad` or recording waits 15 s.
sleep 2
tries=0
while [ -n "$(ip -n "$ns" -6 addr show tentative)" ] && [ "$tries" -lt 30 ]; do
  sleep 0.5
  tries=$((tries + 1))
done

hostip -d -j addr show >"$work/ip/addr.json"
# Rules and routes are read the way StateReader reads them, one `ip -batch` per family, and the answers split
# into one file per command. It matters: a lone `ip -j route show table N` asks the kernel for a strict dump, while
# `ip -batch` does not and filters in user space, which prints differently at the edges (a table with no routes in
# that family is an error alone, `[]` in a batch).
for family in inet inet6; do
  option=-4
  [ "$family" = inet ] || option=-6
  printf 'rule show\nroute show table all\n' | hostip "$option" -j -batch - >"$work/answers-$family"
  python3 - "$work/answers-$family" "$work/ip/rule-$family.json" "$work/ip/route-$family-all.json" <<'EOF_SPLIT'
import json, sys
text = open(sys.argv[1]).read()
decoder = json.JSONDecoder()
position = 0
for name in sys.argv[2:]:
  while text[position].isspace():
    position += 1
  _, end = decoder.raw_decode(text, position)
  with open(name, "w") as handle:
    handle.write(text[position:end] + "\n")
  position = end
if text[position:].strip():
  sys.exit("record-host.sh: ip printed more answers than commands")
EOF_SPLIT
done

python3 "$here/normalize-recording.py" "$work/ip"

interfaces=$(python3 -c 'import json, sys; print(" ".join(l["ifname"] for l in json.load(open(sys.argv[1]))))' \
  "$work/ip/addr.json")
for conf in all default $interfaces; do
  mkdir -p "$work/root/proc/sys/net/ipv4/conf/$conf"
  ip netns exec "$ns" cat "/proc/sys/net/ipv4/conf/$conf/rp_filter" \
    >"$work/root/proc/sys/net/ipv4/conf/$conf/rp_filter"
done
mkdir -p "$work/root/proc/sys/kernel" "$work/root/etc"
echo "polroute-test-$name" >"$work/root/proc/sys/kernel/hostname"
cp "$here/debian12/os-release" "$work/root/etc/os-release"
# The files the reader reads: table and protocol names.
mkdir -p "$work/root/etc/iproute2"
cp "$work/etc/iproute2/rt_tables" "$work/etc/iproute2/rt_protos" "$work/root/etc/iproute2/"
for directory in rt_tables.d rt_protos.d; do
  if [ -n "$(ls "$work/etc/iproute2/$directory")" ]; then
    cp -R "$work/etc/iproute2/$directory" "$work/root/etc/iproute2/$directory"
  fi
done

rm -rf "$host/ip" "$host/root"
cp -R "$work/ip" "$host/ip"
cp -R "$work/root" "$host/root"
echo "recorded $name: $(ls "$host/ip" | tr '\n' ' ')"
