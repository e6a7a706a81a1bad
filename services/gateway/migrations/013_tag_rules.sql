-- A tenant's tag rules (docs/tags-and-scorecards.md), set over the API and replaced whole:
-- [{"tag": "...", "when": <condition>}], checked by the gateway when saved. The enrichment
-- stage reads them (every 30 s in Kafka mode; at once in leadflow serve after a change).
CREATE TABLE IF NOT EXISTS tag_rules (
  tenant_id   text        PRIMARY KEY,
  rules       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
