#!/usr/bin/python3
"""Writes the fake sysfs tree the hostdev tests use (tests/hostdev/data/sys),
kept in git as it is written here: run it again after changing it.

  PF pf0 (0000:03:00.0, ixgbe), sriov_totalvfs 8, sriov_numvfs 5:
    VF0 0000:03:10.0  ixgbevf, netdev vf0, IOMMU group 10 alone
    VF1 0000:03:10.2  bound to vfio-pci (another owner's), group 11
    VF2 0000:03:10.4  missing (virtfn2 leads nowhere)
    VF3 0000:03:10.6  ixgbevf, netdev vf3, group 13, in reset twice
                      (.netctl-fake-pf.reset)
    VF4 0000:03:11.0  ixgbevf, netdev vf4, group 14 shared with 0000:03:11.1
  plain0: a netdev without SR-IOV.
  drivers: ixgbe, ixgbevf, vfio-pci (bind/unbind files), drivers_probe.
  .netctl-fake-kernel marks the tree as fake and names each VF's default
  driver (what drivers_probe binds without an override)."""
import os
import shutil
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sys")
PF = "0000:03:00.0"
VFS = [("0000:03:10.0", "ixgbevf", "vf0", 10), ("0000:03:10.2", "vfio-pci", None, 11),
       ("0000:03:10.4", None, None, None), ("0000:03:10.6", "ixgbevf", "vf3", 13),
       ("0000:03:11.0", "ixgbevf", "vf4", 14)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def link(path, target):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    dev = os.path.join(OUT, "devices", "pci0000:00")
    for d in ("ixgbe", "ixgbevf", "vfio-pci"):
        write(os.path.join(OUT, "bus/pci/drivers", d, "bind"), "")
        write(os.path.join(OUT, "bus/pci/drivers", d, "unbind"), "")
    write(os.path.join(OUT, "bus/pci/drivers_probe"), "")
    pf = os.path.join(dev, PF)
    write(os.path.join(pf, "sriov_totalvfs"), "8\n")
    write(os.path.join(pf, "sriov_numvfs"), "5\n")
    link(os.path.join(pf, "driver"), "../../../bus/pci/drivers/ixgbe")
    link(os.path.join(pf, "net/pf0/device"), "../../../" + PF)
    link(os.path.join(OUT, "class/net/pf0"), "../../devices/pci0000:00/" + PF + "/net/pf0")
    link(os.path.join(OUT, "bus/pci/devices", PF), "../../../devices/pci0000:00/" + PF)
    defaults = []
    state = []
    for i, (addr, driver, netdev, group) in enumerate(VFS):
        link(os.path.join(pf, f"virtfn{i}"), "../" + addr)
        state.append(f"[pf0 {i}]\nmac=00:00:00:00:00:00\nvlan=0\n")
        if driver is None:
            continue  # missing
        d = os.path.join(dev, addr)
        link(os.path.join(d, "physfn"), "../" + PF)
        write(os.path.join(d, "driver_override"), "(null)\n")
        link(os.path.join(d, "driver"), "../../../bus/pci/drivers/" + driver)
        link(os.path.join(d, "iommu_group"), f"../../../kernel/iommu_groups/{group}")
        link(os.path.join(OUT, "kernel/iommu_groups", str(group), "devices", addr),
             "../../../../devices/pci0000:00/" + addr)
        link(os.path.join(OUT, "bus/pci/devices", addr), "../../../devices/pci0000:00/" + addr)
        if netdev:
            link(os.path.join(d, "net", netdev, "device"), "../../../" + addr)
            link(os.path.join(OUT, "class/net", netdev),
                 f"../../devices/pci0000:00/{addr}/net/{netdev}")
        defaults.append(f"{addr} ixgbevf")
    # the device VF4 shares its IOMMU group with
    other = os.path.join(dev, "0000:03:11.1")
    write(os.path.join(other, "driver_override"), "(null)\n")
    link(os.path.join(OUT, "kernel/iommu_groups/14/devices/0000:03:11.1"),
         "../../../../devices/pci0000:00/0000:03:11.1")
    link(os.path.join(OUT, "bus/pci/devices/0000:03:11.1"), "../../../devices/pci0000:00/0000:03:11.1")
    write(os.path.join(OUT, "devices/virtual/net/plain0/mtu"), "1500\n")
    link(os.path.join(OUT, "class/net/plain0"), "../../devices/virtual/net/plain0")
    write(os.path.join(OUT, ".netctl-fake-kernel"),
          "# a fake sysfs tree (tests/hostdev/make-fake-sysfs.py); default drivers:\n"
          + "\n".join(defaults) + "\n")
    write(os.path.join(OUT, ".netctl-fake-pf.state"), "\n".join(state))
    write(os.path.join(OUT, ".netctl-fake-pf.reset"), "pf0 3 2\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
