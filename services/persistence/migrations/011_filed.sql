-- A job's exports show its rows as the job filed them, while a lead changes in place (merges of
-- later duplicates, a review dropping its possible_duplicate tag): the first statement that
-- changes a lead keeps its exported values as filed here (filed.ts). NULL: never changed.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS filed jsonb;

-- Leads changed before this column existed. Each merge recorded every field's value before it,
-- so a field's value as filed is the 'before' of the first merge that changed it ('' was empty).
UPDATE leads l
   SET filed = jsonb_strip_nulls(jsonb_build_object(
         'first_name', l.first_name, 'last_name', l.last_name, 'full_name', l.full_name, 'email', l.email,
         'email_type', l.email_type, 'phone', l.phone, 'phone_extension', l.phone_extension, 'phone_type', l.phone_type,
         'company', l.company, 'domain', l.domain, 'job_title', l.job_title, 'street', l.street,
         'address_line2', l.address_line2, 'city', l.city, 'state', l.state, 'postal_code', l.postal_code,
         'country', l.country, 'industry', l.industry, 'source', l.source, 'tags', to_jsonb(l.tags)) || f.befores)
  FROM (
    SELECT lead_id, jsonb_object_agg(field, CASE WHEN change->>'before' = '' THEN 'null'::jsonb ELSE change->'before' END) AS befores
      FROM (
        SELECT DISTINCT ON (m.lead_id, e.key) m.lead_id, e.key AS field, e.value AS change
          FROM lead_merges m CROSS JOIN LATERAL jsonb_each(m.changes) AS e
         WHERE e.key <> 'email_key'
         ORDER BY m.lead_id, e.key, m.id
      ) first_changes
     GROUP BY lead_id
  ) f
 WHERE l.id = f.lead_id AND l.filed IS NULL;

-- Leads a person decided were not duplicates lost the possible_duplicate tag they were filed with.
UPDATE leads l
   SET filed = coalesce(l.filed, jsonb_strip_nulls(jsonb_build_object(
         'first_name', l.first_name, 'last_name', l.last_name, 'full_name', l.full_name, 'email', l.email,
         'email_type', l.email_type, 'phone', l.phone, 'phone_extension', l.phone_extension, 'phone_type', l.phone_type,
         'company', l.company, 'domain', l.domain, 'job_title', l.job_title, 'street', l.street,
         'address_line2', l.address_line2, 'city', l.city, 'state', l.state, 'postal_code', l.postal_code,
         'country', l.country, 'industry', l.industry, 'source', l.source)))
       || jsonb_build_object('tags', to_jsonb(array_append(l.tags, 'possible_duplicate')))
  FROM possible_duplicates p
 WHERE p.lead_id = l.id AND p.status = 'distinct' AND NOT ('possible_duplicate' = ANY (l.tags));
