/**
 * The catalogue of named errors. Each carries a stable `type` (used as the Temporal
 * ApplicationFailure type) and a message that says what is wrong and how to fix it.
 * `retryable: false` marks bad input: retrying cannot help, so activities fail fast.
 */
export const errorTypes = {
  SpecInvalid: { retryable: false },
  DataNotFound: { retryable: false },
  DataUnreadable: { retryable: false },
  DataInvalid: { retryable: false },
  /** A data path, query or snapshot outside MLOPS_DATA_ROOTS (src/data/data-access.ts). */
  DataAccessDenied: { retryable: false },
  TrainingFailed: { retryable: false },
  TrainingDiverged: { retryable: false },
  ModelNotFound: { retryable: false },
  /** A registry file that cannot be parsed (truncated, hand-edited): fix or restore it. */
  RegistryCorrupt: { retryable: false },
  RegistryConflict: { retryable: true },
  /** The registry database cannot be reached (PostgreSQL down, network): retried. */
  RegistryUnavailable: { retryable: true },
  /** The artifact store cannot be reached (S3 down, network, throttling): retried. */
  StoreUnavailable: { retryable: true },
  ArtifactCorrupt: { retryable: false },
  TemporalCliUnavailable: { retryable: false },
  UsageError: { retryable: false },
  BadRequest: { retryable: false },
  /** A model version failed its readiness check (load + smoke query) before going live. */
  ReadinessCheckFailed: { retryable: false },
  /** An ONNX model that cannot serve this spec (missing file, inputs, outputs, labels): the message says what to fix. */
  ModelInvalid: { retryable: false },
  /** A `model.type: command` trainer exited with a failure (code, stderr in the message): retried, it may be transient. */
  CommandFailed: { retryable: true },
  /** A notification receiver did not answer 2xx (or could not be reached): retried with backoff. */
  DeliveryFailed: { retryable: true },
} as const;

/** The stable error types. */
export type ErrorType = keyof typeof errorTypes;

/** The product's errors: a stable `type` (see errorTypes) and a message that says what to fix. */
export class MlopsError extends Error {
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(type: ErrorType, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MlopsError';
    this.type = type;
    this.retryable = errorTypes[type].retryable;
    this.details = Object.freeze({ ...details });
  }
}

/** Whether `err` is an {@link MlopsError}. */
export function isMlopsError(err: unknown): err is MlopsError {
  return err instanceof MlopsError;
}

/** The message of anything thrown, for one-line CLI errors and logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
