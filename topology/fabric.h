// The fabric between devices: which node sits under which leaf switch and
// spine, where each Dojo tile lies on its 2D mesh, which HW4 hosts share a
// rack; and the one question placement, binding and the cost model ask of
// it: "bandwidth and hops between these two devices".
//
// Built once from a validated ClusterConfig; immutable afterwards and safe to
// share between threads. Nodes the fabric section does not mention are
// "somewhere on the datacenter network": they get the slowest links.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "topology/accelerator.h"
#include "topology/cluster_config.h"

namespace tatami {

// A Dojo tray is 3 tiles wide and 2 high; tile d of a tray whose tile 0 is
// at (x, y) lies at (x + d % kTrayWidth, y + d / kTrayWidth).
inline constexpr int32_t kTrayWidth = 3;
inline constexpr int32_t kTrayHeight = 2;

// Where a node sits. Plain value: the scheduler copies it into NodeResources.
struct FabricPosition {
  int32_t leaf = -1;           // index into Fabric::leaves(); -1 = under no configured leaf
  int32_t spine = -1;          // index into Fabric::spines()
  int32_t nvlink_domain = -1;  // multi-node NVLink domain; -1 = the node alone
  int32_t mesh = -1;           // index into Fabric::meshes(); -1 = not a tray on a mesh
  int32_t tray_x = 0;          // mesh coordinate of the tray's tile 0
  int32_t tray_y = 0;
  int32_t rack = -1;  // index into Fabric::racks()
};

struct MeshShape {
  std::string name;
  int32_t width = 0;  // tiles
  int32_t height = 0;
};

// One direction of the path between two devices: what limits it, how many
// switch (or, on a Dojo mesh, tile-to-tile) hops it crosses.
struct Link {
  double gbytes_per_s = 0;
  uint32_t hops = 0;
  std::string_view medium;  // "hbm", "nvlink", "infiniband", "dojo-mesh", ...
};

// Per-direction bandwidths the model uses, in GB/s. Sources:
// ../shared/reference/ecosystem.md (H100 SXM5, NDR, Dojo Hot Chips 34).
namespace bandwidth {
inline constexpr double kH100Hbm = 3350;       // HBM3, same GPU
inline constexpr double kNvlink = 450;         // NVLink4 through NVSwitch, per GPU
inline constexpr double kInfiniband = 50;      // one NDR 400 Gb/s NIC per GPU
inline constexpr double kDojoTileEdge = 9000;  // 9 TB/s per tile edge
inline constexpr double kDojoDip = 50;         // DIP 400 Gb/s Ethernet, between meshes
// HW4 boards: no public spec. Assumed: PCIe Gen3 x4 inside a host, 10 GbE
// between hosts. Good enough to say "never gang these".
inline constexpr double kHw4InHost = 4;
inline constexpr double kEthernet10G = 1.25;
inline constexpr double kDatacenter = 12.5;  // 100 GbE between unrelated nodes
}  // namespace bandwidth

// The link model itself, for callers that hold positions rather than names
// (placement works on NodeResources copies). `same_node`: both devices are
// on one node.
Link LinkBetween(AcceleratorKind kind_a, const FabricPosition& a, uint32_t da,
                 AcceleratorKind kind_b, const FabricPosition& b, uint32_t db, bool same_node);

class Fabric {
 public:
  Fabric() = default;
  explicit Fabric(const ClusterConfig& config);

  // The position of `node`; a default (nowhere) position for unknown names.
  const FabricPosition& PositionOf(std::string_view node) const;
  AcceleratorKind KindOf(std::string_view node) const;

  // Bandwidth and hops from device `da` of `node_a` to device `db` of `node_b`.
  Link Between(std::string_view node_a, uint32_t da, std::string_view node_b, uint32_t db) const;

  const std::vector<std::string>& leaves() const { return leaves_; }
  const std::vector<std::string>& spines() const { return spines_; }
  const std::vector<MeshShape>& meshes() const { return meshes_; }
  const std::vector<std::string>& racks() const { return racks_; }
  const std::vector<std::string>& nvlink_domains() const { return nvlink_domains_; }

 private:
  struct NodeEntry {
    AcceleratorKind kind = AcceleratorKind::kNone;
    FabricPosition pos;
  };
  std::unordered_map<std::string, NodeEntry> nodes_;
  std::vector<std::string> leaves_, spines_, racks_, nvlink_domains_;
  std::vector<MeshShape> meshes_;
};

}  // namespace tatami
