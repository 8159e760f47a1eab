-- The inbox worker asks for due entries a status at a time, earliest due first, so that each question is an index
-- scan that stops at its limit. It asked for them in id order across both statuses, which scanned the primary key
-- from the first entry and stepped over every processed entry still in the table (36 ms a question with 70,000
-- entries, and growing with them).
DROP INDEX junction_webhook_inbox_status;
CREATE INDEX junction_webhook_inbox_due ON junction_webhook_inbox (status, next_attempt_at, id);
