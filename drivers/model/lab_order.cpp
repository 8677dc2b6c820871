#include "drivers/model/lab_order.hpp"

namespace hemalink::model {

std::optional<OrderControl> order_control_from_hl7(std::string_view orc1) {
  if (orc1 == "NW" || orc1 == "NA")
    return OrderControl::New;
  if (orc1 == "XO" || orc1 == "XX" || orc1 == "RP" || orc1 == "RU")
    return OrderControl::Change;
  if (orc1 == "CA" || orc1 == "OC" || orc1 == "DC" || orc1 == "OD")
    return OrderControl::Cancel;
  if (orc1 == "SC" || orc1 == "OK" || orc1 == "SS")
    return OrderControl::Status;
  return std::nullopt;
}

std::optional<OrderControl> order_control_from_astm(std::string_view o12) {
  if (o12.empty() || o12 == "N" || o12 == "A")
    return OrderControl::New;
  if (o12 == "C")
    return OrderControl::Cancel;
  if (o12 == "P" || o12 == "X" || o12 == "L")
    return OrderControl::Status;
  return std::nullopt;
}

const char* to_string(OrderControl control) {
  switch (control) {
    case OrderControl::New:
      return "new";
    case OrderControl::Change:
      return "change";
    case OrderControl::Cancel:
      return "cancel";
    case OrderControl::Status:
      return "status";
  }
  return "new";
}

}  // namespace hemalink::model
