/**
 * The receipts capability assembled: channel registry (config + catalog), outbox writer (the task service's
 * `onFinishInTx` hook), dispatcher, and the SQL statement extension.
 */
import type { Kysely, Transaction } from 'kysely';
import { LakecastError, type Logger, type SecretBox, silentLogger } from '../shared/index.js';
import type { Hints } from '../sql/hints.js';
import type { StatementExtension } from '../sql/types.js';
import type { TaskRecord } from '../tasks/store/types.js';
import { type ChannelDefinition, defineChannel } from './channels/definitions.js';
import { ChannelRegistry } from './channels/registry.js';
import type { SettingValue } from './channels/types.js';
import { type ReceiptsConfig, type ReceiptsConfigInput, resolveReceiptsConfig } from './config.js';
import { type DeliveryOutcome, ReceiptDispatcher } from './dispatcher.js';
import { ReceiptErrors } from './errors.js';
import { type OutboxRow, writeReceipt } from './outbox/index.js';
import { createNotificationChannelExtension } from './sql/extension.js';
import { assertEndpointAllowed } from './ssrf.js';

/** Dependencies of {@link createReceipts}. */
export interface ReceiptsDeps {
  /** The catalog (its `db`, migrated with 0003_receipts) and its dialect. */
  // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped (see Catalog.db)
  readonly catalog: { readonly db: Kysely<any>; readonly dialect?: 'sqlite' | 'postgres' };
  /** Default: `catalog.dialect`, else `sqlite`. */
  readonly dialect?: 'sqlite' | 'postgres';
  /** The `receipts` config section (defaults filled in when absent). */
  readonly config?: ReceiptsConfig | ReceiptsConfigInput;
  /** This server's node code (the task service's `nodeCode`, default `lc`). */
  readonly nodeCode?: string;
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  /** Seals channel secrets in the catalog (the server passes one; see ChannelRegistryOptions.secretBox). */
  readonly secretBox?: SecretBox;
}

/** Something that emits the task service's terminal events (`TaskService.events`). */
export interface TerminalEventSource {
  on(
    event: 'task:succeeded' | 'task:failed' | 'task:cancelled',
    listener: (e: { id: string; task?: Pick<TaskRecord, 'mq_status'> }) => void,
  ): () => void;
}

/** Most receipts handed from the finishing transaction to the dispatcher at once (beyond: the poll finds them). */
const MAX_HANDOFFS = 10_000;

/** The receipts capability. */
export interface Receipts {
  readonly config: ReceiptsConfig;
  readonly registry: ChannelRegistry;
  readonly dispatcher: ReceiptDispatcher;
  /** Pass as `TaskServiceDeps.onFinishInTx`: writes the outbox row in the task's terminal transaction. */
  // biome-ignore lint/suspicious/noExplicitAny: the task store's transaction is untyped
  readonly onFinishInTx: (tx: Transaction<any>, task: TaskRecord) => Promise<Partial<TaskRecord> | undefined>;
  /** Wakes the dispatcher on every terminal task event (after commit). Returns the unsubscribe function. */
  attach(events: TerminalEventSource): () => void;
  /** CREATE / SHOW / DROP / TEST NOTIFICATION CHANNEL(S), for `SqlFrontDeps.extensions`. */
  readonly extensions: readonly StatementExtension[];
  /**
   * Optional submit-time check of a task's receipt hints (for the task service or the hint extension): throws
   * LC_CHANNEL_NOT_FOUND for an unknown `mq-notify-by` and LC_RECEIPT_ENDPOINT_DENIED for an `mq-endpoint` off the
   * allowlist, so the user learns at once instead of from `mq_status = FAILURE`.
   */
  checkHints(hints: Pick<Hints, 'mqNotifyBy' | 'mqEndpoint'>): Promise<void>;
  /** Seals channel secrets stored before sealing existed, releases this node's stale claims, starts the dispatcher. */
  start(): Promise<void>;
  /** Stops the dispatcher (waits up to `drainMs` for sends in flight) and closes channel connections. */
  close(drainMs?: number): Promise<void>;
}

/** Config-file channel entries → definitions (throws LC_CHANNEL_INVALID naming the bad one). */
export function configChannels(config: ReceiptsConfig): ChannelDefinition[] {
  return config.channels.map(({ name, type, ...settings }) =>
    defineChannel(name, type, settings as Record<string, SettingValue>, 'config'),
  );
}

/** Creates the receipts capability (call `start()` after the catalog is migrated). */
export function createReceipts(deps: ReceiptsDeps): Receipts {
  const config =
    deps.config && Object.isFrozen(deps.config)
      ? (deps.config as ReceiptsConfig)
      : resolveReceiptsConfig(deps.config as ReceiptsConfigInput | undefined);
  const logger = deps.logger ?? silentLogger();
  const node = deps.nodeCode ?? 'lc';
  const db = deps.catalog.db;
  const registry = new ChannelRegistry({
    db,
    configChannels: configChannels(config),
    node,
    clock: deps.clock,
    logger,
    secretBox: deps.secretBox,
  });
  const dispatcher = new ReceiptDispatcher({
    db,
    dialect: deps.dialect ?? deps.catalog.dialect ?? 'sqlite',
    registry,
    node,
    timeoutMs: config.timeoutMs,
    maxAgeMs: config.maxAgeMs,
    pollMs: config.pollMs,
    concurrency: config.concurrency,
    backoff: { initialMs: config.backoffInitialMs, maxMs: config.backoffMaxMs },
    clock: deps.clock,
    logger,
    onOutcome: deps.onOutcome,
  });
  const writeOptions = {
    source: config.source,
    endpointAllowlist: config.endpointAllowlist,
    publicUrl: config.publicUrl,
  };
  // Rows written (and claimed) in a terminal transaction, delivered once the task event says it committed.
  const handoffs = new Map<string, OutboxRow>();
  let attached = 0;
  return {
    config,
    registry,
    dispatcher,
    async onFinishInTx(tx, task) {
      const direct = attached > 0 && dispatcher.running && handoffs.size < MAX_HANDOFFS;
      const w = await writeReceipt(tx, task, {
        ...writeOptions,
        claimFor: direct ? { owner: dispatcher.owner, leaseMs: dispatcher.lease() } : undefined,
      });
      if (!w) return undefined;
      if (direct && w.status === 'PENDING') handoffs.set(task.id, w.row);
      return w.taskFields;
    },
    attach(events) {
      attached++;
      const wake = (e: { id: string; task?: Pick<TaskRecord, 'mq_status'> }) => {
        const row = handoffs.get(e.id);
        if (row) {
          handoffs.delete(e.id);
          // mq_status PENDING was written with the row: the outbox row committed with the task's end.
          if (e.task?.mq_status === 'PENDING') return dispatcher.deliverNow(row);
        }
        // A task without a receipt (no mq-notify-by) gives the dispatcher nothing to look for.
        if (e.task && e.task.mq_status == null) return;
        dispatcher.notify();
      };
      const offs = [
        events.on('task:succeeded', wake),
        events.on('task:failed', wake),
        events.on('task:cancelled', wake),
      ];
      return () => {
        attached--;
        for (const off of offs) off();
      };
    },
    extensions: [createNotificationChannelExtension({ registry, source: config.source })],
    async checkHints(hints) {
      if (hints.mqNotifyBy === undefined) return;
      if (!(await registry.get(hints.mqNotifyBy))) {
        // 400 over HTTP: the request names a channel that does not exist, the route itself does.
        throw new LakecastError(
          { ...ReceiptErrors.CHANNEL_NOT_FOUND, httpStatus: 400 },
          `mq-notify-by: no notification channel named ${hints.mqNotifyBy}`,
        );
      }
      if (hints.mqEndpoint !== undefined) assertEndpointAllowed(hints.mqEndpoint, config.endpointAllowlist);
    },
    async start() {
      const sealed = await registry.sealStoredSecrets();
      if (sealed > 0)
        logger.info({ channels: sealed }, 'sealed notification channel secrets stored in plain text');
      await dispatcher.start();
    },
    async close(drainMs) {
      await dispatcher.close(drainMs);
      await registry.close();
    },
  };
}
