/**
 * A free loopback TCP port, for a child process that must be told its port before it starts (PORT, a webhook
 * port). The port is released before returning, so another process could take it first: fine for local tools
 * and tests, never for production wiring (there, listen on 0 and read the address back).
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
