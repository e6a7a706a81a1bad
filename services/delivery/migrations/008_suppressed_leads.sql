-- Re-screening (docs/rescreen.md): an event whose one lead a re-screening suppressed is marked, so
-- that it is neither sent (pending ones end `cancelled`) nor sent again by a replay.
ALTER TABLE delivery_events ADD COLUMN IF NOT EXISTS suppressed_at timestamptz;
