/**
 * The columns a spec names (target, features, time-split column) and the check that they
 * exist. Run before any query that references them, so a typo becomes a DataInvalid that
 * lists the columns found instead of a DuckDB binder error.
 */
import { MlopsError } from '../errors.js';
import { printable } from '../printable.js';
import type { PipelineSpec } from '../spec/schema.js';
import type { ColumnInfo } from './types.js';

/** A column the spec refers to, and the spec field that names it (for messages). */
export interface SpecColumn {
  readonly name: string;
  readonly field: 'data.target' | 'data.features' | 'data.split.column';
}

/** The parts of the spec that name columns. */
export type ColumnSpec = Pick<PipelineSpec['data'], 'target' | 'features' | 'split'>;

/** Target, features, then the time-split column; each name once, in that order. */
export function specColumns(data: ColumnSpec): SpecColumn[] {
  const named: SpecColumn[] = [
    { name: data.target, field: 'data.target' },
    ...data.features.map((f) => ({ name: f.name, field: 'data.features' as const })),
  ];
  if (data.split.method === 'time') named.push({ name: data.split.column, field: 'data.split.column' });
  const seen = new Set<string>();
  return named.filter((c) => !seen.has(c.name) && seen.add(c.name));
}

/**
 * Throws MlopsError('DataInvalid') for the first spec column missing from `found`, naming
 * the spec field, the columns present and a case-insensitive near match if there is one.
 * Names match exactly: serving keys instances by the same names.
 */
export function requireColumns(data: ColumnSpec, found: readonly ColumnInfo[]): void {
  const present = new Set(found.map((c) => c.name));
  for (const column of specColumns(data)) {
    if (present.has(column.name)) continue;
    const near = found.find((c) => c.name.toLowerCase() === column.name.toLowerCase());
    const hint = near ? ` (did you mean "${printable(near.name)}"? names are case-sensitive)` : '';
    throw new MlopsError(
      'DataInvalid',
      `column "${printable(column.name)}" named in ${column.field} is not in the data${hint}; columns found: ${listNames(found)}`,
      { column: column.name, field: column.field },
    );
  }
}

const MAX_LISTED = 30;

/** The columns' names for messages: the first 30, then how many more; `(none)` when empty. */
export function listNames(found: readonly { readonly name: string }[]): string {
  if (found.length === 0) return '(none)';
  const names = found.slice(0, MAX_LISTED).map((c) => printable(c.name));
  const more = found.length > MAX_LISTED ? ` and ${found.length - MAX_LISTED} more` : '';
  return names.join(', ') + more;
}
