// Errors as values.
//
// Every fallible operation in Tatami returns Result<T> (or Status for no
// value). An Error carries a message written for the person who will read it
// (`tatami explain`, a CLI error, a daemon log): it names the file, line,
// option or field at fault and what was wanted. There are no error codes to
// look up and no exceptions cross a library boundary.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tatami {

struct Error {
  std::string message;

  // Prefixes context ("config.yaml:12:3: ") to the message.
  Error Wrap(const std::string& context) const { return Error{context + message}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  // The value, or `fallback` on an error: for a caller to whom an error
  // means "nothing yet" (a test polling for a file not yet written).
  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error MakeError(std::string message) {
  return Error{std::move(message)};
}

}  // namespace tatami
