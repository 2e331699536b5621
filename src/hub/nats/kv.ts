import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { StorageType } from '@nats-io/jetstream';

/**
 * A tiny key/value store on one JetStream stream (`max_msgs_per_subject: 1`, one subject per key) with
 * compare-and-set through `Nats-Expected-Last-Subject-Sequence` — what NATS KV does, without the
 * `@nats-io/kv` package. Holds hub metadata, offsets and the cursor secret so several Lakecast servers on the
 * same NATS share them.
 */
export class StreamKv {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly subjectPrefix: string,
  ) {}

  /** Creates the backing stream if missing. */
  async init(): Promise<void> {
    try {
      await this.jsm.streams.info(this.stream);
    } catch {
      await this.jsm.streams.add({
        name: this.stream,
        subjects: [`${this.subjectPrefix}.>`],
        storage: StorageType.File,
        max_msgs_per_subject: 1,
        allow_direct: true,
        num_replicas: 1,
      });
    }
  }

  private subject(key: string): string {
    return `${this.subjectPrefix}.${key}`;
  }

  /** The value and its revision (stream sequence), or undefined. */
  async get(key: string): Promise<{ value: Uint8Array; revision: number } | undefined> {
    try {
      const m = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(key) });
      if (!m || m.data.length === 0) return undefined;
      return { value: m.data, revision: m.seq };
    } catch (err) {
      if (/no message found|not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** Writes `value` if the key is still at `revision` (0: must not exist). False on a lost race. */
  async put(key: string, value: Uint8Array, revision: number): Promise<boolean> {
    try {
      await this.js.publish(this.subject(key), value, { expect: { lastSubjectSequence: revision } });
      return true;
    } catch (err) {
      if (/wrong last sequence/i.test((err as Error).message)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: this.subject(key) });
  }

  /** Read-modify-write with retries on concurrent updates. */
  async update(key: string, mutate: (current: Uint8Array | undefined) => Uint8Array): Promise<Uint8Array> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await this.get(key);
      const next = mutate(cur?.value);
      if (await this.put(key, next, cur?.revision ?? 0)) return next;
    }
    throw new Error(`too many concurrent updates of ${key}`);
  }
}
