// How fast a job runs on each accelerator kind, for traces that do not say
// (none of the public ones do: Philly never recorded GPU models).
//
// A job belongs to a model class, the six of Pollux/Sia's profiles. The
// relative speeds come from ../shared/traces:
//
//   hw4   Sia's Tesla T4 profiles (aws, placements-aws.csv) against its
//         A100s (dgx-ext): T4 is the inference board of the same power class
//         as an HW4 computer. Speed = A100 step time / T4 step time for one
//         GPU at the median batch size both profiles hold, capped at 1.0
//         (ncf's T4 row is 12% faster, a measurement artefact). The H100 is
//         the reference (1.0); Sia has no H100, so the A100 stands in for
//         it and the ratios carry over.
//   d1    no public table has a Dojo tile. Assumption, stated here so it can
//         be argued with: one tile does the work of the eight H100s of an
//         HGX node, at 1.3x on convolutional vision models (what D1 was
//         built for: the figure the scheduling issue quotes), 0.8x on
//         language and speech models, 0.5x on embedding-bound ncf. A job of
//         G GPUs takes ceil(G / 8) tiles.
//
// Gavel's table (gavel-throughputs/) spans K80/P100/V100 and shows the same
// spread (0.66x to 11.6x V100 over K80 by job type); we take Sia's because
// its model classes are the ones Pollux's Philly mapping assigns.
//
// step_seconds (A100 step at that batch, Sia) and gradient_bytes (fp32
// parameters: ResNet-18 11.7M, ResNet-50 25.6M, BERT-base 110M, DeepSpeech2
// 38M, YOLOv3 62M, NCF 5M) feed the communication cost of a placement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topology/accelerator.h"

namespace tatami::sim {

struct ClassProfile {
  std::string_view name;
  double hw4_speed;
  double d1_speed;
  double step_seconds;
  double gradient_bytes;
  // Sia's workloads give no run time: a job's work is the geometric middle
  // of its class's GPU-time band in Pollux's workload.py.
  double gpu_hours;
};

// The class, or null.
const ClassProfile* FindClass(std::string_view name);
std::vector<std::string> ClassNames();

// Pollux's mapping of a Philly job to a class by its GPU-hours: < 1 cifar10
// or ncf, 1-10 deepspeech2 or bert, 10-100 yolov3, more imagenet; `salt`
// (the trace line) picks between the two of a band.
std::string_view ClassForGpuHours(double gpu_hours, uint64_t salt);

// Speed on `kind` relative to H100 (1.0); 0 where the class cannot run.
double SpeedOn(const ClassProfile& c, AcceleratorKind kind);

// kH100PerTile (topology/accelerator.h) holds the d1 assumption above.

}  // namespace tatami::sim
