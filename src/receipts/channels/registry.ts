/**
 * Named channels: the admin's config-file channels (read-only) and the catalog's `notification_channels`
 * (CREATE/DROP NOTIFICATION CHANNEL). Channel instances (with their broker connections) are cached per name and
 * endpoint, and rebuilt when the definition changes.
 */
import type { Kysely } from 'kysely';
import { LakecastError, type Logger, SecretBox, silentLogger } from '../../shared/index.js';
import { ReceiptErrors } from '../errors.js';
import { type ChannelDefinition, channelType } from './definitions.js';
import type { Channel, ChannelSettings } from './types.js';

/** How long catalog definitions are cached (another server's CREATE/DROP is seen after this). */
export const CHANNEL_CACHE_MS = 2_000;

interface ChannelRow {
  name: string;
  type: string;
  settings: string;
  secrets: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  disabled_reason: string | null;
}

export interface ChannelRegistryOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped (see Catalog.db)
  readonly db: Kysely<any>;
  readonly configChannels?: readonly ChannelDefinition[];
  readonly node?: string;
  readonly clock?: () => number;
  readonly logger?: Logger;
  /**
   * Seals the `secrets` column (passwords, tokens, signing keys) when given, as the server always does; without
   * one (tests) they are stored as JSON. Plain rows from before are read either way (see {@link ChannelRegistry.sealStoredSecrets}).
   */
  readonly secretBox?: SecretBox;
}

/** A catalog channel's definition with what the registry tracks beside it. */
type CatalogDefinition = ChannelDefinition & {
  readonly version: number;
  /** Why its secrets could not be read (another server's key, changed bytes); the channel then fails to resolve. */
  readonly secretsError?: string;
};

/** The context a channel's sealed secrets are bound to. */
const secretsContext = (name: string) => `notification_channels.secrets\n${name}`;

/** A ready channel and its definition. */
export interface ResolvedChannel {
  readonly def: ChannelDefinition;
  readonly channel: Channel;
  /** The per-attempt timeout (the channel's `timeout_ms`, else the default). */
  readonly timeoutMs?: number;
}

export class ChannelRegistry {
  // biome-ignore lint/suspicious/noExplicitAny: see options
  private readonly db: Kysely<any>;
  private readonly config: Map<string, ChannelDefinition>;
  private readonly disabledConfig = new Map<string, string>();
  private cache: { at: number; defs: Map<string, CatalogDefinition> } | undefined;
  private readonly instances = new Map<string, { version: string; channel: Channel }>();
  private readonly clock: () => number;
  private readonly node: string;
  private readonly logger: Logger;
  private readonly secretBox: SecretBox | undefined;
  /** Channel definitions (name, version) whose unreadable secrets were logged. */
  private readonly unreadableLogged = new Set<string>();

  constructor(options: ChannelRegistryOptions) {
    this.db = options.db;
    this.config = new Map((options.configChannels ?? []).map((d) => [d.name, d]));
    this.clock = options.clock ?? Date.now;
    this.node = options.node ?? 'lc';
    this.logger = options.logger ?? silentLogger();
    this.secretBox = options.secretBox;
  }

  private async catalogDefs(): Promise<Map<string, CatalogDefinition>> {
    const now = this.clock();
    if (this.cache && now - this.cache.at < CHANNEL_CACHE_MS) return this.cache.defs;
    const rows = (await this.db.selectFrom('notification_channels').selectAll().execute()) as ChannelRow[];
    const defs = new Map<string, CatalogDefinition>();
    for (const r of rows) {
      let secrets: ChannelSettings = {};
      let secretsError: string | undefined;
      try {
        const text = this.secretBox ? this.secretBox.open(r.secrets, secretsContext(r.name)) : r.secrets;
        secrets = JSON.parse(text) as ChannelSettings;
      } catch (err) {
        secretsError = err instanceof Error ? err.message : String(err);
        const seen = `${r.name}\n${r.updated_at}`;
        if (!this.unreadableLogged.has(seen)) {
          this.unreadableLogged.add(seen); // once per definition, not at every reload of the cache
          this.logger.error({ channel: r.name }, `notification channel secrets unreadable: ${secretsError}`);
        }
      }
      defs.set(r.name, {
        name: r.name,
        type: r.type,
        settings: JSON.parse(r.settings) as ChannelSettings,
        secrets,
        secretsError,
        source: 'sql',
        createdBy: r.created_by,
        disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
        disabledReason: r.disabled_reason,
        version: Number(r.updated_at),
      });
    }
    this.cache = { at: now, defs };
    return defs;
  }

  private invalidate(): void {
    this.cache = undefined;
  }

  /** Every channel, config ones first, by name. */
  async list(): Promise<ChannelDefinition[]> {
    const sql = [...(await this.catalogDefs()).values()].filter((d) => !this.config.has(d.name));
    const cfg = [...this.config.values()].map((d) => this.withConfigDisabled(d));
    return [...cfg, ...sql].sort((a, b) => a.name.localeCompare(b.name));
  }

  private withConfigDisabled(d: ChannelDefinition): ChannelDefinition {
    const reason = this.disabledConfig.get(d.name);
    return reason ? { ...d, disabledAt: 1, disabledReason: reason } : d;
  }

  /** A channel's definition, or null. Config channels win over catalog ones of the same name. */
  async get(name: string): Promise<ChannelDefinition | null> {
    const c = this.config.get(name);
    if (c) return this.withConfigDisabled(c);
    return (await this.catalogDefs()).get(name) ?? null;
  }

  /** Stores a channel defined with SQL. */
  async create(def: ChannelDefinition, by: string, ifNotExists = false): Promise<boolean> {
    if (this.config.has(def.name) || (await this.get(def.name))) {
      if (ifNotExists) return false;
      throw new LakecastError(
        ReceiptErrors.CHANNEL_EXISTS,
        `notification channel ${def.name} already exists`,
      );
    }
    try {
      await this.db.insertInto('notification_channels').values(this.#row(def, by)).execute();
    } catch (err) {
      this.invalidate();
      if (ifNotExists && (await this.get(def.name))) return false;
      if (await this.get(def.name)) {
        throw new LakecastError(
          ReceiptErrors.CHANNEL_EXISTS,
          `notification channel ${def.name} already exists`,
        );
      }
      throw err;
    }
    this.invalidate();
    return true;
  }

  /**
   * Creates or replaces a channel defined with SQL in one write, so receipts being delivered never find it
   * missing (a DROP then CREATE leaves a moment without it, which fails them). A replaced channel keeps its
   * creator and creation time, takes the new type and settings, and is enabled again; live connections to the
   * old definition are closed. Config channels are read-only.
   */
  async replace(def: ChannelDefinition, by: string): Promise<void> {
    if (this.config.has(def.name)) {
      throw new LakecastError(
        ReceiptErrors.CHANNEL_READ_ONLY,
        `notification channel ${def.name} is defined in the configuration file; change it there`,
      );
    }
    const row = this.#row(def, by);
    const { name: _name, created_by: _by, created_at: _at, ...changed } = row;
    await this.db
      .insertInto('notification_channels')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet(changed))
      .execute();
    this.invalidate();
    this.evict(def.name);
  }

  /** The catalog row of a new, enabled channel defined by `by` now. */
  #row(def: ChannelDefinition, by: string) {
    const now = this.clock();
    return {
      name: def.name,
      type: def.type,
      settings: JSON.stringify(def.settings),
      secrets: this.secretBox
        ? this.secretBox.seal(JSON.stringify(def.secrets), secretsContext(def.name))
        : JSON.stringify(def.secrets),
      created_by: by,
      created_at: now,
      updated_at: now,
      disabled_at: null,
      disabled_reason: null,
    };
  }

  /**
   * Seals the secrets of catalog channels stored in plain JSON (before sealing existed), one row at a time;
   * answers how many. Nothing without a secret box.
   */
  async sealStoredSecrets(): Promise<number> {
    const box = this.secretBox;
    if (!box) return 0;
    const rows = (await this.db
      .selectFrom('notification_channels')
      .select(['name', 'secrets'])
      .execute()) as Pick<ChannelRow, 'name' | 'secrets'>[];
    let n = 0;
    for (const r of rows) {
      if (SecretBox.isSealed(r.secrets)) continue;
      const sealed = box.seal(r.secrets, secretsContext(r.name));
      const done = await this.db
        .updateTable('notification_channels')
        .set({ secrets: sealed })
        .where('name', '=', r.name)
        .where('secrets', '=', r.secrets)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) > 0) n++;
    }
    if (n > 0) this.invalidate();
    return n;
  }

  /** Drops a channel defined with SQL (config channels are read-only). */
  async drop(name: string, ifExists = false): Promise<boolean> {
    if (this.config.has(name)) {
      throw new LakecastError(
        ReceiptErrors.CHANNEL_READ_ONLY,
        `notification channel ${name} is defined in the configuration file; remove it there`,
      );
    }
    const r = await this.db.deleteFrom('notification_channels').where('name', '=', name).executeTakeFirst();
    this.invalidate();
    this.evict(name);
    if (Number(r.numDeletedRows) === 0) {
      if (ifExists) return false;
      throw new LakecastError(ReceiptErrors.CHANNEL_NOT_FOUND, `no notification channel named ${name}`);
    }
    return true;
  }

  /** Disables a channel (its receiver answered 410 Gone). Config channels stay disabled until restart. */
  async disable(name: string, reason: string): Promise<void> {
    if (this.config.has(name)) this.disabledConfig.set(name, reason);
    else {
      const now = this.clock();
      await this.db
        .updateTable('notification_channels')
        .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
        .where('name', '=', name)
        .execute();
      this.invalidate();
    }
    this.logger.warn({ channel: name, reason }, 'notification channel disabled');
  }

  private evict(name: string): void {
    for (const [key, inst] of this.instances) {
      if (key === name || key.startsWith(`${name}\n`)) {
        this.instances.delete(key);
        void inst.channel.close().catch(() => {});
      }
    }
  }

  /**
   * The live channel for `name` (and, when given, a user-supplied endpoint already checked against the
   * allowlist). Null when no such channel exists.
   */
  async resolve(name: string, endpoint?: string): Promise<ResolvedChannel | null> {
    const def = await this.get(name);
    if (!def) return null;
    const unreadable = (def as Partial<CatalogDefinition>).secretsError;
    if (unreadable) {
      throw new LakecastError(
        ReceiptErrors.CHANNEL_SECRETS_UNREADABLE,
        `notification channel ${name}: its secrets do not open with this server's key (${unreadable}); ` +
          'give every server sharing the catalog the same LAKECAST_SECRETS_KEY, or define the channel again',
      );
    }
    const type = channelType(def.type);
    const settings: Record<string, string | number | boolean> = { ...def.settings, ...def.secrets };
    if (endpoint !== undefined) {
      if (!type.endpointKey) {
        throw new LakecastError(
          ReceiptErrors.CHANNEL_INVALID,
          `channel type ${def.type} does not take mq-endpoint`,
        );
      }
      settings[type.endpointKey] = endpoint;
    }
    const key = endpoint === undefined ? name : `${name}\n${endpoint}`;
    const version = `${(def as { version?: number }).version ?? 0}`;
    let inst = this.instances.get(key);
    if (!inst || inst.version !== version) {
      if (inst) void inst.channel.close().catch(() => {});
      inst = { version, channel: type.create(settings, { name, clock: this.clock, node: this.node }) };
      this.instances.set(key, inst);
    }
    const t = settings.timeout_ms;
    return { def, channel: inst.channel, timeoutMs: t === undefined ? undefined : Number(t) };
  }

  /** Closes every channel's connections. */
  async close(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map((i) => i.channel.close().catch(() => {})));
  }
}
