#include "server/orders/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::orders {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::NoSuchOrder:
      return "no such order";
  }
  return "unknown orders error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "orders", describe);
}

}  // namespace hemalink::orders
