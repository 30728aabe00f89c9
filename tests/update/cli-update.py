#!/usr/bin/python3
"""netctl net-update against a real netctld (tests/cli/harness.py: private
network and mount namespace, private bus, temporary --root).

The network is defined and left inactive, so --config needs no driver to
bring up an <ip> network; the live path is exercised on a running isolated
network without <ip> (portgroups change nothing in the kernel).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402

SCENARIOS = {}

NET = """<network>
  <name>lab</name>
  <bridge name='ncbrupd'/>
  <ip address='10.77.0.1' prefix='24'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.200'/>
    </dhcp>
  </ip>
</network>
"""

HOST = "<host mac='52:54:00:00:00:05' name='vm5' ip='10.77.0.5'/>"
UPDATED_CONFIG = "Updated network lab persistent config\n"


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def config_file(env, name="lab"):
    return os.path.join(env.root, "etc/libvirt/qemu/networks", name + ".xml")


def read(path):
    with open(path) as f:
        return f.read()


def refused(env, *args, msg):
    """net-update must fail with virsh's two error lines and change nothing."""
    xml_before = env.ok("net-dumpxml", "--inactive", "lab").out
    file_before = read(config_file(env))
    r = env.fail("net-update", "lab", *args)
    assert r.err.startswith("error: Failed to update network lab\nerror: "), r
    assert msg in r.err, (msg, r)
    assert env.ok("net-dumpxml", "--inactive", "lab").out == xml_before
    assert read(config_file(env)) == file_before
    return r


@scenario
def config(env):
    env.start_daemon()
    env.ok("net-define", env.write("lab.xml", NET))

    # add, on the persistent config of an inactive network
    r = env.ok("net-update", "lab", "add", "ip-dhcp-host", HOST, "--config")
    assert r.out.startswith(UPDATED_CONFIG), r
    xml = env.ok("net-dumpxml", "--inactive", "lab").out
    assert ("      <range start='10.77.0.100' end='10.77.0.200'/>\n"
            "      <host mac='52:54:00:00:00:05' name='vm5' ip='10.77.0.5'/>\n") in xml, xml
    assert "name='vm5'" in read(config_file(env))

    # --current (the default) on an inactive network is the config; from a file
    f = env.write("host6.xml", "<host mac='52:54:00:00:00:06' name='vm6' ip='10.77.0.6'/>\n")
    r = env.ok("net-update", "lab", "add-first", "ip-dhcp-host", f)
    assert r.out.startswith(UPDATED_CONFIG), r
    xml = env.ok("net-dumpxml", "lab").out
    assert xml.index("name='vm6'") < xml.index("name='vm5'"), xml

    # modify by MAC, delete by name
    env.ok("net-update", "lab", "modify", "ip-dhcp-host",
           "<host mac='52:54:00:00:00:06' name='vm6' ip='10.77.0.16'/>", "--config")
    assert "ip='10.77.0.16'" in env.ok("net-dumpxml", "lab").out
    env.ok("net-update", "lab", "delete", "ip-dhcp-host", "<host name='vm6'/>", "--config")
    assert "vm6" not in env.ok("net-dumpxml", "lab").out

    # DNS records and ranges
    env.ok("net-update", "lab", "add", "dns-txt", "<txt name='info' value='lab network'/>")
    env.ok("net-update", "lab", "modify", "dns-txt", "<txt name='info' value='changed'/>")
    env.ok("net-update", "lab", "add", "dns-host",
           "<host ip='10.77.0.5'><hostname>vm5.lab</hostname></host>")
    env.ok("net-update", "lab", "add-last", "ip-dhcp-range",
           "<range start='10.77.0.20' end='10.77.0.30'/>")
    xml = env.ok("net-dumpxml", "lab").out
    assert "<txt name='info' value='changed'/>" in xml, xml
    assert "<hostname>vm5.lab</hostname>" in xml, xml
    assert "<range start='10.77.0.20' end='10.77.0.30'/>" in xml, xml

    # refused: duplicates, outside the subnet, libvirt's unsupported sections
    refused(env, "add", "ip-dhcp-host", HOST, "--config",
            msg="there is an existing dhcp host entry")
    refused(env, "add", "ip-dhcp-host", "<host mac='52:54:00:00:00:07' ip='10.78.0.7'/>",
            msg="outside the network 10.77.0.0/24")
    refused(env, "modify", "bridge", "<bridge name='x'/>", msg="can't update 'bridge' section")
    refused(env, "modify", "ip-dhcp-range", "<range start='10.77.0.20' end='10.77.0.31'/>",
            msg="dhcp ranges cannot be modified")
    # injection through update: a newline in a DHCP host name, in a TXT value
    refused(env, "add", "ip-dhcp-host",
            "<host mac='52:54:00:00:00:08' name='x&#10;dhcp-script=/tmp/x' ip='10.77.0.8'/>",
            msg="network 'lab'")
    refused(env, "add", "dns-txt", "<txt name='evil' value='a&#10;conf-file=/tmp/x'/>",
            msg="network 'lab'")
    refused(env, "add", "ip-dhcp-host", "<host mac='52:54:00:00:00:09' ip='10.77.0.9'",
            msg="malformed XML")
    # --live on an inactive network
    refused(env, "add", "ip-dhcp-host", "<host mac='52:54:00:00:00:0a' ip='10.77.0.10'/>",
            "--live", msg="is not running")

    # persisted: the daemon reads back what it saved
    before = env.ok("net-dumpxml", "--inactive", "lab").out
    env.restart_daemon()
    assert env.ok("net-dumpxml", "--inactive", "lab").out == before


@scenario
def live(env):
    env.start_daemon()
    # a running isolated network without <ip>: the driver every build has
    env.ok("net-create", env.net_xml("tr", "ncbrtr"))
    r = env.fail("net-update", "tr", "add", "portgroup", "<portgroup name='pg1'/>", "--config")
    assert "cannot change persistent config of a transient network" in r.err, r
    r = env.ok("net-update", "tr", "add", "portgroup", "<portgroup name='pg1'/>")
    assert r.out.startswith("Updated network tr live state"), r
    assert "<portgroup name='pg1'>" in env.ok("net-dumpxml", "tr").out

    # persistent and running: --config changes the next start only, --live now
    env.ok("net-define", env.net_xml("per", "ncbrper"))
    env.ok("net-start", "per")
    r = env.ok("net-update", "per", "add", "portgroup", "<portgroup name='next'/>", "--config")
    assert r.out.startswith("Updated network per persistent config"), r
    assert "'next'" in env.ok("net-dumpxml", "--inactive", "per").out
    assert "'next'" not in env.ok("net-dumpxml", "per").out
    r = env.ok("net-update", "per", "add", "portgroup", "<portgroup name='now'/>",
               "--live", "--config")
    assert r.out.startswith("Updated network per persistent config and live state"), r
    assert "'now'" in env.ok("net-dumpxml", "per").out
    assert "'now'" in env.ok("net-dumpxml", "--inactive", "per").out
    assert "'now'" in read(config_file(env, "per"))
    # the live change survives a daemon restart (status file)
    env.restart_daemon()
    xml = env.ok("net-dumpxml", "per").out
    assert "'now'" in xml and "'next'" not in xml, xml


@scenario
def live_dhcp(env):
    """A DHCP host added to a running network reaches dnsmasq's hosts file
    without restarting dnsmasq (SIGHUP), and a refused one changes nothing."""
    if not os.path.exists("/usr/sbin/dnsmasq"):
        raise harness.Skip("dnsmasq is not installed")
    env.start_daemon()
    env.ok("net-define", env.write("lab.xml", NET))
    r = env.run("net-start", "lab")
    if r.rc != 0:
        raise harness.Skip("cannot start a network with <ip> here: " + r.err.strip())
    hostsfile = os.path.join(env.root, "var/lib/libvirt/dnsmasq/lab.hostsfile")
    pidfile = os.path.join(env.root, "run/libvirt/network/lab.pid")
    # libvirt's layout: /run/libvirt/network/NAME.pid
    pid = harness.wait_for("dnsmasq's pid file",
                           lambda: os.path.exists(pidfile) and read(pidfile).strip())

    r = env.ok("net-update", "lab", "add", "ip-dhcp-host", HOST)
    assert r.out.startswith("Updated network lab live state"), r
    harness.wait_for("the host in dnsmasq's hosts file",
                     lambda: os.path.exists(hostsfile) and "52:54:00:00:00:05" in read(hostsfile))
    assert "name='vm5'" in env.ok("net-dumpxml", "lab").out
    assert "vm5" not in env.ok("net-dumpxml", "--inactive", "lab").out
    assert read(pidfile).strip() == pid, "dnsmasq was restarted for a hosts-only change"
    assert os.path.exists(f"/proc/{pid}"), "dnsmasq is gone"

    before = read(hostsfile)
    r = env.fail("net-update", "lab", "add", "ip-dhcp-host",
                 "<host mac='52:54:00:00:00:06' name='a&#10;dhcp-script=/x' ip='10.77.0.6'/>")
    assert r.err.startswith("error: Failed to update network lab\nerror: "), r
    assert read(hostsfile) == before
    assert "52:54:00:00:00:06" not in env.ok("net-dumpxml", "lab").out
    env.ok("net-destroy", "lab")


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
