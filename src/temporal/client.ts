/** A Temporal client for the CLI and scripts, configured from the environment (src/temporal/connection.ts). */
import { Client, Connection } from '@temporalio/client';
import type { MlopsConfig } from '../config.js';
import { connectionFailure, temporalConnectionOptions } from './connection.js';

/** Connects with the config's address, namespace, TLS / mTLS and API key; a failure names all of them and the cause. */
export async function connectClient(config: MlopsConfig): Promise<Client> {
  const options = temporalConnectionOptions(config);
  const connection = await Connection.connect(options.client).catch(async (err: unknown) => {
    throw await connectionFailure(options, err);
  });
  return new Client({ connection, namespace: options.namespace });
}
