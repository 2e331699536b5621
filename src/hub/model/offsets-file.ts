import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { OffsetStore } from '../storage.js';
import type { CommittedOffset, ShardOffset } from '../types.js';
import { writeFileAtomic } from './json-metadata-store.js';

/** {@link OffsetStore} with one JSON file per subscription (`<dir>/<subscriptionId>.json`), replaced atomically. */
export class FileOffsetStore implements OffsetStore {
  private readonly cache = new Map<string, Map<number, CommittedOffset>>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private async load(id: string): Promise<Map<number, CommittedOffset>> {
    let m = this.cache.get(id);
    if (m) return m;
    m = new Map();
    try {
      const list = JSON.parse(await fsp.readFile(this.file(id), 'utf8')) as CommittedOffset[];
      for (const o of list) m.set(o.shardId, o);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.cache.set(id, m);
    return m;
  }

  async read(id: string): Promise<CommittedOffset[]> {
    return [...(await this.load(id)).values()].sort((a, b) => a.shardId - b.shardId);
  }

  commit(id: string, offsets: readonly ShardOffset[], at: number): Promise<void> {
    const run = async (): Promise<void> => {
      await fsp.mkdir(this.dir, { recursive: true });
      const next = new Map(await this.load(id));
      for (const o of offsets)
        next.set(o.shardId, { shardId: o.shardId, nextSequence: o.nextSequence, committedAt: at });
      await writeFileAtomic(this.file(id), JSON.stringify([...next.values()]));
      this.cache.set(id, next);
    };
    const p = (this.chains.get(id) ?? Promise.resolve()).then(run, run);
    this.chains.set(
      id,
      p.catch(() => undefined),
    );
    return p;
  }

  async drop(id: string): Promise<void> {
    this.cache.delete(id);
    await fsp.rm(this.file(id), { force: true });
  }
}
