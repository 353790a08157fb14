#include "topology/fabric_config.h"

#include <map>

namespace tatami::config {
namespace {

// Every name must be a configured node (of `kind`, when given) that no
// earlier entry of the same section claimed.
Status CheckMembers(const Reader& r, const YAML::Node& at, const ClusterConfig& c,
                    const std::vector<std::string>& names, const std::string& owner,
                    std::map<std::string, std::string>& claimed, const char* section,
                    AcceleratorKind kind = AcceleratorKind::kNone) {
  for (const auto& name : names) {
    const NodeConfig* node = c.FindNode(name);
    if (!node)
      return r.At(at, std::string(section) + " '" + owner + "' names unknown node '" + name + "'");
    if (kind != AcceleratorKind::kNone && node->accelerator_kind != kind) {
      return r.At(at, std::string(section) + " '" + owner + "': node '" + name + "' has no " +
                          std::string(AcceleratorName(kind)) + " accelerators");
    }
    auto [it, fresh] = claimed.emplace(name, owner);
    if (!fresh) {
      return r.At(at, "node '" + name + "' is in " + section + " '" + it->second + "' and '" +
                          owner + "' (a node belongs to one)");
    }
  }
  return {};
}

Status ParseLeaves(const Reader& r, const YAML::Node& n, ClusterConfig& c) {
  if (!n.IsSequence()) return r.At(n, "fabric.leaves must be a list of leaf switches");
  std::map<std::string, std::string> claimed;
  for (const auto& item : n) {
    TATAMI_CHECK(r.RequireMap(item, "a leaf switch"));
    TATAMI_CHECK(r.CheckKeys(item, {"name", "spine", "nodes"}, "a leaf switch"));
    if (!item["name"] || !item["nodes"])
      return r.At(item, "a leaf switch needs 'name' and 'nodes'");
    LeafConfig leaf;
    TATAMI_ASSIGN(leaf.name, r.Str(item["name"], "name"));
    if (item["spine"]) TATAMI_ASSIGN(leaf.spine, r.Str(item["spine"], "spine"));
    TATAMI_ASSIGN(leaf.nodes, r.Hosts(item["nodes"], "nodes"));
    TATAMI_CHECK(CheckMembers(r, item["nodes"], c, leaf.nodes, leaf.name, claimed, "leaf"));
    c.fabric.leaves.push_back(std::move(leaf));
  }
  return {};
}

Status ParseMeshes(const Reader& r, const YAML::Node& n, ClusterConfig& c) {
  if (!n.IsSequence()) return r.At(n, "fabric.dojo_meshes must be a list of meshes");
  std::map<std::string, std::string> claimed;
  for (const auto& item : n) {
    TATAMI_CHECK(r.RequireMap(item, "a Dojo mesh"));
    TATAMI_CHECK(r.CheckKeys(item, {"name", "trays", "trays_per_row"}, "a Dojo mesh"));
    if (!item["name"] || !item["trays"]) return r.At(item, "a Dojo mesh needs 'name' and 'trays'");
    DojoMeshConfig mesh;
    TATAMI_ASSIGN(mesh.name, r.Str(item["name"], "name"));
    TATAMI_ASSIGN(mesh.trays, r.Hosts(item["trays"], "trays"));
    TATAMI_CHECK(CheckMembers(r, item["trays"], c, mesh.trays, mesh.name, claimed, "Dojo mesh",
                              AcceleratorKind::kD1));
    for (const auto& tray : mesh.trays) {
      if (c.FindNode(tray)->accelerators != 6) {
        return r.At(item["trays"], "Dojo mesh '" + mesh.name + "': tray '" + tray + "' has " +
                                       std::to_string(c.FindNode(tray)->accelerators) +
                                       " tiles; a tray on the mesh has 6 (3 wide, 2 high)");
      }
    }
    if (item["trays_per_row"]) {
      TATAMI_ASSIGN(mesh.trays_per_row, r.UInt(item["trays_per_row"], "trays_per_row"));
      if (mesh.trays_per_row == 0)
        return r.At(item["trays_per_row"], "trays_per_row: expected at least 1");
    } else {
      mesh.trays_per_row = static_cast<uint32_t>(mesh.trays.size());
    }
    c.fabric.dojo_meshes.push_back(std::move(mesh));
  }
  return {};
}

// A list of {name, nodes} entries (NVLink domains, racks): `what` names one
// entry in errors ("rack"), `kind` is the accelerator its nodes must have.
Result<std::vector<NodeGroupConfig>> ParseNodeGroups(const Reader& r, const YAML::Node& n,
                                                     const ClusterConfig& c, const char* list,
                                                     const std::string& what,
                                                     AcceleratorKind kind) {
  if (!n.IsSequence()) return r.At(n, std::string("fabric.") + list + " must be a list");
  std::vector<NodeGroupConfig> out;
  std::map<std::string, std::string> claimed;
  for (const auto& item : n) {
    TATAMI_CHECK(r.RequireMap(item, "a " + what));
    TATAMI_CHECK(r.CheckKeys(item, {"name", "nodes"}, "a " + what));
    if (!item["name"] || !item["nodes"])
      return r.At(item, "a " + what + " needs 'name' and 'nodes'");
    NodeGroupConfig g;
    TATAMI_ASSIGN(g.name, r.Str(item["name"], "name"));
    TATAMI_ASSIGN(g.nodes, r.Hosts(item["nodes"], "nodes"));
    TATAMI_CHECK(CheckMembers(r, item["nodes"], c, g.nodes, g.name, claimed, what.c_str(), kind));
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

Status ParseFabric(const Reader& r, const YAML::Node& fabric, ClusterConfig& c) {
  TATAMI_CHECK(r.RequireMap(fabric, "fabric"));
  TATAMI_CHECK(r.CheckKeys(fabric, {"leaves", "nvlink_domains", "dojo_meshes", "racks"}, "fabric"));
  if (const auto& n = fabric["leaves"]) TATAMI_CHECK(ParseLeaves(r, n, c));
  if (const auto& n = fabric["nvlink_domains"]) {
    TATAMI_ASSIGN(
        c.fabric.nvlink_domains,
        ParseNodeGroups(r, n, c, "nvlink_domains", "NVLink domain", AcceleratorKind::kH100));
  }
  if (const auto& n = fabric["dojo_meshes"]) TATAMI_CHECK(ParseMeshes(r, n, c));
  if (const auto& n = fabric["racks"]) {
    TATAMI_ASSIGN(c.fabric.racks,
                  ParseNodeGroups(r, n, c, "racks", "rack", AcceleratorKind::kNone));
  }
  return {};
}

}  // namespace tatami::config
