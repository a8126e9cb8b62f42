/** Shapes shared by the data layer, the activities and training. */
import type { ArtifactRef } from '../registry/artifact-store.js';

/** A column as DuckDB sees it. */
export interface ColumnInfo {
  readonly name: string;
  /** DuckDB's type name, e.g. `DOUBLE`, `VARCHAR`, `TIMESTAMP`. */
  readonly type: string;
}

/** A dataset snapshot (Parquet) in the artifact store; what ingest returns to the workflow. */
export interface DatasetRef extends ArtifactRef {
  readonly rows: number;
  readonly columns: readonly ColumnInfo[];
}

export type CellValue = number | string | null;

/** A column-major table in the JS heap, used only where rows must be in memory (training). */
export interface TabularData {
  readonly rows: number;
  readonly columns: Readonly<Record<string, CellValue[]>>;
}

/** The deterministic train/test split of a snapshot. */
export interface DataSplit {
  readonly train: TabularData;
  readonly test: TabularData;
}

/** Per-column facts from validation. */
export interface ColumnSummary {
  readonly name: string;
  /** DuckDB's type name. */
  readonly type: string;
  /** Rows where the value is null. */
  readonly missing: number;
}
