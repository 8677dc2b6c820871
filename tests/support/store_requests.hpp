#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/ingest/message_reader.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::testing {

/// An reader with one analyzer per driver, named after it, with the shipped mapping
/// tables and the capture leniencies the corpus needs, deciding with `decider`.
std::shared_ptr<ingest::MessageReader> reader_for_every_driver(
    ingest::Decider decider = ingest::hold_everything);

/// A receipt as a session makes one: a fresh ID, now, from 127.0.0.1.
records::Receipt receipt(std::string analyzer, std::string driver, model::WireProtocol protocol,
                         std::string raw);

/// Every message of a capture file as the daemon would submit it: a receipt per message
/// (analyzer named after the file's driver) and its content.
std::vector<store::StoreRequest> requests_from_capture(const std::filesystem::path& file,
                                                       const ingest::MessageReader& reader);

/// A synthetic message of `analyzer` for specimen "S<tag>" of patient "P<tag>", with `results`
/// observations T0, T1... (values "0.5", "1.5"...), each held; its raw text is unique to `tag`.
store::StoreRequest synthetic(const std::string& analyzer, const std::string& tag,
                              std::size_t results,
                              model::SpecimenKind kind = model::SpecimenKind::Patient);

}  // namespace hemalink::testing
