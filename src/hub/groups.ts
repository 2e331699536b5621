import { randomUUID } from 'node:crypto';
import { hubError } from './errors.js';
import type { AssignmentStrategy, GroupAssignment, JoinGroupRequest } from './types.js';

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

interface Member {
  readonly id: string;
  readonly joinedAt: number;
  lastSeen: number;
  sessionTimeoutMs: number;
}

interface Group {
  generation: number;
  strategy: AssignmentStrategy;
  members: Map<string, Member>;
  assignment: Map<string, number[]>;
}

/**
 * Computes shard ownership. `range`: members sorted by id each get a contiguous block (the first
 * `shards % members` one extra). `roundrobin`: shard i goes to member i mod n.
 */
export function assignShards(
  memberIds: readonly string[],
  shardCount: number,
  strategy: AssignmentStrategy,
): Map<string, number[]> {
  const ids = [...memberIds].sort();
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  const n = ids.length;
  if (n === 0) return out;
  if (strategy === 'roundrobin') {
    for (let s = 0; s < shardCount; s++) out.get(ids[s % n])?.push(s);
    return out;
  }
  const per = Math.floor(shardCount / n);
  const extra = shardCount % n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const take = per + (i < extra ? 1 : 0);
    for (let k = 0; k < take; k++) out.get(ids[i])?.push(s++);
  }
  return out;
}

/**
 * Consumer-group coordinator for all subscriptions of one hub process. Membership lives in memory (a restart
 * starts every group at a new generation, members simply rejoin); committed offsets are persisted elsewhere.
 * Members that miss their session timeout are removed lazily on every group call and by `sweep()`.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly clock: () => number = Date.now) {}

  private group(key: string, strategy?: AssignmentStrategy): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { generation: 0, strategy: strategy ?? 'range', members: new Map(), assignment: new Map() };
      this.groups.set(key, g);
    }
    return g;
  }

  private expire(g: Group): boolean {
    const now = this.clock();
    let changed = false;
    for (const m of g.members.values()) {
      if (now - m.lastSeen > m.sessionTimeoutMs) {
        g.members.delete(m.id);
        changed = true;
      }
    }
    return changed;
  }

  private rebalance(g: Group, shardCount: number): void {
    g.generation++;
    g.assignment = assignShards([...g.members.keys()], shardCount, g.strategy);
  }

  private view(g: Group, id: string): GroupAssignment {
    const m = g.members.get(id) as Member;
    return {
      consumerId: id,
      generation: g.generation,
      shards: g.assignment.get(id) ?? [],
      members: g.members.size,
      sessionTimeoutMs: m.sessionTimeoutMs,
    };
  }

  /** Adds (or refreshes) a member; rebalances when membership changed. */
  join(key: string, shardCount: number, req: JoinGroupRequest): GroupAssignment {
    const timeout = req.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout < 1000 || timeout > 300_000) {
      throw hubError('HUB_BAD_REQUEST', 'sessionTimeoutMs must be an integer 1000..300000');
    }
    if (req.strategy !== undefined && req.strategy !== 'range' && req.strategy !== 'roundrobin') {
      throw hubError('HUB_BAD_REQUEST', 'strategy must be range or roundrobin');
    }
    if (
      req.consumerId !== undefined &&
      (typeof req.consumerId !== 'string' || !/^[\w.:-]{1,128}$/.test(req.consumerId))
    ) {
      throw hubError('HUB_BAD_REQUEST', 'consumerId must be 1..128 characters of [A-Za-z0-9_.:-]');
    }
    const g = this.group(key, req.strategy);
    let changed = this.expire(g);
    const id = req.consumerId ?? randomUUID();
    const now = this.clock();
    const existing = g.members.get(id);
    if (existing) {
      existing.lastSeen = now;
      existing.sessionTimeoutMs = timeout;
    } else {
      g.members.set(id, { id, joinedAt: now, lastSeen: now, sessionTimeoutMs: timeout });
      changed = true;
    }
    if (changed || this.shardCountChanged(g, shardCount)) this.rebalance(g, shardCount);
    return this.view(g, id);
  }

  private shardCountChanged(g: Group, shardCount: number): boolean {
    let n = 0;
    for (const s of g.assignment.values()) n += s.length;
    return g.members.size > 0 && n !== shardCount;
  }

  /** Keeps a member alive; returns its current assignment (a new generation means: re-read your shards). */
  heartbeat(key: string, shardCount: number, consumerId: string): GroupAssignment {
    const g = this.group(key);
    const changed = this.expire(g);
    const m = g.members.get(consumerId);
    if (!m) {
      if (changed) this.rebalance(g, shardCount);
      throw hubError(
        'HUB_CONSUMER_NOT_FOUND',
        `consumer ${consumerId} is not in the group (expired or never joined); join again`,
      );
    }
    m.lastSeen = this.clock();
    if (changed || this.shardCountChanged(g, shardCount)) this.rebalance(g, shardCount);
    return this.view(g, consumerId);
  }

  leave(key: string, shardCount: number, consumerId: string): void {
    const g = this.group(key);
    const expired = this.expire(g);
    if (g.members.delete(consumerId) || expired) this.rebalance(g, shardCount);
  }

  /**
   * Fences a commit: the consumer must be a live member of the current generation and own every shard it
   * commits. Throws LC_HUB_STALE_GENERATION / LC_HUB_SHARD_NOT_ASSIGNED / LC_HUB_CONSUMER_NOT_FOUND.
   */
  checkCommit(
    key: string,
    shardCount: number,
    consumerId: string,
    generation: number | undefined,
    shards: readonly number[],
  ): void {
    const g = this.group(key);
    if (this.expire(g)) this.rebalance(g, shardCount);
    const m = g.members.get(consumerId);
    if (!m)
      throw hubError(
        'HUB_CONSUMER_NOT_FOUND',
        `consumer ${consumerId} is not in the group (expired?); join again`,
      );
    if (generation !== g.generation) {
      throw hubError(
        'HUB_STALE_GENERATION',
        `generation ${generation} is stale; the group is at ${g.generation}`,
      );
    }
    m.lastSeen = this.clock();
    const own = new Set(g.assignment.get(consumerId) ?? []);
    for (const s of shards) {
      if (!own.has(s))
        throw hubError('HUB_SHARD_NOT_ASSIGNED', `shard ${s} is not assigned to consumer ${consumerId}`);
    }
  }

  /** Removes expired members of every group (call periodically). */
  sweep(shardCountOf: (key: string) => number | undefined): void {
    for (const [key, g] of this.groups) {
      if (this.expire(g)) {
        const n = shardCountOf(key);
        if (n === undefined) this.groups.delete(key);
        else this.rebalance(g, n);
      }
    }
  }

  /** Forgets a subscription's group (subscription deleted). */
  drop(key: string): void {
    this.groups.delete(key);
  }
}
