import PolrouteCore

/// The hand-written parts of the manual pages, in roff, next to the generator that adds the command table to them.
/// Facts the code holds (exit statuses, paths, keywords, environment variables) are checked against these pages by
/// Tests/PolrouteCLITests/ManualTests.swift, so a change to one that forgets the other fails there.
enum ManualProse {
  /// What each exit status means; a new `ExitCode` case does not compile until it is described here.
  static func meaning(of code: ExitCode) -> String {
    switch code {
    case .success:
      "Success. With plan --detailed-exitcode: nothing would change. With inspect --check: no warning or error."
    case .failure:
      "A runtime failure (apply rolled back, a file could not be written); with --detailed-exitcode any error;"
        + " with inspect --check: warnings, and no error."
    case .changesPending: "plan --detailed-exitcode: changes are pending. inspect --check: errors."
    case .checkUnknown: "inspect --check: the host (or the snapshot, or the policy) could not be read."
    case .usage: "A usage error: an unknown command or option, a missing or malformed value."
    case .dataError:
      "Invalid data: a policy file or snapshot with errors, each printed as FILE:LINE:COL: error: message."
    }
  }

  /// polroute(8)'s DESCRIPTION.
  static let description = #"""
    .SH DESCRIPTION
    A host with several uplinks answers every packet through its one default route, so replies leave by the wrong
    interface: asymmetric paths, replies dropped by reverse\-path filtering and stateful firewalls, a fast link
    throttled to the speed of a slow one.
    .B polroute
    fixes this with Linux policy routing: one routing table per uplink (its connected prefixes and its own default
    gateway) and
    .B ip rule
    entries that choose a table by source address, and where the policy asks by destination, protocol, port, mark,
    interface or user.
    .PP
    Without a policy file
    .RB ( \-\-policy ,
    else
    .I /etc/polroute.conf
    on a live host) polroute derives the policy from the host: every interface with a global address becomes an
    uplink with a table of its own, numbered from 100 by name, and every address on it gets a
    .B from
    .I ADDR
    .B lookup
    .I TABLE
    rule.
    .BR polroute.conf (5)
    describes the policy file, which adds or overrides tables, gateways, routes and rules.
    .PP
    polroute changes only what it owns: the tables its policy declares, and the rules and routes it marked with
    protocol 177. Everything else is read, reported and left alone, and the main table is never changed.
    Only
    .B apply
    changes the host; it runs the plan through
    .BR "ip \-batch" ,
    verifies the result, and restores the rules and tables it touched on any failure.
    .PP
    Without
    .BR \-\-state ,
    commands read the live host through
    .B ip \-j
    (iproute2 4.17 or newer), which needs no root. With
    .B \-\-state
    .I FILE
    they use a snapshot written by
    .BR "polroute inspect \-\-json" ,
    so a plan can be made for another machine.

    """#

  /// polroute(8)'s ENVIRONMENT.
  static let environment = #"""
    .SH ENVIRONMENT
    .TP
    .B POLROUTE_RUN_DIR
    The directory of apply's lock and of the confirmation handshake between
    .B apply \-\-confirm
    and
    .BR confirm ;
    default
    .IR /run/polroute .
    .TP
    .B NO_COLOR
    When set and not empty, output is never coloured. Colour is used only when standard output is a terminal.
    .TP
    .B TERM
    With
    .BR TERM=dumb ,
    output is never coloured.
    .TP
    .B PATH
    Where polroute finds
    .BR ip .
    .TP
    .B SSH_CONNECTION
    Set by sshd in an SSH session:
    .B apply
    traces the session's replies on the host as the plan would leave it, and refuses a plan that would send them
    another way or nowhere (unless
    .BR \-\-force ).

    """#

  /// polroute(8)'s FILES.
  static let files = #"""
    .SH FILES
    .TP
    .I /etc/polroute.conf
    The policy, when
    .B \-\-policy
    is not given; see
    .BR polroute.conf (5).
    Without it the policy is derived from the host.
    .TP
    .I /run/polroute/lock
    Held by apply, so that one apply runs at a time.
    .TP
    .IR /run/polroute/pending ", " /run/polroute/confirmed. PID
    The confirmation handshake of
    .B apply \-\-confirm
    and
    .BR "polroute confirm" .
    .TP
    .I /etc/iproute2/rt_tables.d/polroute.conf
    The names of the tables polroute owns (format rt_tables). With an iproute2 too old to read rt_tables.d (before
    4.4), a block marked as polroute's in
    .I /etc/iproute2/rt_tables
    instead.
    .TP
    .IR /etc/iproute2/rt_tables ", " /usr/share/iproute2/rt_tables ", their " rt_tables.d ", " rt_protos
    Read for the names of tables and protocols.
    .TP
    .I /etc/network/interfaces.d/polroute
    Debian ifupdown stanzas (format debian).
    .I /etc/network/interfaces
    is read, following its source lines, to check that ifupdown reads them and in which order.
    .TP
    .IR /etc/sysconfig/network\-scripts/route\- IFACE ", " rule\- IFACE ", " route6\- IFACE ", " rule6\- IFACE
    RHEL network\-scripts files (format rhel).
    .TP
    .IR NAME .network.d/polroute.conf ", " 90\-polroute\- IFACE .network
    In
    .IR /etc/systemd/network :
    systemd\-networkd drop\-ins for the
    .I .network
    file networkd applies to each interface, or a file of polroute's own where none matches (format networkd).
    .TP
    .I /etc/systemd/networkd.conf.d/polroute.conf
    Makes systemd\-networkd keep the rules and routes it did not configure, where some of polroute's are not in its
    configuration (formats networkd and systemd).
    .TP
    .IR apply\-connections.sh ", " IFACE .keyfile
    In
    .IR /etc/polroute/nm :
    the nmcli script that sets polroute's routes and rules in each interface's NetworkManager profile, and the same
    properties as keyfile lines (format nm).
    .I /etc/polroute/nm/apply\-connections.sh
    is run by
    .B apply \-\-persist
    without
    .BR \-\-root .
    .TP
    .I /etc/netplan/90\-polroute.yaml
    Routes and routing policy for the interfaces netplan defines, merged with the user's files (format netplan).
    .TP
    .I /etc/systemd/system/polroute.service
    The boot unit that runs
    .B polroute apply
    once the network is up (format systemd), started at boot by
    .IR /etc/systemd/system/\:multi\-user.target.d/polroute.conf .
    .TP
    .I polroute.sh
    The iproute2 script (format script): on standard output, at
    .BR \-\-output ,
    or at
    .IR DIR /polroute.sh
    with
    .B \-\-root
    .IR DIR .
    .TP
    .IR /var/backups/polroute/ PATH . TIMESTAMP
    Each file
    .B apply \-\-persist
    replaced, outside the directories ifupdown and initscripts read.
    .TP
    .IR /etc/systemd/network ", " /run/systemd/netif ,
    .IR /etc/NetworkManager ", " /run/NetworkManager ,
    .IR /etc/netplan ", " /etc/network/interfaces ,
    .I /etc/sysconfig/network\-scripts
    Read to tell who manages each interface, which
    .B inspect
    shows and from which
    .B apply \-\-persist
    chooses the format of each interface; see
    .I docs/host\-configuration.md
    for every file read.
    .TP
    .I /etc/os\-release
    Read for the distribution, which snapshots record.

    """#

  /// polroute(8)'s EXAMPLES.
  static let examples = #"""
    .SH EXAMPLES
    What is wrong with this host, and what polroute would change:
    .PP
    .RS
    .nf
    polroute inspect
    polroute plan
    .fi
    .RE
    .PP
    Plan for another machine from its snapshot, without root:
    .PP
    .RS
    .nf
    ssh server polroute inspect \-\-json | polroute plan \-\-state \-
    .fi
    .RE
    .PP
    Start a policy file from what polroute derives, then apply it, keep it only if confirmed within two minutes, and
    write the distribution's configuration files:
    .PP
    .RS
    .nf
    polroute policy > /etc/polroute.conf
    polroute apply \-\-confirm 120 \-\-persist
    .fi
    .RE
    .PP
    In a provisioning tool: exit 2 when changes are pending, and the result as JSON:
    .PP
    .RS
    .nf
    polroute plan \-\-detailed\-exitcode \-\-json
    polroute apply \-\-json
    .fi
    .RE
    .PP
    Shell completion for the current bash session, and this manual without installing it:
    .PP
    .RS
    .nf
    source <(polroute completion bash)
    polroute manual | man \-l \-
    .fi
    .RE

    """#

  /// polroute(8)'s SEE ALSO.
  static let seeAlso = #"""
    .SH "SEE ALSO"
    .BR polroute.conf (5),
    .BR ip (8),
    .BR ip\-rule (8),
    .BR ip\-route (8),
    .BR interfaces (5)

    """#

  /// Everything in polroute.conf(5) after its NAME.
  static let policyFile = #"""
    .SH SYNOPSIS
    .I /etc/polroute.conf
    .br
    .B polroute
    .I command
    .B \-\-policy
    .IR FILE [ .json ]
    .SH DESCRIPTION
    The policy says which routing tables polroute owns and which rules and routes they hold. polroute reads
    .I /etc/polroute.conf
    on a live host, or the file
    .B \-\-policy
    names. Without a file the policy is derived from the host, as the statement
    .B auto
    alone would. A file without
    .B auto
    means only what it declares.
    .PP
    One statement per line; a trailing backslash continues it on the next line;
    .B #
    starts a comment; words in double quotes may hold spaces or
    .BR # .
    The words are iproute2's own.
    .B polroute policy
    prints a policy with every table number, gateway and priority explicit, in this syntax.
    .SH STATEMENTS
    .TP
    \fBuplink\fR \fINAME\fR \fBdev\fR \fIIFACE\fR [\fBtable\fR \fIID\fR] [\fBvia\fR \fIGW\fR] \
    [\fBvia6\fR \fIGW6\fR] [\fBonlink\fR] [\fBrealm\fR \fIN\fR]
    A table named
    .I NAME
    for the uplink
    .IR IFACE :
    a link route per connected prefix (IPv4 with
    .B src
    set to the prefix's primary address), a default route via its gateway, and a rule
    .B from
    .I ADDR
    .B lookup
    .I NAME
    for every global address on it. Gateways are discovered as derivation does unless
    .B via
    (IPv4) or
    .B via6
    (IPv6) names them; a gateway must lie in a connected prefix of the device unless
    .B onlink
    is given.
    .B realm
    .I N
    (1\-255) gives the uplink's IPv4 routes that route realm, so that the kernel counts the traffic it routes back
    through the uplink (its route accounting,
    .IR /proc/net/rt_acct );
    .B polroute stats
    shows it. With a realm on any route the kernel validates the source of every packet it receives and caches no
    input route for it, which costs some time per packet: give realms where the figures are wanted.
    .TP
    \fBtable\fR \fINAME\fR [\fIID\fR]
    A table that belongs to no uplink, for
    .B route
    and
    .B rule
    statements.
    .TP
    \fBroute\fR [\fBblackhole\fR|\fBunreachable\fR|\fBprohibit\fR|\fBthrow\fR] \fIPREFIX\fR|\fBdefault\fR \
    [\fBvia\fR \fIGW\fR] [\fBdev\fR \fIIFACE\fR] [\fBonlink\fR] [\fBsrc\fR \fIADDR\fR] [\fBmetric\fR \fIN\fR] \
    \fBtable\fR \fINAME\fR|\fIID\fR
    A route in one of polroute's tables. It replaces an uplink's own route with the same destination and metric.
    Without
    .BR dev ,
    it leaves where its gateway is connected, else through its table's uplink. A route cannot target the tables
    main, local or default.
    .TP
    \fBroute\fR \fIPREFIX\fR|\fBdefault\fR [\fBsrc\fR \fIADDR\fR] [\fBmetric\fR \fIN\fR] \fBtable\fR \fINAME\fR|\fIID\fR \
    \fBnexthop\fR [\fBvia\fR \fIGW\fR] [\fBdev\fR \fIIFACE\fR] [\fBweight\fR \fIN\fR] [\fBonlink\fR] \fBnexthop\fR ...
    A multipath route: the kernel spreads flows over the next hops by a hash of each flow, in proportion to their
    weights (1\-256, default 1). A next hop without
    .B dev
    leaves where its gateway is connected; one next hop is an ordinary route.
    .TP
    \fBbalance\fR \fINAME\fR [\fBtable\fR \fIID\fR] \fBuplinks\fR \fIUPLINK\fR[:\fIWEIGHT\fR]... \
    [\fBhash\fR \fBlayer3\fR|\fBlayer4\fR] [\fBrules\-only\fR]
    .TQ
    \fBfailover\fR \fINAME\fR [\fBtable\fR \fIID\fR] \fBuplinks\fR \fIPRIMARY\fR \fIBACKUP\fR... [\fBrules\-only\fR]
    An uplink group: a table of its own named
    .I NAME
    that
    .B rule
    statements may look up. A
    .B balance
    table holds one multipath default over the uplinks' gateways, by weight; a
    .B failover
    table one default per uplink, by metric in the order given. Unless
    .B rules\-only
    is given, the rule
    .B lookup
    .I NAME
    at priority 32000, after every source rule, sends the group every new outbound connection (one whose source
    address the kernel has not chosen yet); replies and connections with a source address keep leaving by that
    address's uplink, and main's default is left as it is.
    .B hash layer4
    sets
    .B net.ipv4.fib_multipath_hash_policy
    to 1 so that flows to one destination spread by ports too. For every uplink of a group polroute sets
    .B ignore_routes_with_linkdown
    to 1, so a link without carrier leaves the group at once and returns with its carrier. A gateway that dies while
    its link stays up is not detected.
    .TP
    \fBrule\fR \fISELECTOR\fR... \fBlookup\fR|\fBtable\fR \fINAME\fR|\fIID\fR [\fBpriority\fR \fIN\fR] \
    [\fBrealm\fR \fIN\fR]
    .TQ
    \fBrule\fR \fISELECTOR\fR... \fBblackhole\fR|\fBunreachable\fR|\fBprohibit\fR|\fBnop\fR|\fBgoto\fR \fIN\fR \
    [\fBpriority\fR \fIN\fR] [\fBrealm\fR \fIN\fR]
    A policy rule. A rule without addresses applies to both families, with the same priority, unless
    .B family
    restricts it.
    .B priority
    may be written
    .B pref
    or
    .BR preference .
    A
    .B goto
    must jump forward.
    .B realm
    .I N
    (1\-255, IPv4 only, a realm no uplink has) tags the packets the rule forwards with that source realm
    .RB ( "realms N/0" ),
    so that
    .B polroute stats
    counts them per rule class.
    .TP
    \fBexclude\fR \fIIFACE\fR
    Never an uplink.
    .TP
    \fBinclude\fR \fIIFACE\fR
    An uplink candidate under
    .B auto
    even when it is excluded by default (a bridge, a tunnel).
    .TP
    .B auto
    Also derive uplinks for the interfaces no
    .B uplink
    statement names.
    .SH SELECTORS
    .TP
    \fBfrom\fR \fIPREFIX\fR|\fBall\fR, \fBto\fR \fIPREFIX\fR|\fBall\fR
    Source and destination prefixes. Host bits must be clear, and a length with a leading zero (which iproute2
    reads as octal) is refused.
    .TP
    \fBiif\fR \fIIFACE\fR, \fBoif\fR \fIIFACE\fR
    The incoming and outgoing interface.
    .TP
    \fBfwmark\fR \fIV\fR[/\fIM\fR]
    The firewall mark, with an optional mask.
    .TP
    \fBipproto\fR \fINAME\fR|\fIN\fR, \fBsport\fR \fIN\fR|\fIA\-B\fR, \fBdport\fR \fIN\fR|\fIA\-B\fR
    The IP protocol and the source and destination ports or port ranges.
    .TP
    \fBuidrange\fR \fIA\-B\fR
    The user ids of local sockets.
    .TP
    \fBtos\fR \fIV\fR (or \fBdsfield\fR)
    The type of service; an IPv4 rule takes only the TOS bits 0x02\-0x1e.
    .TP
    .B l3mdev
    Look up the table of the VRF device the packet belongs to.
    .TP
    .B not
    Invert the match.
    .TP
    \fBsuppress_prefixlength\fR \fIN\fR
    Reject the lookup's result when its prefix is this long or shorter.
    .TP
    \fBfamily\fR \fBinet\fR|\fBinet6\fR
    Restrict a rule without addresses to one family.
    .SH NUMBERS AND OWNERSHIP
    Table numbers are stable: uplinks are numbered by name from 100 upwards, a number polroute gave a name before (in
    .IR /etc/iproute2/rt_tables.d/polroute.conf )
    is kept, and numbers are skipped when they are reserved (0, 253, 254, 255), named in the host's rt_tables,
    looked up by rules polroute does not own, or hold routes polroute did not make. Table names default to the
    interface name.
    .PP
    Every rule gets an explicit, unique priority: rules without one get 10000, 10001, ... in file order; source
    rules get 20000, 20001, ... for each family, by table, then address. Priorities other tools' rules use are
    stepped over.
    .PP
    polroute marks its rules and routes with protocol 177 and recognises them without a state file; do not give 177
    a name in rt_protos.
    .SH CHECKS
    Every error names the file, line and column, says what is wrong with a hint where one helps, makes polroute exit
    65, and changes nothing:
    .PP
    .RS
    .nf
    polroute.conf:3:7: error: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)
    polroute.conf:4:24: error: unknown word \(aqlookpu\(aq in rule (did you mean \(aqlookup\(aq?)
    .fi
    .RE
    .PP
    polroute checks keywords; addresses, prefixes, ports, ranges, marks, protocols and tos values; the family of
    gateways and sources; interfaces (a warning, not an error, when planning for a snapshot); duplicate table numbers
    or names; reserved tables, and numbers the host's rt_tables gives another name; priority clashes among its own
    rules and with foreign rules; backward
    .BR goto ;
    gateways outside the connected prefixes; and rt_tables names.
    .SH "JSON FORM"
    A file whose name ends in
    .B .json
    holds the same policy as JSON, for provisioning tools that generate it. It shares the grammar, the checks and the
    messages, with the positions pointing into the JSON. Every key is optional:
    .PP
    .RS
    .nf
    {
      "auto": true,
      "uplinks": [{"name": "data", "dev": "data", "table": 200,
                   "via": "203.0.113.1", "via6": "2001:db8:b::1",
                   "onlink": false, "realm": 2}],
      "tables": [{"name": "vpn", "id": 300}],
      "routes": [{"to": "192.0.2.0/25", "type": "unicast",
                  "via": "203.0.113.1", "dev": "data", "onlink": false,
                  "src": "203.0.113.10", "metric": 10, "table": "vpn"},
                 {"to": "192.0.2.128/25", "table": "vpn",
                  "nexthops": [{"via": "203.0.113.1", "weight": 3},
                               {"via": "198.51.100.1", "dev": "mgmt"}]}],
      "groups": [{"type": "balance", "name": "wan", "table": 400,
                  "uplinks": ["data:3", "mgmt"], "hash": "layer4",
                  "rules\-only": false}],
      "rules": [{"not": false, "from": "203.0.113.0/24",
                 "to": "192.0.2.0/25", "tos": "0x10",
                 "fwmark": "0x10/0xff", "iif": "data", "oif": "data",
                 "uidrange": "1000\-1999", "ipproto": "tcp",
                 "sport": "1024\-2047", "dport": 2049, "l3mdev": false,
                 "suppress_prefixlength": 0, "family": "inet6",
                 "lookup": "vpn", "goto": 32766, "action": "blackhole",
                 "priority": 1000}],
      "exclude": ["eth9"],
      "include": ["br0"]
    }
    .fi
    .RE
    .PP
    In a rule, give one of
    .BR lookup ,
    .B goto
    or
    .B action
    .RB ( blackhole ,
    .BR unreachable ,
    .BR prohibit ,
    .BR nop ).
    Booleans add the word when true. Numbers may be JSON numbers or strings.
    .SH EXAMPLES
    Derive the uplinks, name the data network's gateways, and steer NFS and one user over the data network:
    .PP
    .RS
    .nf
    # /etc/polroute.conf
    auto
    uplink data dev data via 203.0.113.1 via6 2001:db8:b::1
    rule to 192.0.2.0/25 ipproto tcp dport 2049 lookup data
    rule uidrange 1001\-1001 lookup data priority 9000
    exclude eth9
    .fi
    .RE
    .PP
    A primary and a backup provider (isp1 holds main's default route), with one destination forced over the backup:
    .PP
    .RS
    .nf
    auto
    rule to 192.0.2.128/25 lookup isp2
    .fi
    .RE
    .SH FILES
    .TP
    .I /etc/polroute.conf
    The policy polroute reads on a live host.
    .SH "SEE ALSO"
    .BR polroute (8),
    .BR ip\-rule (8),
    .BR ip\-route (8)

    """#
}
