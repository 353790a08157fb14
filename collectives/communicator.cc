#include "collectives/communicator.h"

namespace tatami::collectives {

size_t SizeOf(DataType t) {
  switch (t) {
    case DataType::kInt32:
    case DataType::kFloat32:
      return 4;
    case DataType::kInt64:
    case DataType::kFloat64:
      return 8;
  }
  return 0;
}

std::string_view Name(DataType t) {
  switch (t) {
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kFloat32:
      return "float";
    case DataType::kFloat64:
      return "double";
  }
  return "?";
}

std::string_view Name(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMax:
      return "max";
    case ReduceOp::kMin:
      return "min";
  }
  return "?";
}

std::string_view Name(Collective c) {
  switch (c) {
    case Collective::kAllReduce:
      return "allreduce";
    case Collective::kBroadcast:
      return "broadcast";
    case Collective::kAllGather:
      return "allgather";
  }
  return "?";
}

std::optional<DataType> ParseDataType(std::string_view s) {
  for (DataType t : {DataType::kInt32, DataType::kInt64, DataType::kFloat32, DataType::kFloat64})
    if (Name(t) == s) return t;
  return std::nullopt;
}

std::optional<Collective> ParseCollective(std::string_view s) {
  for (Collective c : {Collective::kAllReduce, Collective::kBroadcast, Collective::kAllGather})
    if (Name(c) == s) return c;
  return std::nullopt;
}

}  // namespace tatami::collectives
