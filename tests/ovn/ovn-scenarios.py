#!/usr/bin/python3
"""OVN across simulated hosts (tests/ovn/ovn_lib.py): central (NB, SB,
ovn-northd) and two hosts (ovsdb-server, ovs-vswitchd netdev,
ovn-controller) joined by a fabric bridge, all in namespaces of this test,
stopped by PID.

Run as `ovn-scenarios.py SCENARIO`; exit 0 pass, 1 fail, 77 skip (only when
ovn-central/ovn-host/openvswitch-switch are not installed, or without root).
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
import harness  # noqa: E402
import mlib  # noqa: E402
from harness import log, wait_for  # noqa: E402

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


@scenario
def smoke(env):
    """The harness itself, with ovn-nbctl only: a logical switch with OVN's
    native DHCP, one guest on each host; both get leases and ping each
    other across hosts over Geneve."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c = cl.central
    log(f"cluster up in {mlib.elapsed(t0)}")
    c.nbctl("ls-add", "ls0")
    c.nbctl("set", "Logical_Switch", "ls0", "other_config:subnet=10.0.0.0/24",
            "other_config:exclude_ips=10.0.0.1")
    dhcp = c.nbctl("create", "DHCP_Options", "cidr=10.0.0.0/24",
                   'options={"lease_time"="3600", "router"="10.0.0.1", '
                   '"server_id"="10.0.0.1", "server_mac"="02:00:00:00:00:01", "mtu"="1442"}'
                   ).stdout.strip()
    guests = []
    for n, host in ((1, cl.hosts[0]), (2, cl.hosts[1])):
        mac = f"02:00:00:00:01:0{n}"
        c.nbctl("lsp-add", "ls0", f"p{n}", "--", "lsp-set-addresses", f"p{n}", f"{mac} dynamic",
                "--", "lsp-set-port-security", f"p{n}", mac,
                "--", "lsp-set-dhcpv4-options", f"p{n}", dhcp)
        guests.append(ovn_lib.Guest(env, host, f"g{n}", f"p{n}", mac))
    for n in (1, 2):
        wait_for(f"p{n} to be up", lambda: c.nbctl("get", "Logical_Switch_Port", f"p{n}",
                                                    "up").stdout.strip() == "true", timeout=60,
                 interval=0.3)
    addrs = [g.dhcp() for g in guests]
    log(f"leases {addrs} at {mlib.elapsed(t0)}")
    for a in addrs:
        assert a.startswith("10.0.0.") and a != "10.0.0.1", addrs
    dyn = {c.nbctl("get", "Logical_Switch_Port", f"p{n}", "dynamic_addresses").stdout.strip()
           for n in (1, 2)}
    assert all(any(a in d for d in dyn) for a in addrs), (addrs, dyn)
    guests[0].reaches(addrs[1])
    guests[1].reaches(addrs[0])
    log(f"cross-host ping at {mlib.elapsed(t0)}")
    # the traffic went through the tunnel: each host has a Geneve port to the other
    for h in cl.hosts:
        tun = h.vsctl("--bare", "--columns=type", "find", "Interface", "type=geneve").stdout
        assert "geneve" in tun, f"host{h.n} has no geneve port"


def main():
    def wrap(fn):
        def run(env):
            try:
                fn(env)
            finally:
                mlib.cleanup(env)
        return run
    return harness.main({k: wrap(v) for k, v in SCENARIOS.items()}, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
