// A cluster config written for one test: the small cluster's YAML with a
// test's changes, in a temporary folder that goes with the TempConfig.
// Declare it before the LocalCluster that reads it, so that it outlives it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/files.h"

namespace tatami::testing {

// tests/integration/small-cluster.yaml's text ("" and the test failed if it
// cannot be read).
inline std::string SmallClusterYaml() {
  Result<std::string> yaml =
      ReadFileContents(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/small-cluster.yaml");
  if (!yaml.ok()) ADD_FAILURE() << yaml.error().message;
  return yaml.ok() ? *yaml : "";
}

class TempConfig {
 public:
  TempConfig() {
    char tmpl[] = "/tmp/tatami-config-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir_ = tmpl;
  }
  ~TempConfig() { std::filesystem::remove_all(dir_); }
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;

  // Replaces the config's text (a restarted tatamid reads the new one).
  void Write(const std::string& yaml) const { std::ofstream(path()) << yaml; }
  std::string path() const { return (dir_ / "cluster.yaml").string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace tatami::testing
