-- Wakes the dispatchers of every delivery replica (LISTEN leadflow_delivery_outbox) when events
-- are written, whoever writes them: one notification per statement, sent when its transaction
-- commits (docs/delivery.md "Waking other replicas"). Dispatchers still poll (DELIVERY_POLL_MS).
CREATE OR REPLACE FUNCTION delivery_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('leadflow_delivery_outbox', '');
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS delivery_events_notify ON delivery_events;
CREATE TRIGGER delivery_events_notify AFTER INSERT ON delivery_events
  FOR EACH STATEMENT EXECUTE FUNCTION delivery_events_notify();

-- A replay sets ended events pending again: those rows alone (the dispatchers' own updates keep
-- `pending` or end it, and notify nothing); identical notifications of one transaction fold.
DROP TRIGGER IF EXISTS delivery_events_notify_replay ON delivery_events;
CREATE TRIGGER delivery_events_notify_replay AFTER UPDATE OF status ON delivery_events
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM 'pending' AND NEW.status = 'pending') EXECUTE FUNCTION delivery_events_notify();
