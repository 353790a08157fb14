#!/usr/bin/env python3
"""Writes an hwloc 2.x XML topology shaped like an HGX H100 node.

2 sockets x 56 cores (2 threads each), one NUMA node per socket, 8 H100 SXM
GPUs behind 8 PCIe switches (4 per socket), each switch also holding the
ConnectX-7 compute NIC for that GPU (the mlx5 names HGX systems commonly
use for compute rails), and 4 NVSwitch bridges. The CPU part comes from
hwloc's synthetic backend. Bus numbers are illustrative, not a real board's.

Usage: gen-hgx-h100-topology.py [cores_per_socket] > configs/topologies/hgx-h100.xml
"""
import subprocess
import sys
import xml.etree.ElementTree as ET

cores = int(sys.argv[1]) if len(sys.argv) > 1 else 56
synthetic = f"pack:2 [numa(memory=1099511627776)] l3:1 core:{cores} pu:2"
xml = subprocess.run(["lstopo-no-graphics", "-i", synthetic, "--of", "xml"],
                     check=True, capture_output=True, text=True).stdout
root = ET.fromstring(xml)
machine = root.find("object")
for child in list(machine):
    if child.tag == "info" and child.get("name") in ("Backend", "SyntheticDescription"):
        machine.remove(child)
machine.insert(0, ET.Element("info", name="DMIProductName", value="HGX H100 8-GPU (Tatami emulation)"))
sockets = [o for o in machine if o.tag == "object" and o.get("type") == "Package"]

GPU_BUS = [0x1b, 0x43, 0x52, 0x61, 0x9d, 0xc3, 0xd1, 0xdf]
NIC_BUS = [0x1a, 0x40, 0x51, 0x60, 0x9c, 0xc0, 0xce, 0xdc]
HCA = ["mlx5_0", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_9", "mlx5_10", "mlx5_11"]
next_index = [20000]


def add(parent, **attrs):
    next_index[0] += 1
    return ET.SubElement(parent, "object", gp_index=str(next_index[0]), **attrs)


def info(obj, name, value):
    ET.SubElement(obj, "info", name=name, value=value)


for i in range(8):
    socket = sockets[i // 4]
    span = f"0000:[{NIC_BUS[i]:02x}-{GPU_BUS[i]:02x}]"
    host_bridge = add(socket, type="Bridge", bridge_type="0-1", depth="0", bridge_pci=span)
    switch = add(host_bridge, type="Bridge", bridge_type="1-1", depth="1", bridge_pci=span,
                 pci_busid=f"0000:{NIC_BUS[i] - 1:02x}:00.0", pci_type="0604 [1000:c030] [1000:a064] b0",
                 pci_link_speed="31.507692")
    gpu = add(switch, type="PCIDev", pci_busid=f"0000:{GPU_BUS[i]:02x}:00.0",
              pci_type="0302 [10de:2330] [10de:16c1] a1", pci_link_speed="63.015384")
    info(gpu, "PCIVendor", "NVIDIA Corporation")
    info(gpu, "PCIDevice", "GH100 [H100 SXM5 80GB]")
    nic = add(switch, type="PCIDev", pci_busid=f"0000:{NIC_BUS[i]:02x}:00.0",
              pci_type="0207 [15b3:1021] [15b3:0041] 00", pci_link_speed="63.015384")
    info(nic, "PCIVendor", "Mellanox Technologies")
    info(nic, "PCIDevice", "MT2910 Family [ConnectX-7]")
    add(nic, type="OSDev", name=f"ibp{NIC_BUS[i]}s0", osdev_type="2")  # NETWORK
    hca = add(nic, type="OSDev", name=HCA[i], osdev_type="3")          # OPENFABRICS
    info(hca, "Port1State", "4")
    info(hca, "Port1LID", str(i + 1))
for s in range(4):
    add(sockets[1], type="PCIDev", subtype="NVSwitch", pci_busid=f"0000:{0xe4 + s:02x}:00.0",
        pci_type="0680 [10de:22a3] [10de:1796] a1", pci_link_speed="0.984615")

ET.indent(root)
print('<?xml version="1.0" encoding="UTF-8"?>')
print('<!DOCTYPE topology SYSTEM "hwloc2.dtd">')
print(ET.tostring(root, encoding="unicode"))
