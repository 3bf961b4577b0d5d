#pragma once
// Status and Result<T>: every fallible function returns one of these; the
// public API throws no exceptions. Modelled on LevelDB/Arrow.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace edgepipe {

// The small set of codes a caller can branch on.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument = 1,  // the caller asked for something impossible
  kIOError = 2,          // the operating system refused (open, read, write)
  kCorruption = 3,       // input data breaks its format
  kNotFound = 4,
  kNotSupported = 5,     // valid input we do not handle (yet)
  kOutOfMemory = 6,
  kInternal = 7,         // a bug of ours
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status OutOfMemory(std::string msg) { return {StatusCode::kOutOfMemory, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsIOError() const { return code() == StatusCode::kIOError; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsNotSupported() const { return code() == StatusCode::kNotSupported; }

  // "Corruption: <message>"
  std::string ToString() const;

  // Returns a copy with `context` prepended to the message ("context: message"),
  // used to add the file name or column at a module boundary.
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // nullptr means OK, so the success path costs one pointer.
  std::shared_ptr<const State> state_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(value_);
  }
  T& operator*() & { return std::get<T>(value_); }
  const T& operator*() const& { return std::get<T>(value_); }
  T&& operator*() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &std::get<T>(value_); }
  const T* operator->() const { return &std::get<T>(value_); }
  T ValueOrDie() && { return std::get<T>(std::move(value_)); }
  T MoveValueUnsafe() { return std::get<T>(std::move(value_)); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace edgepipe

#define EDGEPIPE_CONCAT_IMPL(a, b) a##b
#define EDGEPIPE_CONCAT(a, b) EDGEPIPE_CONCAT_IMPL(a, b)

#define RETURN_NOT_OK(expr)                          \
  do {                                               \
    ::edgepipe::Status _st = (expr);                 \
    if (!_st.ok()) return _st;                       \
  } while (0)

#define EDGEPIPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).MoveValueUnsafe();

#define ASSIGN_OR_RETURN(lhs, rexpr) \
  EDGEPIPE_ASSIGN_OR_RETURN_IMPL(EDGEPIPE_CONCAT(_res_, __LINE__), lhs, rexpr)
