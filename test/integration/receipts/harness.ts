/**
 * Test harness for receipts: a SQLite catalog in a temp dir, the real task service over the scripted fake engine,
 * the receipts capability wired as the server wires it, and a local HTTP receiver with scripted answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Catalog, openCatalog } from '../../../src/catalog/index.js';
import type { DeliveryOutcome, Receipts, ReceiptsConfigInput } from '../../../src/receipts/index.js';
import { catalogSecretBox } from '../../../src/server/secrets.js';
import type { SessionContext } from '../../../src/sql/types.js';
import type { TaskRecord, TaskService } from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTasksWithReceipts } from './wiring.js';

export const ALICE = { user: { name: 'alice', admin: false }, database: null, connectionId: 1 };
export const ADMIN: SessionContext = {
  connectionId: 2,
  user: { name: 'root', admin: true },
  database: null,
  remoteAddress: 'test',
  variables: new Map(),
};

export interface Harness {
  readonly dir: string;
  readonly catalog: Catalog;
  readonly tasks: TaskService;
  readonly receipts: Receipts;
  readonly outcomes: DeliveryOutcome[];
  /** Submits `rows N` (or another fake-engine statement) with hints; returns the task id. */
  submit(hints: string, body?: string): Promise<string>;
  /** Waits until the task's mq_status is one of `statuses`. */
  waitMq(id: string, statuses?: string[], timeoutMs?: number): Promise<TaskRecord>;
  /** Runs a channel statement as the admin. */
  sql(text: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

export async function startHarness(
  config: ReceiptsConfigInput,
  options: { dir?: string; keepDir?: boolean; taskConcurrency?: number; checkAtSubmit?: boolean } = {},
): Promise<Harness> {
  const tmp = options.dir ? { dir: options.dir, cleanup: () => {} } : tempDir('lakecast-rcpt-');
  const catalog = await openCatalog('sqlite', tmp.dir);
  await catalog.migrate();
  const outcomes: DeliveryOutcome[] = [];
  const { receipts, tasks } = await startTasksWithReceipts(
    catalog,
    {
      config: { pollMs: 200, backoffInitialMs: 50, backoffMaxMs: 400, timeoutMs: 2_000, ...config },
      onOutcome: (o) => outcomes.push(o),
      // As the server seals channel secrets: a key file in the data dir (kept when the dir is reused).
      secretBox: catalogSecretBox(tmp.dir, {}),
    },
    { concurrency: options.taskConcurrency },
    options.checkAtSubmit ?? true,
  );
  const ext = receipts.extensions[0]!;
  return {
    dir: tmp.dir,
    catalog,
    tasks,
    receipts,
    outcomes,
    submit: (hints, body = 'rows 2') => tasks.submit(ALICE, `/*+ run-async=true, ${hints} */ ${body}`),
    async waitMq(id, statuses = ['SUCCESS', 'FAILURE', 'SKIPPED'], timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const t = await tasks.store.get(id);
        if (t && t.mq_status !== null && statuses.includes(t.mq_status)) return t;
        if (Date.now() > deadline)
          throw new Error(`task ${id}: mq_status ${t?.mq_status} (${t?.mq_error_msg})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async sql(text) {
      const r = await ext.tryHandle(ADMIN, text, new AbortController().signal);
      if (!r) throw new Error('not a channel statement');
      if (r.kind === 'ok') return [];
      const rows: unknown[][] = [];
      for await (const b of r.batches) rows.push(...b);
      return rows;
    },
    async close() {
      await receipts.close(200);
      await tasks.close(0);
      await catalog.close();
      if (!options.keepDir) tmp.cleanup();
    },
  };
}

/** One request the receiver got. */
export interface Received {
  readonly path: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Arrival time, epoch ms. */
  readonly at: number;
  /** The status it answered (undefined while hanging). */
  status?: number;
}

/** What the receiver answers: a status (+ headers, body), or `hang` (never answers). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local HTTP receiver: answers from a script per path (then the default), records everything. */
export async function startReceiver(defaultAnswer: Answer = { status: 200, body: 'ok' }) {
  const received: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const rec: Received = { path, url: req.url ?? '/', headers: req.headers, body, at: Date.now() };
      received.push(rec);
      const answer = scripts.get(path)?.shift() ?? defaultAnswer;
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      rec.status = answer.status;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    script(path: string, ...answers: Answer[]) {
      scripts.set(path, answers);
    },
    /** Requests answered 2xx, per `webhook-id` / CloudEvent id. */
    acceptedIds(path?: string): string[] {
      return received
        .filter((r) => (path === undefined || r.path === path) && r.status !== undefined && r.status < 300)
        .map((r) => String(r.headers['webhook-id'] ?? JSON.parse(r.body).id));
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A TCP port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
