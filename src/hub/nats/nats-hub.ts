import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HubCore } from '../core.js';
import { emptyMetadata, type HubMetadata, type HubMetadataStore } from '../model/metadata.js';
import type { OffsetStore } from '../storage.js';
import type { CommittedOffset, ShardOffset } from '../types.js';
import { StreamKv } from './kv.js';
import { NatsStorage } from './nats-storage.js';

export interface NatsHubOptions {
  /** `nats://host:port` (several comma-separated). */
  readonly url: string;
  /** Prefix of every stream and subject the hub creates. Letters, digits, `_`. Default `LAKECAST`. */
  readonly prefix?: string;
  /** Stream replicas (clusters). Default 1. */
  readonly replicas?: number;
  /** Use an existing connection instead of `url` (not closed by the hub). */
  readonly connection?: NatsConnection;
  readonly clock?: () => number;
  /** How stale this server's copy of the topic metadata may get before it is re-read. Default 2,000 ms. */
  readonly metadataTtlMs?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Hub metadata as one JSON value in the hub's {@link StreamKv}. */
class NatsMetadataStore implements HubMetadataStore {
  constructor(private readonly kv: StreamKv) {}

  async read(): Promise<HubMetadata> {
    const v = await this.kv.get('hub');
    return v ? (JSON.parse(dec.decode(v.value)) as HubMetadata) : emptyMetadata();
  }

  async update(mutate: (current: HubMetadata) => HubMetadata): Promise<HubMetadata> {
    let result: HubMetadata = emptyMetadata();
    await this.kv.update('hub', (cur) => {
      result = mutate(cur ? (JSON.parse(dec.decode(cur)) as HubMetadata) : emptyMetadata());
      return enc.encode(JSON.stringify(result));
    });
    return result;
  }
}

/** Committed offsets, one key per subscription. */
class NatsOffsetStore implements OffsetStore {
  constructor(private readonly kv: StreamKv) {}

  async read(id: string): Promise<CommittedOffset[]> {
    const v = await this.kv.get(`offsets.${id}`);
    return v ? (JSON.parse(dec.decode(v.value)) as CommittedOffset[]) : [];
  }

  async commit(id: string, offsets: readonly ShardOffset[], at: number): Promise<void> {
    await this.kv.update(`offsets.${id}`, (cur) => {
      const m = new Map<number, CommittedOffset>();
      for (const o of cur ? (JSON.parse(dec.decode(cur)) as CommittedOffset[]) : []) m.set(o.shardId, o);
      for (const o of offsets)
        m.set(o.shardId, { shardId: o.shardId, nextSequence: o.nextSequence, committedAt: at });
      return enc.encode(JSON.stringify([...m.values()].sort((a, b) => a.shardId - b.shardId)));
    });
  }

  async drop(id: string): Promise<void> {
    await this.kv.delete(`offsets.${id}`);
  }
}

/** The NATS JetStream hub: {@link HubCore} over {@link NatsStorage}; metadata, offsets and the cursor secret in NATS. */
export class NatsHub extends HubCore {
  constructor(
    options: ConstructorParameters<typeof HubCore>[0],
    private readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
  ) {
    super(options);
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.ownsConnection) await this.nc.drain().catch(() => this.nc.close());
  }
}

/** Connects to NATS (JetStream must be enabled) and returns a hub over it. */
export async function openNatsHub(options: NatsHubOptions): Promise<NatsHub> {
  const prefix = options.prefix ?? 'LAKECAST';
  if (!/^[A-Za-z0-9_]{1,32}$/.test(prefix)) throw new Error('NATS hub prefix: 1..32 letters, digits or _');
  const servers = options.url.split(',').map((s) => s.trim());
  const nc = options.connection ?? (await connect({ servers, name: 'lakecast-hub' }));
  try {
    const jsm = await jetstreamManager(nc);
    const js = jsm.jetstream();
    const kv = new StreamKv(js, jsm, `${prefix}_META`, `${prefix}.meta`);
    await kv.init();
    let secret = (await kv.get('secret'))?.value;
    if (!secret) {
      await kv.put('secret', randomBytes(32), 0);
      secret = (await kv.get('secret'))?.value as Uint8Array;
    }
    const storage = new NatsStorage(nc, js, jsm, prefix, options.replicas ?? 1);
    return new NatsHub(
      {
        metadata: new NatsMetadataStore(kv),
        storage,
        offsets: new NatsOffsetStore(kv),
        cursorSecret: secret,
        refreshOnMiss: true,
        metadataTtlMs: options.metadataTtlMs ?? 2000,
        ...(options.clock ? { clock: options.clock } : {}),
      },
      nc,
      !options.connection,
    );
  } catch (err) {
    if (!options.connection) await nc.close();
    throw err;
  }
}
