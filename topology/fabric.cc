#include "topology/fabric.h"

#include <algorithm>
#include <cstdlib>

namespace tatami {
namespace {

int32_t IndexOf(std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<int32_t>(it - names.begin());
  names.push_back(name);
  return static_cast<int32_t>(names.size() - 1);
}

}  // namespace

Fabric::Fabric(const ClusterConfig& config) {
  for (const auto& n : config.nodes) nodes_[n.name].kind = n.accelerator_kind;
  for (const auto& leaf : config.fabric.leaves) {
    int32_t li = IndexOf(leaves_, leaf.name);
    int32_t si = IndexOf(spines_, leaf.spine);
    for (const auto& n : leaf.nodes) {
      nodes_[n].pos.leaf = li;
      nodes_[n].pos.spine = si;
    }
  }
  for (const auto& domain : config.fabric.nvlink_domains) {
    int32_t di = IndexOf(nvlink_domains_, domain.name);
    for (const auto& n : domain.nodes) nodes_[n].pos.nvlink_domain = di;
  }
  for (const auto& mesh : config.fabric.dojo_meshes) {
    auto mi = static_cast<int32_t>(meshes_.size());
    auto per_row = static_cast<int32_t>(mesh.trays_per_row);
    auto trays = static_cast<int32_t>(mesh.trays.size());
    meshes_.push_back({mesh.name, kTrayWidth * std::min(per_row, trays),
                       kTrayHeight * ((trays + per_row - 1) / per_row)});
    for (int32_t t = 0; t < trays; ++t) {
      FabricPosition& p = nodes_[mesh.trays[t]].pos;
      p.mesh = mi;
      p.tray_x = kTrayWidth * (t % per_row);
      p.tray_y = kTrayHeight * (t / per_row);
    }
  }
  for (const auto& rack : config.fabric.racks) {
    int32_t ri = IndexOf(racks_, rack.name);
    for (const auto& n : rack.nodes) nodes_[n].pos.rack = ri;
  }
}

const FabricPosition& Fabric::PositionOf(std::string_view node) const {
  static const FabricPosition kNowhere;
  auto it = nodes_.find(std::string(node));
  return it == nodes_.end() ? kNowhere : it->second.pos;
}

AcceleratorKind Fabric::KindOf(std::string_view node) const {
  auto it = nodes_.find(std::string(node));
  return it == nodes_.end() ? AcceleratorKind::kNone : it->second.kind;
}

Link Fabric::Between(std::string_view node_a, uint32_t da, std::string_view node_b,
                     uint32_t db) const {
  return LinkBetween(KindOf(node_a), PositionOf(node_a), da, KindOf(node_b), PositionOf(node_b), db,
                     node_a == node_b);
}

Link LinkBetween(AcceleratorKind ka, const FabricPosition& a, uint32_t da, AcceleratorKind kb,
                 const FabricPosition& b, uint32_t db, bool same_node) {
  if (ka != kb) return {bandwidth::kDatacenter, 5, "ethernet"};
  switch (ka) {
    case AcceleratorKind::kH100:
      if (same_node) {
        if (da == db) return {bandwidth::kH100Hbm, 0, "hbm"};
        return {bandwidth::kNvlink, 1, "nvlink"};
      }
      if (a.nvlink_domain >= 0 && a.nvlink_domain == b.nvlink_domain)
        return {bandwidth::kNvlink, 1, "nvlink"};
      // GPU -> NIC -> leaf [-> spine [-> core -> spine] -> leaf] -> NIC -> GPU.
      if (a.leaf >= 0 && a.leaf == b.leaf) return {bandwidth::kInfiniband, 1, "infiniband"};
      if (a.spine >= 0 && a.spine == b.spine) return {bandwidth::kInfiniband, 3, "infiniband"};
      return {bandwidth::kInfiniband, 5, "infiniband"};
    case AcceleratorKind::kD1: {
      if (a.mesh < 0 || a.mesh != b.mesh) {
        if (same_node) return {bandwidth::kDojoTileEdge, da == db ? 0u : 1u, "dojo-tray"};
        return {bandwidth::kDojoDip, 3, "dojo-dip"};
      }
      int32_t ax = a.tray_x + static_cast<int32_t>(da) % kTrayWidth;
      int32_t ay = a.tray_y + static_cast<int32_t>(da) / kTrayWidth;
      int32_t bx = b.tray_x + static_cast<int32_t>(db) % kTrayWidth;
      int32_t by = b.tray_y + static_cast<int32_t>(db) / kTrayWidth;
      auto hops = static_cast<uint32_t>(std::abs(ax - bx) + std::abs(ay - by));
      return {bandwidth::kDojoTileEdge, hops, "dojo-mesh"};
    }
    case AcceleratorKind::kHw4:
      if (same_node) return {bandwidth::kHw4InHost, da == db ? 0u : 1u, "pcie"};
      if (a.rack >= 0 && a.rack == b.rack) return {bandwidth::kEthernet10G, 1, "ethernet"};
      return {bandwidth::kEthernet10G, 3, "ethernet"};
    case AcceleratorKind::kNone:
      break;
  }
  if (same_node) return {bandwidth::kDatacenter, 0, "host"};
  return {bandwidth::kDatacenter, a.leaf >= 0 && a.leaf == b.leaf ? 1u : 5u, "ethernet"};
}

}  // namespace tatami
