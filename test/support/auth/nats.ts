/**
 * A private nats-server on 127.0.0.1 with JetStream (file storage in its own temp dir) that requires a token
 * (`--auth`): a client without it, or with another, is refused with "Authorization Violation".
 */
import { freePort } from '../../../lib/net/free-port.js';
import { makeServerDir, spawnServer } from './server-process.js';

export interface AuthNats {
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
}

export async function startAuthNats(token: string): Promise<AuthNats> {
  const dir = makeServerDir('nats-auth');
  const port = await freePort();
  const server = spawnServer('nats-server', dir, 'nats-server', ['-a', '127.0.0.1', '-p', String(port), '--auth', token, '-js', '-sd', dir]);
  try {
    await server.waitForOutput(/Server is ready/, 20_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url: `nats://127.0.0.1:${port}`, token, stop: () => server.stop() };
}
