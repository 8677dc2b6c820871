#pragma once

#include <string>
#include <vector>

namespace hemalink::session {

/// Work hemalink sends an analyzer of its own accord (download mode): one message (LIS02-A2
/// records, or an HL7 OML^O33) and the order tests it carries, which become acknowledged when
/// the analyzer takes it (E1381: the ACK of its last frame; HL7: an ORL^O34 or ACK with AA/CA).
struct WorkToSend {
  std::string message;
  std::vector<long long> test_ids;
};

}  // namespace hemalink::session
