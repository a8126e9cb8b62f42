/**
 * The PostgreSQL registry's tables and views, created in the connection's default schema (the
 * first entry of `search_path`, usually `public`; put `?options=-c%20search_path%3Dmlops` in
 * `MLOPS_REGISTRY` to use another). Each model is one row holding the same `RegisteredModel`
 * document the file registry keeps, so both backends share every rule. The views expand the
 * documents for people who query the registry with SQL; they are read-only.
 */

/** Channel of the `NOTIFY` sent, with the model's name, when a model's aliases move. */
export const registryChannel = 'mlops_registry';

/** Key of the advisory lock that serialises schema creation across processes. */
export const schemaLockKey = 0x6d6c6f7073; // "mlops"

/** Every table and view of {@link schemaSql}: when all exist, a process skips the DDL. */
export const schemaObjects = ['mlops_models', 'mlops_inference_segments', 'mlops_model_versions', 'mlops_aliases', 'mlops_alias_history', 'mlops_runs', 'mlops_monitor_checks'];

/** Idempotent DDL, run under {@link schemaLockKey} by the first process that finds an object missing. */
export const schemaSql = `
CREATE TABLE IF NOT EXISTS mlops_models (
  name text PRIMARY KEY,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mlops_inference_segments (
  model text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('predictions', 'feedback')),
  sha256 text NOT NULL,
  artifact jsonb NOT NULL,
  "rows" integer NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  writer text,
  PRIMARY KEY (model, kind, sha256)
);

-- Every pipeline run and sweep trial (src/registry/run-record.ts), kept after Temporal's retention.
CREATE TABLE IF NOT EXISTS mlops_runs (
  id text PRIMARY KEY,
  model text NOT NULL,
  kind text NOT NULL,
  outcome text NOT NULL,
  parent_workflow_id text,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  doc jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS mlops_runs_model_started ON mlops_runs (model, started_at DESC);

-- Every continuousTraining check: drift scores, live metrics, the decision.
CREATE TABLE IF NOT EXISTS mlops_monitor_checks (
  model text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  at timestamptz NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (model, workflow_id, run_id, at)
);

CREATE OR REPLACE VIEW mlops_model_versions AS
SELECT m.name AS model,
  (v->>'version')::integer AS version,
  (v->>'createdAt')::timestamptz AS created_at,
  v->'metrics' AS metrics,
  v->'approval'->>'decision' AS approval,
  v->'approval'->>'reviewer' AS reviewer,
  coalesce(v->'tags', '{}'::jsonb) AS tags,
  v->'bundle'->>'uri' AS bundle_uri,
  v->'bundle'->>'sha256' AS bundle_sha256,
  v->'lineage'->'dataset'->>'sha256' AS dataset_sha256,
  v->'lineage'->>'workflowId' AS workflow_id,
  v->>'idempotencyKey' AS idempotency_key
FROM mlops_models m CROSS JOIN LATERAL jsonb_array_elements(m.doc->'versions') AS v;

CREATE OR REPLACE VIEW mlops_aliases AS
SELECT m.name AS model, a.key AS alias, (a.value #>> '{}')::integer AS version
FROM mlops_models m CROSS JOIN LATERAL jsonb_each(m.doc->'aliases') AS a;

CREATE OR REPLACE VIEW mlops_alias_history AS
SELECT m.name AS model,
  h.seq,
  h.event->>'alias' AS alias,
  (h.event->>'from')::integer AS from_version,
  (h.event->>'to')::integer AS to_version,
  coalesce(h.event->>'action', 'promote') AS action,
  h.event->>'actor' AS actor,
  (h.event->>'at')::timestamptz AS at,
  h.event->>'reason' AS reason
FROM mlops_models m CROSS JOIN LATERAL jsonb_array_elements(m.doc->'history') WITH ORDINALITY AS h(event, seq);
`;
