/**
 * The `receipts:channels` statement extension: CREATE / SHOW / DROP / TEST NOTIFICATION CHANNEL(S). Creating,
 * dropping and testing need the admin privilege; SHOW lists every channel with its secrets masked (users need the
 * names for `mq-notify-by`).
 */
import { randomBytes } from 'node:crypto';
import {
  type Cell,
  CommonErrors,
  LakecastError,
  rowsResult,
  type StatementResult,
  textColumn,
} from '../../shared/index.js';
import type { SessionContext, StatementExtension } from '../../sql/types.js';
import { defineChannel, maskedSettings } from '../channels/definitions.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { type ReceiptTarget, toDeliveryError } from '../channels/types.js';
import { ReceiptErrors } from '../errors.js';
import type { ReceiptMessage } from '../message.js';
import { isChannelStatement, parseChannelStatement } from './parser.js';

/** Columns of SHOW NOTIFICATION CHANNELS. */
export const CHANNEL_COLUMNS = ['name', 'type', 'source', 'settings', 'status', 'created_by'] as const;
/** Columns of TEST NOTIFICATION CHANNEL's answer. */
export const TEST_COLUMNS = [
  'channel',
  'status',
  'message_id',
  'broker_message_id',
  'elapsed_ms',
  'error',
] as const;

/** Dependencies of {@link createNotificationChannelExtension}. */
export interface ChannelExtensionDeps {
  readonly registry: ChannelRegistry;
  /** CloudEvents `source` of test messages. */
  readonly source: string;
  /** Timeout of TEST, ms (default 10 s). */
  readonly testTimeoutMs?: number;
}

function requireAdmin(ctx: SessionContext, what: string): void {
  if (!ctx.user.admin) {
    throw new LakecastError(CommonErrors.FORBIDDEN, `Access denied; ${what} needs the admin privilege`);
  }
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** A test receipt: same envelope as a real one, type `lakecast.notification_channel.test`. */
export function testMessage(channel: string, by: string, source: string): ReceiptMessage {
  return {
    specversion: '1.0',
    id: `test-${randomBytes(8).toString('hex')}`,
    source,
    type: 'lakecast.notification_channel.test',
    subject: channel,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { channel, test: true, requested_by: by, status: 'TEST' },
  };
}

export function createNotificationChannelExtension(deps: ChannelExtensionDeps): StatementExtension {
  const { registry } = deps;
  return {
    name: 'receipts:channels',
    async tryHandle(ctx, sql): Promise<StatementResult | null> {
      if (!isChannelStatement(sql)) return null;
      const stmt = parseChannelStatement(sql);
      switch (stmt.kind) {
        case 'show': {
          const re = stmt.like === undefined ? undefined : likeToRegExp(stmt.like);
          const rows: Cell[][] = (await registry.list())
            .filter((d) => !re || re.test(d.name))
            .map((d) => [
              d.name,
              d.type,
              d.source,
              JSON.stringify(maskedSettings(d)),
              d.disabledAt ? `DISABLED: ${d.disabledReason ?? ''}`.slice(0, 300) : 'ENABLED',
              d.createdBy ?? null,
            ]);
          return rowsResult(CHANNEL_COLUMNS.map(textColumn), rows);
        }
        case 'create': {
          requireAdmin(ctx, 'CREATE NOTIFICATION CHANNEL');
          const def = defineChannel(stmt.name, stmt.type, stmt.settings, 'sql', ctx.user.name);
          if (stmt.orReplace) {
            await registry.replace(def, ctx.user.name);
            return { kind: 'ok', affectedRows: 1 };
          }
          const created = await registry.create(def, ctx.user.name, stmt.ifNotExists);
          return { kind: 'ok', affectedRows: created ? 1 : 0, warnings: created ? 0 : 1 };
        }
        case 'drop': {
          requireAdmin(ctx, 'DROP NOTIFICATION CHANNEL');
          const dropped = await registry.drop(stmt.name, stmt.ifExists);
          return { kind: 'ok', affectedRows: dropped ? 1 : 0 };
        }
        case 'test': {
          requireAdmin(ctx, 'TEST NOTIFICATION CHANNEL');
          const resolved = await registry.resolve(stmt.name);
          if (!resolved) {
            throw new LakecastError(
              ReceiptErrors.CHANNEL_NOT_FOUND,
              `no notification channel named ${stmt.name}`,
            );
          }
          const target: ReceiptTarget = {
            topic: stmt.settings.topic === undefined ? undefined : String(stmt.settings.topic),
            queue: stmt.settings.queue === undefined ? undefined : String(stmt.settings.queue),
          };
          const message = testMessage(stmt.name, ctx.user.name, deps.source);
          const started = Date.now();
          let status = 'SUCCESS';
          let broker: string | null = null;
          let error: string | null = null;
          const ac = new AbortController();
          const timer = setTimeout(() => ac.abort(), resolved.timeoutMs ?? deps.testTimeoutMs ?? 10_000);
          try {
            const r = await resolved.channel.send(message, target, { signal: ac.signal });
            broker = r.brokerMessageId ?? null;
          } catch (err) {
            status = 'FAILURE';
            error = toDeliveryError(err).message;
          } finally {
            clearTimeout(timer);
          }
          return rowsResult(TEST_COLUMNS.map(textColumn), [
            [stmt.name, status, message.id, broker, String(Date.now() - started), error],
          ]);
        }
      }
    },
  };
}
