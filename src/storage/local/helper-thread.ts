import { Worker } from 'node:worker_threads';

/**
 * A worker thread running plain JavaScript given as source (`eval`, node: built-ins only — the same code runs
 * from the compiled package, under tsx and under the test runner). The source answers each
 * `{ id, req }` message with `{ id, res }`. Started on first call; unref'd while nothing waits on it, so it
 * never keeps the process alive when idle; restarted on the next call if it dies.
 */
export class HelperThread<Req, Res> {
  #worker: Worker | null = null;
  #nextId = 0;
  readonly #waiting = new Map<number, (res: Res) => void>();

  /** `failed(message)`: the answer given to callers when the thread cannot run or dies with their request. */
  constructor(
    private readonly source: string,
    private readonly name: string,
    private readonly failed: (message: string) => Res,
  ) {}

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.#waiting.size;
  }

  /** Sends `req` (structured-cloned) and resolves with the thread's answer. Never rejects. */
  call(req: Req): Promise<Res> {
    return new Promise((resolve) => {
      const id = this.#nextId++;
      this.#waiting.set(id, resolve);
      try {
        const w = this.#start();
        w.ref(); // a request in flight keeps the process alive until it is answered
        w.postMessage({ id, req });
      } catch (err) {
        this.#waiting.delete(id);
        resolve(this.failed(String(err)));
      }
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.source, { eval: true, name: this.name });
    w.unref();
    w.on('message', ({ id, res }: { id: number; res: Res }) => {
      this.#waiting.get(id)?.(res);
      this.#waiting.delete(id);
      if (this.#waiting.size === 0) w.unref();
    });
    const fail = (err: unknown) => {
      // 'error' is followed by 'exit': only the first, and never once a newer thread has taken over.
      if (this.#worker !== w) return;
      this.#worker = null;
      for (const done of this.#waiting.values()) done(this.failed(String(err)));
      this.#waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(`${this.name} exited with ${code}`));
    this.#worker = w;
    return w;
  }
}
