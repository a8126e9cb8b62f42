/**
 * Validate: statistics, schema and anomalies of the snapshot (TFDV's StatisticsGen, SchemaGen
 * and ExampleValidator in one step). The schema is the pinned one (`data.schema`), else the one
 * kept with the production version, else inferred from this snapshot. Statistics, schema and
 * an HTML report are stored as artifacts; error anomalies then fail the step with a
 * non-retryable DataInvalid that lists them.
 */
import type { Anomaly } from '../src/data/anomalies.js';
import { serializeDataSchema } from '../src/data/data-schema.js';
import { expectedSchema } from '../src/data/expected-schema.js';
import type { DatasetRef } from '../src/data/types.js';
import { assertValid, describeOutcome, validateDataset } from '../src/data/validate.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import { renderValidationReport } from '../src/report/validation-report.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

/** What the validate step returns: a few numbers and artifact references. */
export interface ValidateResult {
  readonly rowCount: number;
  /** The warning anomalies' messages. */
  readonly warnings: string[];
  /** Every anomaly (only warnings reach here: errors fail the step). */
  readonly anomalies: Anomaly[];
  /** The snapshot's statistics (src/data/statistics.ts) as JSON (`.stats.json`): the drift reference of a model trained on it. */
  readonly statistics: ArtifactRef;
  /** The schema checked against (`.schema.json`); record it with the model version. */
  readonly schema: ArtifactRef;
  /** Where the schema came from. */
  readonly schemaSource: 'pinned' | 'model' | 'inferred';
  /** The HTML report (`.validation.html`). */
  readonly report: ArtifactRef;
  /** One line for people: rows, columns, errors and warnings, the schema's origin. */
  readonly summary: string;
}

export function validateActivity(deps: ActivityDeps) {
  return async function validate(input: { spec: PipelineSpec; dataset: DatasetRef }): Promise<ValidateResult> {
    return asFailure(async () => {
      const { spec } = input;
      const expected = await expectedSchema({ spec, baseDir: deps.baseDir, registry: deps.registry, store: deps.store });
      const file = await deps.store.localPath(input.dataset);
      const origin = spec.data.source ?? (spec.data.snapshot ? `data.snapshot ${spec.data.snapshot.uri}` : 'data.query');
      const outcome = await validateDataset({ dataset: file, spec, schema: expected.schema, origin });
      const statistics = await deps.store.putBytes(JSON.stringify(outcome.statistics), '.stats.json');
      const schema = await deps.store.putBytes(serializeDataSchema(outcome.schema), '.schema.json');
      const html = renderValidationReport({ ...outcome, schemaSource: expected.label, reference: expected.reference, at: new Date().toISOString() });
      const report = await deps.store.putBytes(html, '.validation.html');
      const summary = describeOutcome(outcome, expected.source);
      deps.logger.info({ model: spec.name, rows: outcome.rowCount, anomalies: outcome.anomalies.length, report: report.uri }, `validate: ${summary}`);
      assertValid(outcome, { report: report.uri });
      return { rowCount: outcome.rowCount, warnings: outcome.warnings, anomalies: outcome.anomalies, statistics, schema, schemaSource: expected.source, report, summary };
    });
  };
}
