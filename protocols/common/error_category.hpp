#pragma once

#include <string>
#include <system_error>

namespace hemalink {

/// The std::error_category of one Errc enum: its name, and a function that describes each
/// value. Each codec keeps its own enum and description switch; this holds the boilerplate.
template <typename Errc>
class ErrorCategory final : public std::error_category {
 public:
  using Describe = const char* (*)(Errc);

  ErrorCategory(const char* name, Describe describe) : name_(name), describe_(describe) {}

  const char* name() const noexcept override { return name_; }
  std::string message(int value) const override { return describe_(static_cast<Errc>(value)); }

 private:
  const char* name_;
  Describe describe_;
};

/// `e` as an error_code of its enum's one category, named `name` and described by `describe`:
/// the whole of a room's make_error_code().
template <typename Errc>
std::error_code code_in_category(Errc e, const char* name,
                                 typename ErrorCategory<Errc>::Describe describe) {
  static const ErrorCategory<Errc> category(name, describe);
  return {static_cast<int>(e), category};
}

}  // namespace hemalink
