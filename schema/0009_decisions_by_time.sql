-- hemalink schema, version 9: decisions by the time they were made, for "how often did each rule
-- fire today" (GET /api/v1/rules/firings). Decisions are written in time order, so a BRIN index
-- (a few pages per million rows, next to nothing per insert) narrows a day's read to that day's
-- blocks without slowing the ingest path the way a B-tree on every decision would.

CREATE INDEX decisions_decided_at ON decisions USING brin (decided_at);
