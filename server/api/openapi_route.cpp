#include "server/api/lab_routes.hpp"

namespace hemalink::api {
namespace {

// Kept by hand beside the routes; a test checks that the two list the same routes.
constexpr const char* kOpenApi = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "hemalink",
    "version": "1",
    "description": "The HTTP API of hemalink, the instrument middleware: health, metrics, analyzers, results, the review queue, the outbox and the audit log. Every /api/v1 call needs a bearer token (api.tokens in the configuration; hemalink token makes one). Errors are {\"error\": {\"code\", \"message\"}}."
  },
  "components": {
    "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
    "schemas": {
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": { "code": { "type": "string" }, "message": { "type": "string" } },
            "required": ["code", "message"]
          }
        }
      },
      "ReviewAction": {
        "type": "object",
        "properties": {
          "comment": { "type": "string", "description": "Why (required, 1-2000 characters)." },
          "corrected_value": { "type": "string", "description": "release only: the value to report instead of the analyzer's; the analyzer's stays in the audit log." }
        },
        "required": ["comment"],
        "additionalProperties": false
      }
    },
    "parameters": {
      "limit": { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
      "since": { "name": "since", "in": "query", "schema": { "type": "string", "format": "date-time" } }
    },
    "responses": {
      "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
      "Json": { "description": "A JSON document", "content": { "application/json": { "schema": { "type": "object" } } } }
    }
  },
  "security": [{ "bearer": [] }],
  "paths": {
    "/healthz": {
      "get": { "summary": "The daemon is alive", "security": [], "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/readyz": {
      "get": { "summary": "Ready: database reachable, spool not growing, listeners bound, LIS destinations connected", "security": [],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "503": { "description": "Not ready, with the reasons" } } }
    },
    "/metrics": {
      "get": { "summary": "Prometheus text exposition format", "security": [],
               "responses": { "200": { "description": "Metrics", "content": { "text/plain": { "schema": { "type": "string" } } } } } }
    },
    "/api/v1/openapi.json": {
      "get": { "summary": "This description", "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/analyzers": {
      "get": { "summary": "Each configured analyzer: connection state, peers, last message, counts since start (link errors are NAKs); with since, its messages received since then by status, from the database (viewer)",
               "parameters": [ { "$ref": "#/components/parameters/since" } ],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "401": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/specimens/{specimen_id}": {
      "get": { "summary": "Every transmission of a specimen with its results, decisions, rules fired and delivery (viewer)",
               "parameters": [{ "name": "specimen_id", "in": "path", "required": true, "schema": { "type": "string" } }],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/results": {
      "get": { "summary": "Search results, newest first, a page at a time (viewer)",
               "parameters": [
                 { "name": "analyzer", "in": "query", "schema": { "type": "string" } },
                 { "name": "code", "in": "query", "schema": { "type": "string" } },
                 { "name": "patient", "in": "query", "schema": { "type": "string" } },
                 { "name": "decision", "in": "query", "schema": { "type": "string", "enum": ["release", "hold", "rerun", "reject"] } },
                 { "$ref": "#/components/parameters/since" },
                 { "name": "until", "in": "query", "schema": { "type": "string", "format": "date-time" } },
                 { "$ref": "#/components/parameters/limit" },
                 { "name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": { "type": "string" } }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/review": {
      "get": { "summary": "Held results, oldest first, grouped by specimen, with reasons, flags and the patient's previous results (viewer)",
               "parameters": [{ "$ref": "#/components/parameters/limit" }],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/review/{result_id}/release": {
      "post": { "summary": "Release a held result to the LIS, with a comment and optionally a corrected value (technologist)",
                "parameters": [{ "name": "result_id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReviewAction" } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/review/{result_id}/rerun": {
      "post": { "summary": "Ask for a held result to be run again (technologist)",
                "parameters": [{ "name": "result_id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReviewAction" } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/review/{result_id}/reject": {
      "post": { "summary": "Reject a held result: it is never reported (technologist)",
                "parameters": [{ "name": "result_id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReviewAction" } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/review/comments": {
      "get": { "summary": "The lab's comment codes in force ({codes: [{code, text, source: configuration|api, changed_by, changed_at}], removed: [{code, changed_by, changed_at}]}): the configuration's review.comment_codes, with the codes stored through the API over them (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/review/comments/{code}": {
      "put": { "summary": "Add a comment code or change its text: {text} (1-500 characters); stored, audited, and in force over the configuration's (admin)",
               "parameters": [{ "name": "code", "in": "path", "required": true, "description": "a dot and 1-16 letters or digits", "schema": { "type": "string" } }],
               "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "text": { "type": "string" } }, "required": ["text"] } } } },
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" } } },
      "delete": { "summary": "Remove a comment code in force, the configuration's too: the removal is stored and audited (admin)",
                  "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }],
                  "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/outbox": {
      "get": { "summary": "Outbox rows, newest first (viewer)",
               "parameters": [
                 { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["pending", "sent", "dead"] } },
                 { "name": "destination", "in": "query", "schema": { "type": "string" } },
                 { "$ref": "#/components/parameters/limit" }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/orders": {
      "get": { "summary": "Orders from the LIS with their tests' status, newest first; overdue=true lists those with tests still pending past orders.overdue_after_min (viewer)",
               "parameters": [
                 { "name": "specimen", "in": "query", "schema": { "type": "string" } },
                 { "name": "overdue", "in": "query", "schema": { "type": "string", "enum": ["true", "false"] } },
                 { "$ref": "#/components/parameters/limit" }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/orders/unmapped": {
      "get": { "summary": "LIS test codes the destinations' mapping tables do not know, with tests still open on them: per destination and code, the open tests, specimens, first and last ordered, the latest specimen; empties as the tables learn the codes (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/definitions": {
      "get": { "summary": "The control definitions in force: the definitions file's, and those put through the API, which win for their control (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" } } },
      "post": { "summary": "Put a control definition (a new lot's target, a corrected SD, or establish): analyzer, test, material, level, lot, sample, mean and sd or establish, reason; stored, audited and in force at once (admin)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/qc/gates": {
      "get": { "summary": "The QC gate of every analyzer's tests with controls: in, out or unknown, whether the test is under QC (a control has a target), why, the last run and when it went out (viewer)",
               "parameters": [{ "name": "analyzer", "in": "query", "schema": { "type": "string" } }],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/{analyzer}/{test}": {
      "get": { "summary": "The Levey-Jennings series of a test: per control level, every judged or establishing control result with its lot, target, z-score, run and violated Westgard rules, oldest first (viewer)",
               "parameters": [
                 { "name": "analyzer", "in": "path", "required": true, "schema": { "type": "string" } },
                 { "name": "test", "in": "path", "required": true, "schema": { "type": "string" } },
                 { "name": "material", "in": "query", "schema": { "type": "string" } },
                 { "name": "lot", "in": "query", "schema": { "type": "string" } },
                 { "name": "since", "in": "query", "schema": { "type": "string", "format": "date-time" } },
                 { "$ref": "#/components/parameters/limit" }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/averages": {
      "get": { "summary": "Every patient-based average that has a point (XbarM, moving average, EWMA), on one analyzer or all: its latest point with its limits, points in a row outside them and whether it is an excursion (viewer)",
               "parameters": [
                 { "name": "analyzer", "in": "query", "schema": { "type": "string" } }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/{analyzer}/{test}/averages": {
      "get": { "summary": "The patient-based averages of a test (Bull's XbarM, moving average, EWMA): each point with its target, limits, points in a row outside them and whether it was an excursion (an alarm), oldest first (viewer)",
               "parameters": [
                 { "name": "analyzer", "in": "path", "required": true, "schema": { "type": "string" } },
                 { "name": "test", "in": "path", "required": true, "schema": { "type": "string" } },
                 { "name": "since", "in": "query", "schema": { "type": "string", "format": "date-time" } },
                 { "$ref": "#/components/parameters/limit" }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/{analyzer}/{test}/bracket": {
      "get": { "summary": "Bracketing the test's latest QC failure: the patient results released since the last accepted run before it, up to the accepted run that ended it (viewer)",
               "parameters": [
                 { "name": "analyzer", "in": "path", "required": true, "schema": { "type": "string" } },
                 { "name": "test", "in": "path", "required": true, "schema": { "type": "string" } }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/held": {
      "get": { "summary": "The results the QC gate holds for failed control runs, one group per episode (analyzer, test, when rejected): the rejected run's rules and reason, the accepted run after it, the gate now (still_out), how many people decided, the results still held; listed until every result is decided (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/qc/held/{analyzer}/{test}/{rejected_at}": {
      "post": { "summary": "Decide a failed run's held results as one decision, in one transaction, audited per result: every still-held result of the group, or the result_ids chosen; results someone decided meanwhile are skipped and named (technologist)",
                "parameters": [
                  { "name": "analyzer", "in": "path", "required": true, "schema": { "type": "string" } },
                  { "name": "test", "in": "path", "required": true, "schema": { "type": "string" } },
                  { "name": "rejected_at", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-12-07T10:05:00Z" } }
                ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["verdict", "comment"], "properties": { "verdict": { "type": "string", "enum": ["release", "rerun", "reject"] }, "comment": { "type": "string", "minLength": 1, "maxLength": 2000 }, "result_ids": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 5000 } } } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/outbox/{id}/resend": {
      "post": { "summary": "Send a sent or dead row again (admin)",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/messages/{id}": {
      "get": { "summary": "A stored message, raw, for troubleshooting (admin)",
               "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/reload": {
      "post": { "summary": "Read the configuration's rule files (and mapping tables) again, store the files as a rule set version (live only when none is) and put the live version in force; the answer names the version stored with its status and the version in force; with errors, the running set stays (admin)",
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "422": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/test": {
      "post": { "summary": "Run cases (as hemalink rules test reads them) on the rule set in force: each case's verdicts and firings (viewer)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "cases": { "type": "array" } } } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/versions": {
      "get": { "summary": "The stored rule set versions, newest first, with their status (draft, shadow, live, retired), author, reason and the backtest each went live with (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" } } },
      "post": { "summary": "Upload a candidate rule set as a draft version: {files: [{name, text}], reason}; its rules' errors are 422 with each one's file, line, column and rule (technologist)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "files": { "type": "array" }, "reason": { "type": "string" } } } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/versions/{id}": {
      "get": { "summary": "A stored rule set version with its content, the files in order (viewer)",
               "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/versions/{id}/status": {
      "post": { "summary": "Move a version: {status, backtest_id, comment}. Live needs a done backtest of this version, and a comment when it found would-be false negatives; going live retires the previous live version and puts the new one in force at once; audited (admin)",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "status": { "type": "string" }, "backtest_id": { "type": "integer" }, "comment": { "type": "string" } } } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/diff": {
      "get": { "summary": "Rules added, removed and changed (with the fields that differ) from one stored version to another (viewer)",
               "parameters": [
                 { "name": "from", "in": "query", "required": true, "schema": { "type": "string" } },
                 { "name": "to", "in": "query", "required": true, "schema": { "type": "string" } }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/check": {
      "post": { "summary": "Check a candidate's rule files without storing them: {files: [{name, text}]}; 200 {version, rules} or 422 rules_invalid with each error's file, line, column and JSON path (viewer)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "files": { "type": "array" } } } } } },
                "responses": { "200": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/backtests": {
      "get": { "summary": "The latest backtests, newest first, with their status (running, done, failed) and progress, without their reports (viewer)",
               "parameters": [ { "$ref": "#/components/parameters/limit" } ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } },
      "post": { "summary": "Start a backtest of a stored version: {candidate: its ID or version, from?, to? (UTC: 2026-11-30 or 2026-11-30T08:00), analyzers?: [names]}; 202 {id}, run in the background, one at a time: 409 naming the one running; a field that cannot be replayed is 422 backtest_invalid naming it (technologist)",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "candidate": { "oneOf": [{ "type": "integer" }, { "type": "string" }] }, "from": { "type": "string" }, "to": { "type": "string" }, "analyzers": { "type": "array", "items": { "type": "string" } } }, "required": ["candidate"] } } } },
                "responses": { "202": { "$ref": "#/components/responses/Json" }, "400": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/backtests/{id}": {
      "get": { "summary": "A backtest: its status, specimens_done of specimens_total, and when done its report (AV rate by test, analyzer and rule, false negatives, needless holds, agreement and kappa, minutes saved) (viewer)",
               "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/rules/shadow": {
      "get": { "summary": "The version in shadow (or ?version=) compared so far: results decided in shadow, agreement with the live decisions and with people (counts, share, kappa), would-be false negatives, and the latest disagreements with the live set, newest first (viewer)",
               "parameters": [ { "name": "version", "in": "query", "schema": { "type": "string" } }, { "$ref": "#/components/parameters/limit" } ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/rules/firings": {
      "get": { "summary": "How often each rule fired, and held, in the decisions made since (default: the last 24 hours), most frequent first (viewer)",
               "parameters": [ { "$ref": "#/components/parameters/since" } ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    },
    "/api/v1/me": {
      "get": { "summary": "The caller: the user and role its token names (viewer)",
               "responses": { "200": { "$ref": "#/components/responses/Json" }, "401": { "$ref": "#/components/responses/Error" } } }
    },
    "/": {
      "get": { "summary": "The technologist's page (public; what it shows comes from /api/v1 with the token signed in with)",
               "responses": { "200": { "description": "index.html", "content": { "text/html": {} } } } }
    },
    "/ui/{file}": {
      "get": { "summary": "A file of the technologist's page: its script and style (public)",
               "parameters": [ { "name": "file", "in": "path", "required": true, "schema": { "type": "string" } } ],
               "responses": { "200": { "description": "The file" }, "404": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/events": {
      "get": { "summary": "A WebSocket of live events (viewer): first a presence_snapshot {session, present: [{user, session, specimen_row_id}]}, then each event a JSON object with seq, type (message, decision, held, released, rerun, rejected, presence, qc, qc_alarm, delivered, dead, analyzer_connected, analyzer_disconnected, gap, dropped) and at. A technologist's page sends {\"type\": \"presence\", \"specimen_row_id\": N or null} to say what it has open. A client that falls behind gets a dropped event and is closed. Browsers pass the token as access_token.",
               "parameters": [
                 { "name": "since", "in": "query", "description": "resume after this sequence number", "schema": { "type": "integer" } },
                 { "name": "access_token", "in": "query", "description": "the bearer token, for clients that cannot set headers", "schema": { "type": "string" } }
               ],
               "responses": { "101": { "description": "Switching to the WebSocket" }, "426": { "$ref": "#/components/responses/Error" } } }
    },
    "/api/v1/audit": {
      "get": { "summary": "The audit log, newest first (viewer)",
               "parameters": [
                 { "name": "entity", "in": "query", "schema": { "type": "string" } },
                 { "$ref": "#/components/parameters/since" },
                 { "$ref": "#/components/parameters/limit" }
               ],
               "responses": { "200": { "$ref": "#/components/responses/Json" } } }
    }
  }
})json";

}  // namespace

void add_openapi_route(Router& router) {
  router.add({"GET", "/api/v1/openapi.json", config::ApiRole::Viewer, {}, [](const RouteCall&) {
                return json_text_response(kOpenApi);
              }});
}

}  // namespace hemalink::api
