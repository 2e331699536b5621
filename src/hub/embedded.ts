import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { HubCore } from './core.js';
import { lockHubDir } from './log/dir-lock.js';
import { EmbeddedStorage } from './log/embedded-storage.js';
import type { DurabilityPolicy } from './log/shard-log.js';
import { JsonFileMetadataStore, writeFileAtomic } from './model/json-metadata-store.js';
import type { HubMetadataStore } from './model/metadata.js';
import { FileOffsetStore } from './model/offsets-file.js';

export type { DurabilityPolicy } from './log/shard-log.js';

/** Options of the embedded (local disk) hub. */
export interface EmbeddedHubOptions {
  /** Hub directory: `hub-meta.json`, `cursor-secret`, `topics/`, `offsets/`. Created if missing. */
  readonly dir: string;
  /** Default `{ mode: 'batch' }`: every acknowledged append survives kill -9 and power loss. */
  readonly durability?: DurabilityPolicy;
  /** Segment roll size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Segment roll age. Default 1 hour (retention deletes whole segments, so this is its granularity). */
  readonly segmentMs?: number;
  /** Sparse index spacing. Default 4096 bytes. */
  readonly indexIntervalBytes?: number;
  /** Bound on open segment files across all shards. Default 256. */
  readonly maxOpenFiles?: number;
  /** How often retention runs. Default 60,000 ms; 0 disables the timer (call `runRetention()`). */
  readonly retentionCheckMs?: number;
  /** `tail` (default): check CRCs of each shard's last segment on open; `all`: of every segment. */
  readonly verifyOnOpen?: 'tail' | 'all';
  /** Clock for systemTime, retention and group sessions (tests inject one). Default `Date.now`. */
  readonly clock?: () => number;
  /** Metadata store; default a JSON file in `dir`. (The catalog can provide one later.) */
  readonly metadata?: HubMetadataStore;
  /** Called when recovery cut a torn tail off a segment. */
  readonly onRecover?: (info: { file: string; validSize: number; fileSize: number }) => void;
}

export const DEFAULT_EMBEDDED_HUB_OPTIONS = Object.freeze({
  durability: Object.freeze({ mode: 'batch' }) as DurabilityPolicy,
  segmentBytes: 64 * 1024 * 1024,
  segmentMs: 3_600_000,
  indexIntervalBytes: 4096,
  maxOpenFiles: 256,
  retentionCheckMs: 60_000,
  verifyOnOpen: 'tail' as const,
});

/** Fills defaults and validates; returns a frozen object. */
export function resolveEmbeddedHubOptions(o: EmbeddedHubOptions) {
  const r = { ...DEFAULT_EMBEDDED_HUB_OPTIONS, clock: Date.now, ...o };
  if (r.durability.mode === 'interval' && !(r.durability.intervalMs > 0)) {
    throw new Error('durability interval needs intervalMs > 0');
  }
  if (!(r.segmentBytes >= 4096)) throw new Error('segmentBytes must be ≥ 4096');
  if (!(r.maxOpenFiles >= 4)) throw new Error('maxOpenFiles must be ≥ 4');
  return Object.freeze(r);
}

/** The embedded hub: {@link HubCore} over local segment files. */
export class EmbeddedHub extends HubCore {
  private readonly retentionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly embedded: EmbeddedStorage,
    private readonly metaStore: HubMetadataStore,
    offsets: FileOffsetStore,
    secret: Uint8Array,
    clock: () => number,
    retentionCheckMs: number,
    private readonly unlock: () => Promise<void>,
  ) {
    super({ metadata: metaStore, storage: embedded, offsets, cursorSecret: secret, clock });
    if (retentionCheckMs > 0) {
      this.retentionTimer = setInterval(
        () => void this.runRetention().catch(() => undefined),
        retentionCheckMs,
      );
      this.retentionTimer.unref();
    }
  }

  /** Deletes whole segments older than each topic's lifecycle now. Returns the number of segments deleted. */
  async runRetention(): Promise<number> {
    return this.embedded.applyRetention((await this.metaStore.read()).topics);
  }

  /** fsyncs all unsynced appends now (interval policy). */
  sync(): Promise<void> {
    return this.embedded.syncAll();
  }

  /** Open segment files right now (bounded by `maxOpenFiles`, except transiently while all are in use). */
  get openFiles(): number {
    return this.embedded.pool.openCount;
  }

  override async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    try {
      await super.close();
    } finally {
      await this.unlock();
    }
  }
}

/**
 * The per-hub cursor key: 32 random bytes, created once (temp file + fsync + rename, so a crash never leaves a
 * short key). A hub dir is owned by one process at a time.
 */
async function loadSecret(file: string): Promise<Buffer> {
  try {
    const existing = await fsp.readFile(file);
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  await writeFileAtomic(file, secret);
  return secret;
}

/**
 * Opens (creating if needed) an embedded hub in `options.dir`; recovers every shard lazily on first use.
 * The directory is locked (`hub.lock`) while open: a second opener gets LC_HUB_BACKEND_UNAVAILABLE.
 */
export async function openEmbeddedHub(options: EmbeddedHubOptions): Promise<EmbeddedHub> {
  const o = resolveEmbeddedHubOptions(options);
  await fsp.mkdir(o.dir, { recursive: true });
  const unlock = await lockHubDir(o.dir);
  try {
    return await openLocked(o, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function openLocked(
  o: ReturnType<typeof resolveEmbeddedHubOptions>,
  unlock: () => Promise<void>,
): Promise<EmbeddedHub> {
  const secret = await loadSecret(path.join(o.dir, 'cursor-secret'));
  const metadata = o.metadata ?? new JsonFileMetadataStore(path.join(o.dir, 'hub-meta.json'));
  const storage = new EmbeddedStorage({
    dir: path.join(o.dir, 'topics'),
    durability: o.durability,
    segmentBytes: o.segmentBytes,
    segmentMs: o.segmentMs,
    indexIntervalBytes: o.indexIntervalBytes,
    maxOpenFiles: o.maxOpenFiles,
    verifyOnOpen: o.verifyOnOpen,
    clock: o.clock,
    ...(o.onRecover ? { onRecover: o.onRecover } : {}),
  });
  const offsets = new FileOffsetStore(path.join(o.dir, 'offsets'));
  return new EmbeddedHub(storage, metadata, offsets, secret, o.clock, o.retentionCheckMs, unlock);
}
