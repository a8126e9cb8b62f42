/**
 * The state hosts share in production, started for a test: an S3 server (rclone) for artifacts
 * and a PostgreSQL database for the registry, with the environment that points a host at them.
 */
import { postgresSkipReason, startPostgres, type PostgresService } from './postgres.js';
import { findRclone, rcloneAvailability, startS3Server, type S3Server } from './s3-server.js';

export interface SharedState {
  readonly s3: S3Server;
  readonly postgres: PostgresService;
  /** MLOPS_ARTIFACTS, MLOPS_S3_ENDPOINT, AWS credentials and region, MLOPS_REGISTRY. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Why the shared state cannot be started here, or undefined. CI installs both (.ci/run). */
export async function sharedStateSkipReason(): Promise<string | undefined> {
  const rclone = await rcloneAvailability();
  return postgresSkipReason ?? (rclone.kind === 'none' ? rclone.reason : undefined);
}

export async function startSharedState(database = 'mlops_registry'): Promise<SharedState> {
  const [s3, postgres] = await Promise.all([findRclone().then((rclone) => startS3Server({ rclone })), startPostgres()]);
  const env = {
    MLOPS_ARTIFACTS: `s3://${s3.bucket}/mlops`,
    MLOPS_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: 'us-east-1',
    MLOPS_REGISTRY: await postgres.database(database),
  };
  return { s3, postgres, env, close: async () => void (await Promise.all([s3.close(), postgres.dispose()])) };
}
