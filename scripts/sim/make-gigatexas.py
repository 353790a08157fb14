#!/usr/bin/env python3
"""Writes configs/sim-gigatexas.yaml: a GigaTexas-size site for tatami-sim.

50,000 H100 in 6,250 HGX nodes, 32 nodes (256 GPUs) per leaf switch, 8 leaves
per spine; 10 Dojo ExaPODs of 20 trays (120 tiles, a 15 x 8 tile mesh each);
20,000 HW4 boards in 2,500 hosts of 8, 40 hosts to a rack. Run it again after
changing the numbers; the YAML is committed so nothing runs at build time.
"""
import os

NODES, PER_LEAF, LEAVES_PER_SPINE = 6250, 32, 8
PODS, TRAYS_PER_POD, TRAYS_PER_ROW = 10, 20, 5
HW4_HOSTS, HOSTS_PER_RACK = 2500, 40

out = [
    "# GigaTexas-size site for tatami-sim (not for tatamid: ~9,000 nodes of emulated agents",
    "# would not fit one machine). Written by scripts/sim/make-gigatexas.py; edit that.",
    "cluster_name: gigatexas",
    "",
    "nodes:",
    f"  - name: gt-h100-[0001-{NODES:04d}]",
    "    topology: topologies/hgx-h100.xml",
    "    memory: 2T",
    "    accelerators: {kind: h100, count: 8}",
    "    features: [hgx, nvlink, ib]",
    f"  - name: gt-dojo-[001-{PODS * TRAYS_PER_POD:03d}]",
    "    cpus: 64",
    "    memory: 512G",
    "    accelerators: {kind: d1, count: 6}",
    "    features: [dojo]",
    f"  - name: gt-hw4-[0001-{HW4_HOSTS:04d}]",
    "    cpus: 40",
    "    memory: 128G",
    "    accelerators: {kind: hw4, count: 8}",
    "    features: [hw4, inference]",
    "",
    "fabric:",
    "  leaves:",
]
for leaf in range((NODES + PER_LEAF - 1) // PER_LEAF):
    first, last = leaf * PER_LEAF + 1, min(NODES, (leaf + 1) * PER_LEAF)
    spine = leaf // LEAVES_PER_SPINE + 1
    out.append(f'    - {{name: leaf-{leaf + 1:03d}, spine: spine-{spine:02d}, '
               f'nodes: "gt-h100-[{first:04d}-{last:04d}]"}}')
out.append("  dojo_meshes:")
for pod in range(PODS):
    first, last = pod * TRAYS_PER_POD + 1, (pod + 1) * TRAYS_PER_POD
    out.append(f'    - {{name: exapod-{pod + 1:02d}, trays: "gt-dojo-[{first:03d}-{last:03d}]", '
               f'trays_per_row: {TRAYS_PER_ROW}}}')
out.append("  racks:")
for rack in range(HW4_HOSTS // HOSTS_PER_RACK):
    first, last = rack * HOSTS_PER_RACK + 1, (rack + 1) * HOSTS_PER_RACK
    out.append(f'    - {{name: hw4-rack-{rack + 1:02d}, nodes: "gt-hw4-[{first:04d}-{last:04d}]"}}')
out += [
    "",
    "partitions:",
    f"  - name: h100",
    f"    nodes: gt-h100-[0001-{NODES:04d}]",
    "    default: true",
    "    max_time: 14-00:00:00",
    "  - name: dojo",
    f"    nodes: gt-dojo-[001-{PODS * TRAYS_PER_POD:03d}]",
    "    max_time: 14-00:00:00",
    "  - name: hw4",
    f"    nodes: gt-hw4-[0001-{HW4_HOSTS:04d}]",
    "    max_time: 14-00:00:00",
    "",
    "# As sim-small-hetero.yaml: the tatami policies' multifactor priority.",
    "priority:",
    "  weights: {age: 1000, fair_share: 10000, small_jobs: 30000, qos: 100000}",
    "  max_age: 7d",
    "  usage_half_life: 7d",
    "",
]
path = os.path.join(os.path.dirname(__file__), "..", "..", "configs", "sim-gigatexas.yaml")
with open(path, "w") as f:
    f.write("\n".join(out))
