"""What netctld takes from OVN's NB when someone who can write the NB puts
hostile definitions there (NB_Global external_ids, where shared definitions
live, ovn-defs.h): a network that is not an OVN network of this NB (a NAT
network whose dnsmasq options would run as root, marked autostart), a name
with a slash, XML nested 10,000 deep, a key that is no UUID. netctld follows
the NB through its monitor and at start-up: each bad one is skipped with a
log line naming it, the good one next to them is defined, nothing hostile
runs, and netctld lives. Run as `ovn-hostile-nb.py nb-definitions`."""

import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
from harness import log, wait_for  # noqa: E402

scenario = ovn_lib.scenario

GOOD_UUID = "6a0a1d3e-7b1c-4d55-9e7a-0c1f2b3a4d01"
EVIL_UUID = "6a0a1d3e-7b1c-4d55-9e7a-0c1f2b3a4d02"
SLASH_UUID = "6a0a1d3e-7b1c-4d55-9e7a-0c1f2b3a4d03"
DEEP_UUID = "6a0a1d3e-7b1c-4d55-9e7a-0c1f2b3a4d04"

OVN_NET = ("<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>"
           "<name>{name}</name><uuid>{uuid}</uuid>"
           "<ip address='10.11.0.1' prefix='24'/><netctl:ovn nb='{nb}'/>{extra}</network>")
# A managed NAT network: its dnsmasq would run the script as root.
EVIL_NET = ("<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>"
            "<name>evil</name><uuid>" + EVIL_UUID + "</uuid><forward mode='nat'/>"
            "<bridge name='ncevil0'/><ip address='10.12.0.1' prefix='24'><dhcp>"
            "<range start='10.12.0.10' end='10.12.0.20'/></dhcp></ip><dnsmasq:options>"
            "<dnsmasq:option value='dhcp-script=/bin/false'/></dnsmasq:options></network>")


def plant(c, defs):
    """Puts each (key uuid or bogus key, xml) in NB_Global's external_ids,
    version 1, autostart yes, in one transaction (one monitor update)."""
    args = []
    for key, xml in defs:
        args += [f"external_ids:netctl-definition-{key}={json.dumps(xml)}",
                 f"external_ids:netctl-version-{key}=\"1\"",
                 f"external_ids:netctl-autostart-{key}=yes"]
    c.nbctl("set", "NB_Global", ".", *args)


@scenario
def nb_definitions(env):
    cl = ovn_lib.Cluster(env, hosts=1)
    c = cl.central
    nb = ovn_lib.NB_REMOTE
    n = ovn_lib.Netctld(env, cl.hosts[0], extra=["--ovn-nb", nb])
    deep = "<a>" * 10000 + "</a>" * 10000
    plant(c, [
        (EVIL_UUID, EVIL_NET),
        (SLASH_UUID, OVN_NET.format(name="a/b", uuid=SLASH_UUID, nb=nb, extra="")),
        (DEEP_UUID, OVN_NET.format(name="deep", uuid=DEEP_UUID, nb=nb, extra=deep)),
        ("not-a-uuid", OVN_NET.format(name="nouuid", uuid=GOOD_UUID, nb=nb, extra="")),
        (GOOD_UUID, OVN_NET.format(name="good", uuid=GOOD_UUID, nb=nb, extra="")),
    ])

    def names():
        return sorted(n.ok("net-list", "--all", "--name").out.split())

    def check(when):
        # the good one, defined from the NB in the same update, is the sync point
        wait_for(f"{when}: 'good' from the NB", lambda: "good" in names(), timeout=30)
        assert names() == ["good"], f"{when}: {names()}\n{n.read_log()[-3000:]}"
        text = n.read_log()
        for uuid, why in ((EVIL_UUID, "is not an OVN network shared through this NB"),
                          (SLASH_UUID, "a/b"), (DEEP_UUID, "")):
            lines = [l for l in text.splitlines()
                     if f"definition {uuid} skipped" in l and why in l]
            assert lines, f"{when}: no log line skipping {uuid} ({why})\n{text[-3000:]}"
        assert n.proc.poll() is None, f"{when}: netctld died"
        assert subprocess.run(["ip", "link", "show", "ncevil0"], capture_output=True
                              ).returncode != 0, f"{when}: the NAT network's bridge exists"
        log(f"{when}: only 'good' taken from the NB")

    check("followed through the monitor")
    # start-up reads the NB the same way (and autostarts only what it took)
    n.restart(signal.SIGTERM)
    check("after a restart")


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
