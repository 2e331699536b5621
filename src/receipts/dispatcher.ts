/**
 * The receipts dispatcher: claims due outbox rows, sends each through its channel with a per-channel timeout,
 * and marks the result (SUCCESS; RETRYING with exponential, capped, jittered backoff; FAILURE once terminal or
 * older than the max age). Woken at once by {@link ReceiptDispatcher.notify} (the task service's terminal events,
 * after commit) and by a slow poll that picks up retries, other servers' leftovers and a crashed run's rows.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Kysely } from 'kysely';
import { type Logger, silentLogger } from '../shared/index.js';
import { backoffDelay } from './backoff.js';
import type { ChannelRegistry } from './channels/registry.js';
import { type ReceiptTarget, toDeliveryError } from './channels/types.js';
import type { ReceiptMessage } from './message.js';
import {
  claimDue,
  defer,
  markAttemptFailed,
  markDelivered,
  nextDueAt,
  type OutboxRow,
  releaseClaims,
  type TxRunner,
  WriteBatcher,
} from './outbox/index.js';

/** Options of {@link ReceiptDispatcher}. */
export interface DispatcherOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped (see Catalog.db)
  readonly db: Kysely<any>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly registry: ChannelRegistry;
  /** This server's node code: claims are tagged `<node>:<run id>`. */
  readonly node: string;
  readonly timeoutMs: number;
  readonly maxAgeMs: number;
  readonly pollMs: number;
  readonly concurrency: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Called after every delivery outcome (tests, metrics). */
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** What happened to one attempt. */
export interface DeliveryOutcome {
  readonly messageId: string;
  readonly taskId: string;
  readonly channel: string;
  readonly status: 'SUCCESS' | 'RETRYING' | 'FAILURE' | 'DEFERRED';
  readonly error?: string;
  readonly brokerMessageId?: string;
}

export class ReceiptDispatcher {
  /** The claim tag of this run (`<node>:<random>`). */
  readonly owner: string;
  private readonly marks: TxRunner;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly shutdown = new AbortController();
  private pumping = false;
  /** Rows handed over by {@link deliverNow} while every slot was busy. */
  private readonly backlog: OutboxRow[] = [];
  /** The last claim filled every free slot: more rows may be due, look again when a slot frees. */
  private maybeMore = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private started = false;
  private closed = false;

  constructor(private readonly o: DispatcherOptions) {
    this.owner = `${o.node}:${randomBytes(6).toString('hex')}`;
    // One listener per send in flight (up to `concurrency`).
    setMaxListeners(0, this.shutdown.signal);
    const batcher = new WriteBatcher(o.db);
    this.marks = (op) => batcher.run(op);
    this.clock = o.clock ?? Date.now;
    this.logger = o.logger ?? silentLogger();
  }

  /** Releases this node's claims from a previous run (kill -9), then starts delivering. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const released = await releaseClaims(this.o.db, `${this.o.node}:`);
    if (released > 0) this.logger.info({ released }, 'receipts: released claims of a previous run');
    this.notify();
  }

  /** New receipts may be due: look now (cheap; coalesced). */
  notify(): void {
    if (!this.started || this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** Whether the dispatcher runs (rows may be claimed for it in the finishing transaction). */
  get running(): boolean {
    return this.started && !this.closed;
  }

  /**
   * Delivers a row already claimed for this dispatcher (written and claimed in the task's terminal transaction,
   * now committed): no claim query, no poll delay.
   */
  deliverNow(row: OutboxRow): void {
    if (!this.running || this.inFlight.has(row.message_id)) return;
    // At capacity: wait in memory (the row stays claimed by this run; a restart releases it).
    if (this.inFlight.size >= this.o.concurrency) this.backlog.push(row);
    else this.startDelivery(row);
  }

  private startDelivery(row: OutboxRow): void {
    const p = this.deliver(row)
      .catch((err) => this.logger.error({ err, message: row.message_id }, 'receipts: delivery crashed'))
      .finally(() => {
        this.inFlight.delete(row.message_id);
        const next = this.running ? this.backlog.shift() : undefined;
        if (next) this.startDelivery(next);
        else if (this.maybeMore) this.notify();
      });
    this.inFlight.set(row.message_id, p);
  }

  /** Receipts being sent right now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** How long a claim holds (a crashed server's claims are taken over after this). */
  lease(): number {
    return this.o.timeoutMs * 2 + 30_000;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        const free = this.o.concurrency - this.inFlight.size;
        if (free <= 0) break;
        const now = this.clock();
        const rows = await claimDue(
          this.o.db,
          this.o.dialect,
          this.owner,
          now,
          free,
          this.lease(),
          new Set([...this.inFlight.keys(), ...this.backlog.map((r) => r.message_id)]),
        );
        for (const row of rows) this.startDelivery(row);
        this.maybeMore = rows.length === free;
        if (this.maybeMore) this.again = true;
      } while (this.again && !this.closed);
    } catch (err) {
      this.logger.warn({ err }, 'receipts: claiming failed; retrying at the next poll');
    } finally {
      this.pumping = false;
    }
    if (!this.closed) await this.schedule();
  }

  /** Sets the wake-up timer: the next due retry, or the slow poll, whichever is sooner. */
  private async schedule(): Promise<void> {
    let at = this.clock() + this.o.pollMs;
    try {
      const due = await nextDueAt(this.o.db);
      if (due !== undefined) at = Math.min(at, due);
    } catch {}
    this.wakeAt(at);
  }

  /** Makes sure the dispatcher looks again at `at` (epoch ms) at the latest. */
  private wakeAt(at: number): void {
    if (this.closed) return;
    at = Math.max(at, this.clock() + 5);
    if (this.timer && at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.notify();
      },
      Math.max(0, at - this.clock()),
    );
    this.timer.unref();
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const target = JSON.parse(row.settings) as ReceiptTarget;
    const now = this.clock();
    const fail = async (error: string, retryable: boolean, retryAfterMs?: number) => {
      const t = this.clock();
      const expired = t - row.created_at >= this.o.maxAgeMs;
      let nextAt: number | undefined;
      if (retryable && !expired) {
        nextAt = t + Math.max(retryAfterMs ?? 0, backoffDelay(row.attempts + 1, this.o.backoff));
        if (nextAt - row.created_at > this.o.maxAgeMs) nextAt = row.created_at + this.o.maxAgeMs;
      }
      const msg = retryable && expired ? `${error} (gave up: older than the max age)` : error;
      await markAttemptFailed(this.marks, row, this.owner, msg, nextAt, t);
      if (nextAt !== undefined) this.wakeAt(nextAt);
      this.o.onOutcome?.({
        messageId: row.message_id,
        taskId: row.task_id,
        channel: row.channel,
        status: nextAt === undefined ? 'FAILURE' : 'RETRYING',
        error: msg,
      });
    };
    let resolved: Awaited<ReturnType<ChannelRegistry['resolve']>>;
    try {
      resolved = await this.o.registry.resolve(row.channel, target.endpoint);
    } catch (err) {
      return fail(`channel ${row.channel}: ${(err as Error).message}`, false);
    }
    if (!resolved) return fail(`no notification channel named ${row.channel}`, false);
    if (resolved.def.disabledAt) {
      return fail(`channel ${row.channel} is disabled: ${resolved.def.disabledReason ?? ''}`.trim(), false);
    }
    const { channel } = resolved;
    const wait = channel.rateLimit?.tryTake() ?? 0;
    if (wait > 0) {
      // The robot's window is full: queue in the outbox (no attempt counted, nothing dropped).
      await defer(this.marks, row, this.owner, now + wait);
      this.wakeAt(now + wait);
      this.o.onOutcome?.({
        messageId: row.message_id,
        taskId: row.task_id,
        channel: row.channel,
        status: 'DEFERRED',
      });
      return;
    }
    const message = JSON.parse(row.payload) as ReceiptMessage;
    // A plain controller + timer (not AbortSignal.any/timeout, whose timers may be collected before firing).
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('timeout')), resolved.timeoutMs ?? this.o.timeoutMs);
    const onShutdown = () => ac.abort(new Error('shutdown'));
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    let brokerMessageId: string | undefined;
    try {
      ({ brokerMessageId } = await channel.send(message, target, { signal: ac.signal }));
    } catch (err) {
      if (this.shutdown.signal.aborted) {
        // Interrupted by shutdown: due again at once on the next start (no attempt counted).
        await defer(this.marks, row, this.owner, row.next_attempt_at).catch(() => {});
        return;
      }
      const e = toDeliveryError(err);
      if (e.disableChannel) {
        await this.o.registry.disable(row.channel, e.message).catch(() => {});
      }
      return fail(e.message, e.retryable, e.retryAfterMs);
    } finally {
      clearTimeout(timer);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
    const ok = await markDelivered(this.marks, row, this.owner, brokerMessageId, this.clock());
    this.o.onOutcome?.({
      messageId: row.message_id,
      taskId: row.task_id,
      channel: row.channel,
      status: 'SUCCESS',
      brokerMessageId,
    });
    if (!ok) this.logger.warn({ message: row.message_id }, 'receipts: delivered but the claim was lost');
  }

  /**
   * Stops claiming, waits up to `drainMs` for sends in flight, then aborts them (they stay due) and releases this
   * run's claims. Call before the catalog closes.
   */
  async close(drainMs = 2_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const all = Promise.all([...this.inFlight.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, drainMs).unref())]);
    this.shutdown.abort();
    await Promise.race([all, new Promise((r) => setTimeout(r, 1_000).unref())]);
    // Hand unsent rows (interrupted or waiting in the backlog) to whichever server looks next.
    this.backlog.length = 0;
    await releaseClaims(this.o.db, this.owner).catch(() => {});
  }
}
