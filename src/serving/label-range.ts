/**
 * The range of true values feedback may send for a regression model: the target's range in the
 * data schema kept with the version, widened on each side by ten times the larger of its width
 * and its magnitude (true values drift, and drift is what feedback is for), or ±1e15 when the version
 * has no schema. A label like 1e300 is refused either way.
 */
import { parseDataSchema } from '../data/data-schema.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelVersion } from '../registry/model-registry.js';

/** The accepted range when no schema says otherwise. */
export const defaultLabelRange = Object.freeze({ min: -1e15, max: 1e15 });

/** A target range `[min, max]` widened as the module comment says. */
export function widenedRange(min: number, max: number): { min: number; max: number } {
  const margin = 10 * Math.max(max - min, Math.abs(min), Math.abs(max), 1);
  return { min: min - margin, max: max + margin };
}

/** Reads (once per schema artifact) the accepted label range of a version. */
export class LabelRanges {
  private readonly bySchema = new Map<string, Promise<{ min: number; max: number }>>();

  constructor(private readonly store?: ArtifactStore) {}

  /** The version's range; the default when there is no store or schema, or it cannot be read. */
  async of(entry: ModelVersion): Promise<{ min: number; max: number }> {
    const ref = entry.schema;
    if (!ref || !this.store) return defaultLabelRange;
    let range = this.bySchema.get(ref.sha256);
    if (!range) {
      range = this.read(entry).catch(() => defaultLabelRange);
      this.bySchema.set(ref.sha256, range);
    }
    return range;
  }

  private async read(entry: ModelVersion): Promise<{ min: number; max: number }> {
    const schema = parseDataSchema(JSON.parse((await this.store!.readBytes(entry.schema!)).toString('utf8')), entry.schema!.uri);
    const target = schema.columns.find((c) => c.role === 'target')?.range;
    return target ? widenedRange(target.min, target.max) : defaultLabelRange;
  }
}
