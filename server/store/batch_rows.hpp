#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "drivers/model/message_id.hpp"
#include "server/records/lis_routes.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::store {

/// How a batch's rows go to the database: COPY text (CopyLine) for a large batch, JSON (JsonRow)
/// as parameters of one statement for a small one (see batch_writer.cpp).
enum class RowForm { Copy, Json };

/// The rows of a batch, table by table, built before they are sent.
struct BatchRows {
  RowForm form = RowForm::Json;
  std::string specimens;
  std::string results;
  std::string decisions;
  std::string shadow_decisions;  ///< Those of the rule set in shadow: kDecisionColumns too.
  std::string outbox;
  std::string qc_evaluations;
  std::string patient_averages;
  std::set<std::string> outbox_specimens;     ///< The specimens of the outbox rows.
  std::set<std::string> outbox_destinations;  ///< Their destinations.
};

/// Column lists, in the order the rows below write them.
extern const std::vector<std::string> kIncomingColumns;
extern const std::vector<std::string> kSpecimenColumns;
extern const std::vector<std::string> kResultColumns;
extern const std::vector<std::string> kDecisionColumns;
extern const std::vector<std::string> kOutboxColumns;
extern const std::vector<std::string> kQcEvaluationColumns;
extern const std::vector<std::string> kPatientAverageColumns;

/// One message row (kIncomingColumns): for the staging table of a COPY batch, or the batch
/// statement's messages parameter.
/// `duplicate_of` is set for a message that repeats an earlier one of the same batch;
/// `resend_key` is its resend_key().
void append_incoming_message(std::string& out, const StoreRequest& request, long long analyzer_id,
                             const std::optional<model::MessageId>& duplicate_of,
                             std::string_view resend_key, RowForm form);

/// Identities drawn from the sequences for one batch, handed out in order.
struct IdPool {
  std::vector<long long> specimens;
  std::vector<long long> results;
  std::size_t next_specimen = 0;
  std::size_t next_result = 0;
};

/// Appends a stored message's specimens, results, decisions and outbox rows (one per specimen
/// with released patient results and route that takes its analyzer). A result without a decision
/// (the caller sent too few) is held, and the decision says so.
void append_result_rows(BatchRows& rows, const StoreRequest& request, long long analyzer_id,
                        IdPool& ids, const records::LisRoutes& routes);

std::size_t count_observations(const records::MessageContent& content);

/// `text` made storable in a PostgreSQL text or jsonb value: NUL becomes U+FFFD, invalid UTF-8
/// is read as Latin-1.
std::string storable(std::string_view text);

}  // namespace hemalink::store
