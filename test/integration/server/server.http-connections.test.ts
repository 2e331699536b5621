import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';

describe('server - HTTP connections are bounded (limits.maxHttpConnections)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { maxHttpConnections: 2 } });
  });
  afterAll(async () => server?.stop());

  const healthz = () =>
    fetch(`http://127.0.0.1:${server.httpPort}/healthz`, { headers: { connection: 'close' } }).then(
      (r) => r.status,
      () => 'refused' as const,
    );

  it('idle sockets beyond the limit are closed at accept; a freed slot serves again', async () => {
    expect(await healthz()).toBe(200);
    // Two sockets that never send a request (what a slow or hostile client does) take both slots.
    const held = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(server.httpPort, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100)); // both accepted by the server
    expect(await healthz()).toBe('refused');
    held[0]!.destroy();
    let status: number | 'refused' = 'refused';
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = await healthz();
    }
    expect(status).toBe(200);
    held[1]!.destroy();
  });
});
