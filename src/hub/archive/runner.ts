/**
 * One running archive: consumes its topic through the archive subscription, stages records per shard and
 * partition in NDJSON files under `<table>/.staging/`, and flushes them to Parquet part files, committing each
 * shard's offset only after its files were renamed into place (see docs/hub.md, "Archive").
 */
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, silentLogger } from '../../shared/index.js';
import { type ConsumedBatch, consume } from '../consumer.js';
import type { FieldSpec, RecordType } from '../types.js';
import { fsyncPath, planRecovery, scanPartFiles } from './files.js';
import { copySql, literal, partFileName, partitionOf, stageLine, tmpFileName } from './layout.js';
import type { ArchiveDefinition, ArchiverDeps, ArchiveStatus } from './types.js';

interface Group {
  readonly partition: string;
  readonly file: string;
  readonly handle: FileHandle;
  readonly first: number;
  last: number;
  count: number;
  bytes: number;
}

interface ShardState {
  readonly generation: number;
  /** Records below this sequence are in the lake already (committed or adopted). */
  next: number;
  /** nextSequence of the last staged batch: what the next flush commits. */
  pending?: number;
  readonly groups: Map<string, Group>;
}

/** Staging files open at once (shard × hour); reaching it flushes early so a backfill cannot exhaust fds. */
export const MAX_STAGING_FILES = 128;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Runs one archive until `stop()`; every failure restarts consumption from the committed offsets. */
export class ArchiveRunner {
  readonly tableDir: string;
  private readonly stagingDir: string;
  private readonly log: Logger;
  private shards = new Map<number, ShardState>();
  private stagedBytes = 0;
  private stagingFiles = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private inner?: AbortController;
  private fields: readonly FieldSpec[] = [];
  private recordType: RecordType = 'BLOB';
  private state: ArchiveStatus['state'] = 'stopped';
  private lastError?: string;
  private lastFlushAt?: number;
  private archivedRecords = 0;
  private files = 0;

  constructor(
    readonly def: ArchiveDefinition,
    tableDir: string,
    private readonly deps: ArchiverDeps,
  ) {
    this.tableDir = tableDir;
    this.stagingDir = path.join(tableDir, '.staging');
    this.log = (deps.logger ?? silentLogger()).child({ archive: `${def.project}.${def.topic}` });
  }

  status(): ArchiveStatus {
    return {
      state: this.state,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastFlushAt ? { lastFlushAt: this.lastFlushAt } : {}),
      archivedRecords: this.archivedRecords,
      files: this.files,
      stagedBytes: this.stagedBytes,
    };
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Flushes what is staged (while still a group member, so the commit is accepted), then stops. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return this.loop;
    if (this.state === 'running') await this.locked(() => this.flush()).catch(() => undefined);
    this.stopping.abort();
    this.inner?.abort();
    await this.loop;
    await this.discardAll();
    this.state = 'stopped';
  }

  /** Flushes now (serialized with staging). */
  flushNow(): Promise<void> {
    return this.locked(() => this.flush());
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        await this.consumeOnce();
        failures = 0;
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        failures++;
        this.state = 'failed';
        this.lastError = (err as Error).message;
        this.log.error({ err }, 'archive failed; restarting from the committed offsets');
        const backoff = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        await sleep(backoff * (0.5 + Math.random() / 2), this.stopping.signal);
      }
    }
  }

  private async consumeOnce(): Promise<void> {
    const { hub } = this.deps;
    const topic = await hub.getTopic(this.def.project, this.def.topic);
    if (topic.uid !== this.def.topicUid)
      throw new Error('the topic was deleted and created again; remove and re-add the archive');
    this.fields = topic.schema ?? [];
    this.recordType = topic.recordType;
    await this.locked(() => this.discardAll());
    await rm(this.stagingDir, { recursive: true, force: true });
    await mkdir(this.stagingDir, { recursive: true });
    await scanPartFiles(this.tableDir, { removeTemporaries: true });
    const inner = new AbortController();
    this.inner = inner;
    let timerError: unknown;
    const timer = setInterval(() => {
      this.locked(() => this.flush()).catch((err) => {
        timerError = err;
        inner.abort();
      });
    }, this.def.flushIntervalMs);
    this.state = 'running';
    this.lastError = undefined;
    try {
      for await (const batch of consume(hub, this.def.project, this.def.topic, this.def.subscriptionId, {
        consumerId: this.deps.consumerId ?? 'lakecast-archiver',
        startFrom: this.def.startFrom,
        waitMs: this.deps.waitMs ?? 1000,
        signal: inner.signal,
      })) {
        await this.locked(() => this.stage(batch));
        if (this.stagedBytes >= this.def.flushBytes || this.stagingFiles >= MAX_STAGING_FILES)
          await this.locked(() => this.flush());
      }
    } finally {
      clearInterval(timer);
      this.inner = undefined;
    }
    if (timerError) throw timerError;
  }

  private async stage(batch: ConsumedBatch): Promise<void> {
    let st = this.shards.get(batch.shardId);
    if (!st || st.generation !== batch.generation) st = await this.recoverShard(batch);
    const lines = new Map<string, { text: string[]; first: number; last: number }>();
    for (const r of batch.records) {
      if (r.sequence < st.next) continue; // adopted from a file a crash left uncommitted
      const p = partitionOf(r.systemTime);
      let l = lines.get(p);
      if (!l) {
        l = { text: [], first: r.sequence, last: r.sequence };
        lines.set(p, l);
      }
      l.text.push(stageLine(r, this.recordType, this.fields));
      l.last = r.sequence;
    }
    for (const [partition, l] of lines) {
      let g = st.groups.get(partition);
      if (!g) {
        const file = path.join(
          this.stagingDir,
          `${batch.shardId}-${partition.replace('/', '-')}-${l.first}.ndjson`,
        );
        g = {
          partition,
          file,
          handle: await open(file, 'w'),
          first: l.first,
          last: l.last,
          count: 0,
          bytes: 0,
        };
        st.groups.set(partition, g);
        this.stagingFiles++;
      }
      const buf = Buffer.from(l.text.join(''));
      await g.handle.write(buf);
      g.last = l.last;
      g.count += l.text.length;
      g.bytes += buf.length;
      this.stagedBytes += buf.length;
    }
    st.pending = batch.nextSequence;
  }

  /**
   * First batch of a shard in a generation (start, restart, rebalance): files beyond the committed offset
   * are adopted when they continue it exactly, else deleted (see `planRecovery`); the result is committed.
   */
  private async recoverShard(batch: ConsumedBatch): Promise<ShardState> {
    await this.discardShard(batch.shardId);
    const { hub } = this.deps;
    const committed = (await hub.getOffsets(this.def.project, this.def.topic, this.def.subscriptionId)).find(
      (o) => o.shardId === batch.shardId,
    );
    const firstRead = batch.records[0]?.sequence;
    const base = committed?.nextSequence ?? firstRead ?? batch.nextSequence;
    const files = await scanPartFiles(this.tableDir, { shardId: batch.shardId });
    const plan = await planRecovery(files, base, firstRead, (f) => this.countRows(f));
    for (const f of plan.remove) {
      await rm(f.path, { force: true });
      await fsyncPath(path.dirname(f.path));
    }
    if (plan.adopt.length > 0 || plan.remove.length > 0)
      this.log.warn(
        {
          shard: batch.shardId,
          committed: base,
          adopted: plan.adopt.map((f) => path.basename(f.path)),
          deleted: plan.remove.map((f) => path.basename(f.path)),
        },
        'archive recovered files written after the last commit',
      );
    if (plan.next !== base) await this.commit(batch.shardId, plan.next, batch.generation);
    const st: ShardState = { generation: batch.generation, next: plan.next, groups: new Map() };
    this.shards.set(batch.shardId, st);
    return st;
  }

  private async countRows(file: string): Promise<number> {
    const res = await this.deps.engine.query(`SELECT count(*) FROM read_parquet(${literal(file)})`);
    let n = 0;
    for await (const rows of res.batches) n = Number(rows[0]?.[0] ?? 0);
    return n;
  }

  private commit(shardId: number, nextSequence: number, generation: number): Promise<void> {
    return this.deps.hub.commitOffsets(this.def.project, this.def.topic, this.def.subscriptionId, {
      consumerId: this.deps.consumerId ?? 'lakecast-archiver',
      generation,
      offsets: [{ shardId, nextSequence }],
    });
  }

  /** Writes every staged group to its part file, then commits each shard. Errors propagate (restart). */
  private async flush(): Promise<void> {
    let wrote = false;
    for (const [shardId, st] of this.shards) {
      for (const g of st.groups.values()) {
        await g.handle.close();
        const dir = path.join(this.tableDir, g.partition);
        await mkdir(dir, { recursive: true });
        const tmp = path.join(dir, tmpFileName(shardId, g.first, g.last));
        const target = path.join(dir, partFileName(shardId, g.first, g.last));
        await this.deps.engine.exec(copySql(g.file, tmp, this.recordType, this.fields));
        await fsyncPath(tmp);
        await rename(tmp, target);
        // The new name (and new partition folders) must be durable before the offset is.
        await fsyncPath(dir);
        await fsyncPath(path.dirname(dir));
        await fsyncPath(this.tableDir);
        await this.deps.faults?.afterRename?.(target);
        await rm(g.file, { force: true });
        this.archivedRecords += g.count;
        this.files++;
        wrote = true;
      }
      st.groups.clear();
      if (st.pending !== undefined) {
        await this.commit(shardId, st.pending, st.generation);
        st.next = Math.max(st.next, st.pending);
        await this.deps.faults?.afterCommit?.(shardId, st.pending);
        st.pending = undefined;
      }
    }
    this.stagedBytes = 0;
    this.stagingFiles = 0;
    if (wrote) this.lastFlushAt = (this.deps.clock ?? Date.now)();
  }

  private async discardShard(shardId: number): Promise<void> {
    const st = this.shards.get(shardId);
    if (!st) return;
    for (const g of st.groups.values()) {
      await g.handle.close().catch(() => undefined);
      await rm(g.file, { force: true });
      this.stagedBytes = Math.max(0, this.stagedBytes - g.bytes);
      this.stagingFiles = Math.max(0, this.stagingFiles - 1);
    }
    this.shards.delete(shardId);
  }

  private async discardAll(): Promise<void> {
    for (const shardId of [...this.shards.keys()]) await this.discardShard(shardId);
    this.shards = new Map();
    this.stagedBytes = 0;
    this.stagingFiles = 0;
  }
}
