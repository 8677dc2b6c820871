-- hemalink schema, version 8: the store's writers wake the LIS senders after their commit, not in
-- it. A transaction that notifies holds PostgreSQL's notify lock from its NOTIFY through its
-- commit, WAL flush included, so two store writers inserting outbox rows could never commit at
-- once (measured with scripts/dev.sh bench: four MLLP analyzers lost about a third of their
-- throughput to it). A session that sets hemalink.notify_after_commit = on notifies by itself
-- once committed (the store's writers do); every other writer of outbox rows (a release by a
-- technologist, hemalink outbox resend) is still announced by this trigger. A notification lost
-- to a crash between commit and notify only waits for the senders' poll.

CREATE OR REPLACE FUNCTION outbox_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hemalink.notify_after_commit', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('hemalink_outbox', d.destination)
    FROM (SELECT DISTINCT destination FROM inserted_rows) d;
  RETURN NULL;
END;
$$;
