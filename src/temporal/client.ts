/** A Temporal client for the CLI and scripts, configured from the environment. */
import { Client, Connection } from '@temporalio/client';
import type { MlopsConfig } from '../config.js';
import { errorMessage, MlopsError } from '../errors.js';

export async function connectClient(config: MlopsConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '5s' }).catch((err: unknown) => {
    throw new MlopsError(
      'UsageError',
      `cannot reach the Temporal server at ${config.temporalAddress} (${errorMessage(err)}); start one with "mlops server" or set TEMPORAL_ADDRESS`,
    );
  });
  return new Client({ connection, namespace: config.namespace });
}
