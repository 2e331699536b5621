import net from 'node:net';

/** Local services the integration tests use; each overridable by env (e.g. LAKECAST_TEST_PG_URL). */
export const SERVICES = {
  postgres: {
    host: '127.0.0.1',
    port: 5432,
    url: process.env.LAKECAST_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  },
  mariadb: { host: '127.0.0.1', port: 3306 },
  redis: { host: '127.0.0.1', port: 6379 },
  rabbitmq: {
    host: '127.0.0.1',
    port: 5672,
    url: process.env.LAKECAST_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  },
  mosquitto: { host: '127.0.0.1', port: 1883 },
  nats: { host: '127.0.0.1', port: 4222, url: process.env.LAKECAST_TEST_NATS_URL ?? 'nats://127.0.0.1:4222' },
} as const;

export type ServiceName = keyof typeof SERVICES;

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a test needing `name` should run. With CI=true a missing service throws (the run must fail, not
 * skip); elsewhere it returns false and prints a loud message so the skip is noticed.
 * Use: `const up = await serviceAvailable('nats'); describe.skipIf(!up)(…)`.
 */
export async function serviceAvailable(name: ServiceName): Promise<boolean> {
  const svc = SERVICES[name];
  if (await reachable(svc.host, svc.port)) return true;
  const msg = `service ${name} is not reachable on ${svc.host}:${svc.port}`;
  if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: failing instead of skipping)`);
  console.warn(`\n!!! SKIPPING tests that need ${name}: ${msg}\n`);
  return false;
}
