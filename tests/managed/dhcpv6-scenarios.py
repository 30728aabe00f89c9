#!/usr/bin/python3
"""End-to-end DHCPv6 on managed-bridge networks: the real netctld, dnsmasq
and lease helper, with ISC dhclient -6 as the guest's client (busybox has
no DHCPv6 client), in private network namespaces (see mlib.py).

Usage: dhcpv6-scenarios.py SCENARIO; exit 0 pass, 1 fail, 77 skip.
"""

import ipaddress
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from mlib import (BusMonitor, Guest, assert_gone, cleaning, create, leases,  # noqa: E402
                  pid_alive, read_pid, setup, wait_for)

# The static IPv6 host is matched by DUID (libvirt's <host id=.../>): the
# DUID-LL dhclient -D LL sends for the MAC below.
FIXED_MAC = "52:54:00:00:00:61"
FIXED_V6 = "fd00:160::61"

DUAL_XML = """<network>
  <name>{name}</name>
  <forward mode='{mode}'/>
  <bridge name='{bridge}' stp='off'/>
  <ip address='192.168.160.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.160.100' end='192.168.160.200'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:160::1' prefix='64'>
    <dhcp>
      <range start='fd00:160::100' end='fd00:160::1ff'/>
      <host id='0:3:0:1:52:54:0:0:0:61' name='fixed6' ip='{fixed}'/>
    </dhcp>
  </ip>
</network>
"""

RANGE = (ipaddress.ip_address("fd00:160::100"), ipaddress.ip_address("fd00:160::1ff"))


def in_range(addr):
    return RANGE[0] <= ipaddress.ip_address(addr) <= RANGE[1]


def rows_by_ip(rows):
    """net-dhcp-leases rows (Expiry date, time, MAC, Protocol, IP/prefix,
    Hostname, Client ID) keyed by address without the prefix."""
    return {r[4].split("/")[0]: r for r in rows}


def status_file(paths, bridge):
    with open(os.path.join(paths.dnsmasq, f"{bridge}.status")) as f:
        return json.load(f)


def dhcpv6(env):
    """A NAT network with DHCPv4 and DHCPv6 ranges: a guest gets a v6 address
    in the range and a DUID-matched guest its fixed one; net-dhcp-leases lists
    the v4 and v6 leases with their protocol, prefix, MAC and DUID, --mac
    filters the v6 leases too; the status file holds what libvirt's NSS
    module and virsh read; DHCPLeaseChanged is signalled for the v6 lease
    (add, then del on release); destroy leaves nothing."""
    paths = setup(env, "dhclient")
    monitor = BusMonitor(env)
    create(env, DUAL_XML.format(name="six", mode="nat", bridge="vbr-dh6", fixed=FIXED_V6))
    dm_pid = read_pid(paths.pidfile("six"))
    assert dm_pid and pid_alive(dm_pid), "dnsmasq is not running"

    guest = Guest(env, "vbr-dh6")
    v4 = guest.dhcp(hostname="alpha")
    v6 = guest.dhcp6(hostname="alpha")
    assert in_range(v6), f"DHCPv6 address {v6} is outside the range {RANGE}"
    fixed = Guest(env, "vbr-dh6", mac=FIXED_MAC)
    assert fixed.dhcp6() == FIXED_V6

    # The helper runs after dnsmasq replied: wait for the database to catch up.
    wait_for("both IPv6 leases listed",
             lambda: {v6, FIXED_V6} <= set(rows_by_ip(leases(env, "six"))), timeout=10)
    rows = rows_by_ip(leases(env, "six"))
    assert set(rows) == {v4, v6, FIXED_V6}, rows
    # busybox udhcpc sends client id 01:MAC; dhclient -6 the DUID-LL.
    assert rows[v4][2:] == [guest.mac, "ipv4", f"{v4}/24", "alpha", "01:" + guest.mac], rows[v4]
    assert rows[v6][2:] == [guest.mac, "ipv6", f"{v6}/64", "alpha", guest.duid], rows[v6]
    assert rows[FIXED_V6][2:] == [FIXED_MAC, "ipv6", f"{FIXED_V6}/64", "fixed6", fixed.duid], \
        rows[FIXED_V6]

    only = rows_by_ip(leases(env, "six", "--mac", guest.mac.upper()))
    assert set(only) == {v4, v6}, only
    only = rows_by_ip(leases(env, "six", "--mac", FIXED_MAC))
    assert set(only) == {FIXED_V6}, only

    # What libvirt's NSS module and virsh read.
    entries = {e["ip-address"]: e for e in status_file(paths, "vbr-dh6")}
    e = entries[v6]
    assert e["mac-address"] == guest.mac and e["client-id"] == guest.duid, e
    assert e.get("iaid") and e.get("server-duid") and e.get("hostname") == "alpha", e
    assert isinstance(e["expiry-time"], int) and e["expiry-time"] > 0, e
    assert "iaid" not in entries[v4] and "server-duid" not in entries[v4], entries[v4]

    monitor.wait(f"DHCPLeaseChanged 'add' for {v6}", "DHCPLeaseChanged", "('add'", f"'{v6}'",
                 guest.duid, "uint32 64")
    # A release removes the lease (dnsmasq's "del"), and says so.
    guest.release6()
    wait_for(f"{v6} to leave the lease list",
             lambda: v6 not in rows_by_ip(leases(env, "six")), timeout=10)
    assert set(rows_by_ip(leases(env, "six"))) == {v4, FIXED_V6}
    monitor.wait(f"DHCPLeaseChanged 'del' for {v6}", "DHCPLeaseChanged", "('del'", f"'{v6}'")

    env.ok("net-destroy", "six")
    assert_gone(env, paths, "six", "vbr-dh6", dm_pid)
    monitor.stop()


def v6_only(env, bridge, xml):
    """One guest gets a DHCPv6 lease on a v6-only network of the given
    forward mode; it is listed as libvirt lists it; destroy leaves nothing."""
    paths = setup(env, "dhclient")
    create(env, xml)
    dm_pid = read_pid(paths.pidfile("six"))
    guest = Guest(env, bridge)
    v6 = guest.dhcp6()
    rows = wait_for(f"the lease of {v6} listed", lambda: rows_by_ip(leases(env, "six")).get(v6),
                    timeout=10)
    assert rows[2:] == [guest.mac, "ipv6", f"{v6}/64", "-", guest.duid], rows
    env.ok("net-destroy", "six")
    assert_gone(env, paths, "six", bridge, dm_pid)
    return v6


def dhcpv6_isolated(env):
    """An isolated network with only an IPv6 <ip> and a range."""
    xml = DUAL_XML.format(name="six", mode="none", bridge="vbr-dh6i", fixed=FIXED_V6)
    xml = xml.replace("  <forward mode='none'/>\n", "")
    xml = re.sub(r"  <ip address='192.*?</ip>\n", "", xml, flags=re.S)
    assert in_range(v6_only(env, "vbr-dh6i", xml))


def dhcpv6_route(env):
    """A routed network whose IPv6 <dhcp> has hosts only (no range), as in
    libvirt's dhcp6host-routed-network: the guest gets the address of its
    DUID's <host>."""
    xml = DUAL_XML.format(name="six", mode="route", bridge="vbr-dh6r", fixed=FIXED_V6)
    xml = re.sub(r"  <ip address='192.*?</ip>\n", "", xml, flags=re.S)
    xml = xml.replace("      <range start='fd00:160::100' end='fd00:160::1ff'/>\n", "")
    xml = xml.replace("name='fixed6' ", "")
    paths = setup(env, "dhclient")
    create(env, xml)
    conf = open(os.path.join(paths.dnsmasq, "six.conf")).read()
    assert "dhcp-range=fd00:160::1,static" in conf, conf
    guest = Guest(env, "vbr-dh6r", mac=FIXED_MAC)
    assert guest.dhcp6() == FIXED_V6
    rows = wait_for("the lease listed", lambda: rows_by_ip(leases(env, "six")).get(FIXED_V6),
                    timeout=10)
    assert rows[2:] == [FIXED_MAC, "ipv6", f"{FIXED_V6}/64", "-", guest.duid], rows


def status_entry(paths, bridge, ip):
    return next((e for e in status_file(paths, bridge) if e["ip-address"] == ip), None)


def wait_renewed(paths, bridge, before, timeout=10):
    """The status file's entry for before's address once its expiry moved on."""
    ip = before["ip-address"]
    try:
        return wait_for(f"the renewal of {ip} in the lease database", lambda: (
            lambda e: e if e and e["expiry-time"] > before["expiry-time"] else None)(
                status_entry(paths, bridge, ip)), timeout=timeout)
    except AssertionError as e:
        raise AssertionError(f"{e}: was {before}, now {status_file(paths, bridge)}")


def dhcpv6_renew(env):
    """Real renewals (a DHCPv4 REQUEST in RENEWING state, a DHCPv6 Renew at
    T1) move the expiry time in the lease database: dnsmasq keeping its own
    lease file runs the helper for them only with --script-on-renewal, and
    without it a renewed lease drops out of net-dhcp-leases at its first
    expiry time. Two-minute leases (dnsmasq's minimum): the v6 Renew comes
    at T1, one minute in."""
    paths = setup(env, "dhclient")
    xml = DUAL_XML.format(name="six", mode="nat", bridge="vbr-dh6", fixed=FIXED_V6)
    xml = re.sub(r"(<range [^>]*)/>", r"\1><lease expiry='2' unit='minutes'/></range>", xml)
    create(env, xml)
    guest = Guest(env, "vbr-dh6")
    v6 = guest.dhcp6()
    # busybox udhcpc in the foreground renews on SIGUSR1.
    udhcpc = guest.spawn(["busybox", "udhcpc", "-i", "eth0", "-f", "-t", "12", "-T", "1",
                          "-s", guest.script])
    v4 = wait_for("the guest's DHCPv4 address", lambda: guest.addrs("eth0"), timeout=20)[0]
    wait_for("both leases in the database", lambda: status_entry(paths, "vbr-dh6", v4)
             and status_entry(paths, "vbr-dh6", v6), timeout=10)
    before4 = status_entry(paths, "vbr-dh6", v4)
    before6 = status_entry(paths, "vbr-dh6", v6)

    time.sleep(1.1)  # expiry times have a resolution of one second
    udhcpc.send_signal(signal.SIGUSR1)
    after4 = wait_renewed(paths, "vbr-dh6", before4)
    assert after4["mac-address"] == guest.mac, after4
    after6 = wait_renewed(paths, "vbr-dh6", before6, timeout=90)
    assert after6["mac-address"] == guest.mac and after6["client-id"] == guest.duid, after6
    assert guest.dhclient6.poll() is None and v6 in guest.addrs("eth0", "inet6")
    row = rows_by_ip(leases(env, "six"))[v6]
    assert int(time.mktime(time.strptime(" ".join(row[:2]), "%Y-%m-%d %H:%M:%S"))) \
        == after6["expiry-time"], (row, after6)


def dhcpv6_restart(env):
    """dnsmasq killed and restarted by netctld starts from the lease database:
    the v6 lease stays listed (the restarted dnsmasq's replay, which has no
    MAC, keeps the recorded one), the server keeps its DUID (read back from
    the lease file), and the guest soliciting again keeps its address."""
    paths = setup(env, "dhclient")
    create(env, DUAL_XML.format(name="six", mode="nat", bridge="vbr-dh6", fixed=FIXED_V6))
    guest = Guest(env, "vbr-dh6")
    v6 = guest.dhcp6()
    wait_for("the lease listed", lambda: v6 in rows_by_ip(leases(env, "six")), timeout=10)
    before = status_entry(paths, "vbr-dh6", v6)

    pidfile = paths.pidfile("six")
    old = read_pid(pidfile)
    os.kill(old, signal.SIGKILL)
    wait_for("a new dnsmasq", lambda: read_pid(pidfile) not in (0, old)
             and pid_alive(read_pid(pidfile)), timeout=15)
    with open(os.path.join(paths.dnsmasq, "six.leases")) as f:
        lease_file = f.read()
    assert f"duid {before['server-duid']}" in lease_file and v6 in lease_file, lease_file
    row = rows_by_ip(leases(env, "six")).get(v6)
    assert row and row[2] == guest.mac and row[6] == guest.duid, row

    time.sleep(1.1)  # expiry times have a resolution of one second
    env.stop(guest.dhclient6)
    guest.run("ip", "-6", "addr", "del", f"{v6}/128", "dev", "eth0", check=False)
    assert guest.dhcp6(fresh=True) == v6
    after = wait_renewed(paths, "vbr-dh6", before)
    assert after["server-duid"] == before["server-duid"], (before, after)
    assert after["mac-address"] == guest.mac and after["client-id"] == guest.duid, after


SCENARIOS = {name: cleaning(fn) for name, fn in {
    "dhcpv6": dhcpv6,
    "dhcpv6-isolated": dhcpv6_isolated,
    "dhcpv6-route": dhcpv6_route,
    "dhcpv6-renew": dhcpv6_renew,
    "dhcpv6-restart": dhcpv6_restart,
}.items()}

if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
