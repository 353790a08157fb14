// Admin actions on nodes: drain (no new jobs; running ones go on, as
// Slurm's scontrol update state=DRAIN) and resume. A drain is the admin's,
// separate from the node's health: a drained node that goes down and comes
// back is still drained until resumed, and so is one whose controller
// restarts (the store keeps drains).
#include <pwd.h>
#include <unistd.h>

#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/daemon/controller.h"

namespace tatami {

bool IsAdmin(const std::string& user) {
  static const std::string daemon_user = [] {
    passwd* pw = getpwuid(getuid());
    return pw ? std::string(pw->pw_name) : std::string("root");
  }();
  return user == "root" || user == daemon_user;
}

v1::NodeState Controller::ShownStateLocked(size_t i) const {
  const Node& n = nodes_[i];
  if (!n.drained || n.state == v1::NODE_DOWN || n.state == v1::NODE_UNKNOWN) return n.state;
  return resources_[i].running_jobs > 0 ? v1::NODE_DRAINING : v1::NODE_DRAIN;
}

v1::UpdateNodesReply Controller::UpdateNodes(const v1::UpdateNodesRequest& req) {
  v1::UpdateNodesReply reply;
  const char* verb = req.drain() ? "drain" : "resume";
  if (!IsAdmin(req.requester())) {
    reply.add_errors(std::string("only root and tatamid's user may ") + verb + " nodes (you are " +
                     (req.requester().empty() ? "unknown" : req.requester()) + ")");
    return reply;
  }
  if (req.drain() && Trim(req.reason()).empty()) {
    reply.add_errors("drain needs a reason (--reason=TEXT), for sinfo -R and the next admin");
    return reply;
  }
  auto names = ExpandHostlist(req.nodes());
  if (!names.ok() || names->empty()) {
    reply.add_errors("nodes: '" + req.nodes() + "' is not a hostlist (want e.g. h100-[01-04])");
    return reply;
  }
  for (const std::string& name : *names) {
    {
      std::shared_lock lock(mu_);
      if (FindNodeLocked(name) < 0) {
        reply.add_errors("no node named '" + name + "'");
        continue;
      }
    }
    // Durable first: a drain the controller forgets on restart would put
    // a node the admin took out back into service.
    if (Status s = store_->SaveDrain(name, req.drain() ? req.reason() : ""); !s.ok()) {
      reply.add_errors(name + ": not " + (req.drain() ? "drained" : "resumed") +
                       ", it could not be stored: " + s.error().message);
      continue;
    }
    {
      std::unique_lock lock(mu_);
      Node& node = nodes_[FindNodeLocked(name)];
      node.drained = req.drain();
      node.drain_reason = req.drain() ? req.reason() : "";
      reply.add_updated(name);
      fprintf(stderr, "tatamid: node %s %s by %s%s\n", name.c_str(),
              req.drain() ? "drained" : "resumed", req.requester().c_str(),
              req.drain() ? (": " + req.reason()).c_str() : "");
    }
  }
  if (!req.drain() && reply.updated_size() > 0) Wake();
  return reply;
}

}  // namespace tatami
