import { allErrorSpecs, CommonErrors, type ErrorSpec, LakecastError } from '../../shared/errors.js';
import { HubErrors, hubError } from '../errors.js';
import type {
  AppendResult,
  CommitRequest,
  CommittedOffset,
  CursorRequest,
  CursorResult,
  GetRecordsOptions,
  GetRecordsResult,
  GroupAssignment,
  Hub,
  HubRecord,
  JoinGroupRequest,
  ProjectInfo,
  ProjectSpec,
  RecordInput,
  SubscriptionInfo,
  SubscriptionSpec,
  TopicInfo,
  TopicSpec,
  TopicUpdate,
} from '../types.js';

export interface HubClientOptions {
  /** Base URL of the hub API, e.g. `http://127.0.0.1:8080/v1/hub`. */
  readonly baseUrl: string;
  /** Basic credentials or a bearer token (Lakecast's auth). */
  readonly auth?: { readonly username: string; readonly password: string } | { readonly token: string };
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout in ms, on top of a long poll's waitMs. Default 30,000. */
  readonly timeoutMs?: number;
  /** fetch implementation (tests). Default global fetch. */
  readonly fetch?: typeof fetch;
}

const specsByCode = (): Map<string, ErrorSpec> => new Map(allErrorSpecs().map((s) => [s.code, s]));

/**
 * A {@link Hub} over the HTTP API: same methods, same results, same error codes (errors come back as
 * {@link LakecastError} with the server's code). BLOB data travels base64 and comes back as `Uint8Array`.
 */
export class HubClient implements Hub {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: HubClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.headers = { ...options.headers };
    const a = options.auth;
    if (a && 'token' in a) this.headers.authorization = `Bearer ${a.token}`;
    else if (a)
      this.headers.authorization = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { signal?: AbortSignal; extraMs?: number } = {},
  ): Promise<T> {
    if (this.closed) throw hubError('HUB_CLOSED', 'client is closed');
    const timeout = AbortSignal.timeout(this.timeoutMs + (opts.extraMs ?? 0));
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (err) {
      if (opts.signal?.aborted)
        throw new LakecastError(CommonErrors.CANCELLED, 'request aborted', { cause: err });
      throw hubError(
        'HUB_BACKEND_UNAVAILABLE',
        `hub at ${this.base} unreachable: ${(err as Error).message}`,
        err,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      // Lakecast's error body is `{ error: { code, message, … } }`.
      const body = (json ?? {}) as {
        error?: { code?: string; message?: string };
        code?: string;
        message?: string;
      };
      const e = body.error ?? body;
      const spec = (e.code && specsByCode().get(e.code)) || {
        ...HubErrors.HUB_BACKEND_UNAVAILABLE,
        httpStatus: res.status,
      };
      throw new LakecastError(spec, e.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }

  private p(project: string): string {
    return `/projects/${encodeURIComponent(project)}`;
  }

  private t(project: string, topic: string): string {
    return `${this.p(project)}/topics/${encodeURIComponent(topic)}`;
  }

  private s(project: string, topic: string, id: string): string {
    return `${this.t(project, topic)}/subscriptions/${encodeURIComponent(id)}`;
  }

  createProject(spec: ProjectSpec): Promise<ProjectInfo> {
    return this.call('POST', '/projects', spec);
  }

  getProject(project: string): Promise<ProjectInfo> {
    return this.call('GET', this.p(project));
  }

  async listProjects(): Promise<ProjectInfo[]> {
    return (await this.call<{ projects: ProjectInfo[] }>('GET', '/projects')).projects;
  }

  deleteProject(project: string): Promise<void> {
    return this.call('DELETE', this.p(project));
  }

  createTopic(project: string, spec: TopicSpec): Promise<TopicInfo> {
    return this.call('POST', `${this.p(project)}/topics`, spec);
  }

  getTopic(project: string, topic: string): Promise<TopicInfo> {
    return this.call('GET', this.t(project, topic));
  }

  async listTopics(project: string): Promise<TopicInfo[]> {
    return (await this.call<{ topics: TopicInfo[] }>('GET', `${this.p(project)}/topics`)).topics;
  }

  updateTopic(project: string, topic: string, update: TopicUpdate): Promise<TopicInfo> {
    return this.call('PATCH', this.t(project, topic), update);
  }

  deleteTopic(project: string, topic: string): Promise<void> {
    return this.call('DELETE', this.t(project, topic));
  }

  appendRecords(project: string, topic: string, records: readonly RecordInput[]): Promise<AppendResult> {
    const wire = records.map((r) =>
      r.data instanceof Uint8Array
        ? { ...r, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64') }
        : r,
    );
    return this.call('POST', `${this.t(project, topic)}/records`, { records: wire });
  }

  getCursor(project: string, topic: string, shardId: number, request: CursorRequest): Promise<CursorResult> {
    return this.call('POST', `${this.t(project, topic)}/shards/${shardId}/cursor`, request);
  }

  async getRecords(
    project: string,
    topic: string,
    shardId: number,
    options: GetRecordsOptions,
  ): Promise<GetRecordsResult> {
    const q = new URLSearchParams({ cursor: String(options.cursor) });
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    if (options.waitMs !== undefined) q.set('waitMs', String(options.waitMs));
    const r = await this.call<GetRecordsResult & { records: (HubRecord & { data: unknown })[] }>(
      'GET',
      `${this.t(project, topic)}/shards/${shardId}/records?${q}`,
      undefined,
      { ...(options.signal ? { signal: options.signal } : {}), extraMs: options.waitMs ?? 0 },
    );
    for (const rec of r.records) {
      if (typeof rec.data === 'string')
        (rec as { data: unknown }).data = new Uint8Array(Buffer.from(rec.data, 'base64'));
    }
    return r;
  }

  createSubscription(project: string, topic: string, spec: SubscriptionSpec): Promise<SubscriptionInfo> {
    return this.call('POST', `${this.t(project, topic)}/subscriptions`, spec);
  }

  async listSubscriptions(project: string, topic: string): Promise<SubscriptionInfo[]> {
    return (
      await this.call<{ subscriptions: SubscriptionInfo[] }>('GET', `${this.t(project, topic)}/subscriptions`)
    ).subscriptions;
  }

  deleteSubscription(project: string, topic: string, subscriptionId: string): Promise<void> {
    return this.call('DELETE', this.s(project, topic, subscriptionId));
  }

  commitOffsets(
    project: string,
    topic: string,
    subscriptionId: string,
    request: CommitRequest,
  ): Promise<void> {
    return this.call('POST', `${this.s(project, topic, subscriptionId)}/offsets`, request);
  }

  async getOffsets(project: string, topic: string, subscriptionId: string): Promise<CommittedOffset[]> {
    return (
      await this.call<{ offsets: CommittedOffset[] }>(
        'GET',
        `${this.s(project, topic, subscriptionId)}/offsets`,
      )
    ).offsets;
  }

  joinGroup(
    project: string,
    topic: string,
    subscriptionId: string,
    request: JoinGroupRequest,
  ): Promise<GroupAssignment> {
    return this.call('POST', `${this.s(project, topic, subscriptionId)}/group/join`, request);
  }

  heartbeat(
    project: string,
    topic: string,
    subscriptionId: string,
    consumerId: string,
  ): Promise<GroupAssignment> {
    return this.call('POST', `${this.s(project, topic, subscriptionId)}/group/heartbeat`, { consumerId });
  }

  leaveGroup(project: string, topic: string, subscriptionId: string, consumerId: string): Promise<void> {
    return this.call('POST', `${this.s(project, topic, subscriptionId)}/group/leave`, { consumerId });
  }

  /** The client holds no connections of its own (fetch pools them); marks it closed. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
