#!/usr/bin/python3
"""End-to-end tests of a network's <bandwidth><outbound>: what the guests
send, shaped on an IFB device the bridge's ingress is redirected to (see
drivers/kernel/tc.h), with the real netctld, dnsmasq, nftables and busybox
udhcpc in private network namespaces (mlib.py, ../cli/harness.py).

Rates are measured on bounded transfers (400 kB) through NAT to an outside
host, timed by the receiver from its first byte to the end, and judged in a
generous window: a missing limit is ten times off, not a few percent.

Usage: outbound-scenarios.py SCENARIO; exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from mlib import (OUTSIDE, Guest, Outside, assert_gone, cleaning, create, ifindex,  # noqa: E402
                  log, need_tools, read_pid, setup, sh, wait_log)

BRIDGE = "vbr-out"
IFB = "vbr-out-ifb"  # nc_ifb_name_for_bridge: "<bridge>-ifb" when it fits
NET = "shaped"

XML = """<network>
  <name>shaped</name>
  <forward mode='nat'/>
  <bridge name='vbr-out' stp='off'/>
  <bandwidth>{bandwidth}</bandwidth>
  <ip address='192.168.160.1' prefix='24'>
    <dhcp><range start='192.168.160.10' end='192.168.160.20'/></dhcp>
  </ip>
</network>
"""

SIZE = 400_000

# The receiving end of a timed transfer. Server: listens, accepts one
# connection; client: connects. Either sends SIZE bytes or receives until
# EOF and prints "<bytes> <seconds from first byte to EOF>".
TRANSFER = r"""
import socket, sys, time
role, mode, host, port, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
if role == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    s.settimeout(30)
    print("ready", flush=True)
    c, _ = s.accept()
else:
    c = socket.create_connection((host, port), timeout=10)
c.settimeout(30)
if mode == "send":
    c.sendall(b"x" * size)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
else:
    got, first = 0, None
    while True:
        b = c.recv(65536)
        if not b:
            break
        if first is None:
            first = time.monotonic()
        got += len(b)
    print(got, time.monotonic() - first, flush=True)
c.close()
"""


def transfer(env, guest, outside, direction, port=9000):
    """Times SIZE bytes from the guest to the outside ("up") or back
    ("down"); returns kB/s (1000 bytes, libvirt's unit) as the receiver saw."""
    server_mode = "recv" if direction == "up" else "send"
    client_mode = "send" if direction == "up" else "recv"
    server = outside.spawn(["python3", "-c", TRANSFER, "server", server_mode, "0.0.0.0",
                            str(port), str(SIZE)], stdout=subprocess.PIPE, text=True)
    ready = server.stdout.readline().strip()
    assert ready == "ready", f"transfer server did not start: {ready!r}"
    r = guest.run("python3", "-c", TRANSFER, "client", client_mode, OUTSIDE, str(port), str(SIZE),
                  timeout=40)
    out = r.stdout if direction == "down" else server.stdout.read()
    server.wait(40)
    got, secs = out.split()
    assert int(got) == SIZE, f"{direction}: received {got} of {SIZE} bytes"
    rate = SIZE / 1000 / max(float(secs), 1e-3)
    log(f"{direction}: {SIZE} bytes in {float(secs):.2f}s = {rate:.0f} kB/s")
    return rate


def assert_rate(rate, limit, what):
    # The burst (16 KiB) passes at once and TCP needs a moment to fill the
    # queue: a little above or below; no limit is 10-100x above.
    assert 0.5 * limit <= rate <= 1.4 * limit, f"{what}: {rate:.0f} kB/s, limit {limit} kB/s"


def assert_unlimited(rate, limit, what):
    assert rate > 3 * limit, f"{what}: {rate:.0f} kB/s, looks limited to about {limit} kB/s"


def ifb_state():
    """(ifindex, root qdisc kind:handle, bridge's ingress redirect target), or None."""
    link = harness.Env.link(IFB)
    if link is None:
        return None
    assert link.get("linkinfo", {}).get("info_kind") == "ifb", link
    assert "netctl" in link.get("ifalias", ""), f"IFB without our alias: {link}"
    assert link["flags"].count("UP"), f"IFB is down: {link}"
    qdiscs = json.loads(sh("tc", "-j", "qdisc", "show", "dev", IFB, "root").stdout)
    root = next((f"{q['kind']}:{q['handle']}" for q in qdiscs if q.get("root")), None)
    filters = sh("tc", "filter", "show", "dev", BRIDGE, "parent", "ffff:").stdout
    m = re.search(r"mirred \(Egress Redirect to device (\S+)\)", filters)
    return link["ifindex"], root, m.group(1) if m else None


BR_NF = "/proc/sys/net/bridge/bridge-nf-call-iptables"


def br_netfilter(on):
    """Sets net.bridge.bridge-nf-call-iptables in the test's own namespace;
    False when the kernel has no br_netfilter."""
    if not os.path.exists(BR_NF):
        return False
    with open(BR_NF, "w") as f:
        f.write("1" if on else "0")
    return True


def setup_shaping(env):
    need_tools("tc", "python3")
    paths = setup(env)
    br_netfilter(False)  # see drivers/virtual-bandwidth.c: it breaks NAT through an IFB
    return paths


def shaped(bandwidth):
    return XML.format(bandwidth=bandwidth)


def start_guest(env):
    outside = Outside(env)
    guest = Guest(env, BRIDGE)
    guest.dhcp()  # DHCP and ARP pass through the shaper too
    return guest, outside


# -- scenarios -------------------------------------------------------------------------


def outbound(env):
    """<outbound average='100'>: the bridge's ingress goes to our IFB with
    HTB on it; a guest's upload through NAT runs at about 100 kB/s, its
    download is not limited; destroy leaves no IFB, qdisc or filter. A
    device already holding the IFB's name is refused and left alone, and so
    is a NAT network while br_netfilter calls iptables."""
    paths = setup_shaping(env)

    if br_netfilter(True):
        r = env.fail("net-create", env.write("n.xml", shaped("<outbound average='100'/>")))
        assert "bridge-nf-call-iptables" in r.err and "<outbound>" in r.err, r.err
        assert ifindex(BRIDGE) is None and harness.Env.link(IFB) is None
        br_netfilter(False)

    sh("ip", "link", "add", IFB, "type", "veth", "peer", "name", "vbr-out-p")
    r = env.fail("net-create", env.write("n.xml", shaped("<outbound average='100'/>")))
    assert IFB in r.err and "already" in r.err, r.err
    assert ifindex(BRIDGE) is None and harness.Env.link(IFB)["linkinfo"]["info_kind"] == "veth"
    sh("ip", "link", "del", IFB)

    create(env, shaped("<outbound average='100' burst='16'/>"))
    state = ifb_state()
    assert state and state[1] == "htb:1:" and state[2] == IFB, state
    qdiscs = json.loads(sh("tc", "-j", "qdisc", "show", "dev", BRIDGE).stdout)
    assert any(q["kind"] == "ingress" for q in qdiscs), qdiscs
    assert not any(q["kind"] == "htb" for q in qdiscs), f"no <inbound>, no HTB: {qdiscs}"
    classes = sh("tc", "class", "show", "dev", IFB).stdout
    found = dict(re.findall(r"class htb (\S+) .*?rate (\S+)", classes))
    assert found == {"1:1": "800Kbit", "1:2": "800Kbit"}, classes

    guest, outside = start_guest(env)
    assert_rate(transfer(env, guest, outside, "up"), 100, "upload with <outbound average='100'>")
    assert_unlimited(transfer(env, guest, outside, "down", port=9001), 100,
                     "download without <inbound>")

    dm_pid = read_pid(paths.pidfile(NET))
    env.ok("net-destroy", NET)
    assert_gone(env, paths, NET, BRIDGE, dm_pid)
    assert harness.Env.link(IFB) is None, "the IFB is still there"
    assert "ifb" not in sh("ip", "-d", "link", "show").stdout, "an IFB is left"


def outbound_inbound(env):
    """<inbound average='200'> and <outbound average='100'> together: each
    direction at its own rate (HTB on the bridge and on the IFB)."""
    paths = setup_shaping(env)
    create(env, shaped("<inbound average='200' burst='16'/><outbound average='100' burst='16'/>"))
    qdiscs = {q["kind"] for q in json.loads(sh("tc", "-j", "qdisc", "show", "dev", BRIDGE).stdout)}
    assert {"htb", "ingress"} <= qdiscs, qdiscs
    assert ifb_state()[1] == "htb:1:"

    guest, outside = start_guest(env)
    assert_rate(transfer(env, guest, outside, "up"), 100, "upload with <outbound average='100'>")
    assert_rate(transfer(env, guest, outside, "down", port=9001), 200,
                "download with <inbound average='200'>")

    dm_pid = read_pid(paths.pidfile(NET))
    env.ok("net-destroy", NET)
    assert_gone(env, paths, NET, BRIDGE, dm_pid)
    assert harness.Env.link(IFB) is None, "the IFB is still there"


def outbound_adoption(env):
    """A restarted netctld keeps the IFB, its HTB and the redirect as they
    are (same ifindex); with the IFB deleted while netctld was down, the
    next one puts it back, points the bridge at it, and the limit holds."""
    paths = setup_shaping(env)
    create(env, shaped("<outbound average='100' burst='16'/>"))
    before = ifb_state()
    bridge = ifindex(BRIDGE)

    env.restart_daemon(extra=["--no-default-network"])
    wait_log(env, "adopted")
    assert ifb_state() == before, f"{ifb_state()} != {before}"
    assert ifindex(BRIDGE) == bridge
    assert "missing" not in env.read_log(), env.read_log()[-2000:]

    env.stop_daemon()
    sh("ip", "link", "del", IFB)
    env.start_daemon(extra=["--no-default-network"])
    wait_log(env, "adopted")
    after = ifb_state()
    assert after and after[0] != before[0] and after[1] == "htb:1:" and after[2] == IFB, after
    assert ifindex(BRIDGE) == bridge, "the bridge was re-created"
    assert f"IFB '{IFB}' for <outbound> was missing" in env.read_log(), env.read_log()[-2000:]

    guest, outside = start_guest(env)
    assert_rate(transfer(env, guest, outside, "up"), 100, "upload after the repair")

    dm_pid = read_pid(paths.pidfile(NET))
    env.ok("net-destroy", NET)
    assert_gone(env, paths, NET, BRIDGE, dm_pid)
    assert harness.Env.link(IFB) is None, "the IFB is still there"


SCENARIOS = {name: cleaning(fn) for name, fn in {
    "outbound": outbound,
    "outbound-inbound": outbound_inbound,
    "outbound-adoption": outbound_adoption,
}.items()}

if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
