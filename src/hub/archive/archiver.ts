import { existsSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeSchemaName, normalizeTableName, type TableDefinition } from '../../catalog/index.js';
import { LakecastError } from '../../shared/index.js';
import { hubError } from '../errors.js';
import type { SubscriptionInfo } from '../types.js';
import { hasVisibleEntries } from './files.js';
import { PARTITION_COLUMNS, tableColumns } from './layout.js';
import { ArchiveRunner } from './runner.js';
import {
  ARCHIVE_SUBSCRIPTION,
  ARCHIVES_SETTING,
  type ArchiveDefinition,
  type ArchiveInfo,
  type Archiver,
  type ArchiverDeps,
  type ArchiveSpec,
  DEFAULT_FLUSH_BYTES,
  DEFAULT_FLUSH_INTERVAL_MS,
  type RemoveArchiveOptions,
} from './types.js';

const key = (project: string, topic: string) => `${project}\u0000${topic}`;

function checkSpec(spec: ArchiveSpec): void {
  const bad = (m: string) => hubError('HUB_BAD_REQUEST', m);
  if (typeof spec !== 'object' || spec === null) throw bad('archive spec must be an object');
  for (const k of ['project', 'topic', 'schema'] as const)
    if (typeof spec[k] !== 'string' || spec[k].length === 0) throw bad(`${k} is required`);
  const i = spec.flushIntervalMs;
  if (i !== undefined && !(Number.isInteger(i) && i >= 100 && i <= 86_400_000))
    throw bad('flushIntervalMs must be an integer in 100..86400000');
  const b = spec.flushBytes;
  if (b !== undefined && !(Number.isInteger(b) && b >= 1024 && b <= 4 * 1024 ** 3))
    throw bad('flushBytes must be an integer in 1024..4294967296');
  if (spec.startFrom !== undefined && spec.startFrom !== 'OLDEST' && spec.startFrom !== 'LATEST')
    throw bad('startFrom must be OLDEST or LATEST');
}

/**
 * Creates the archiver (issue 5 item 7): per-topic archives of the hub into Parquet files in the lake, each
 * with an external table in the catalog. Definitions persist in the catalog setting `hub.archives`; archived
 * offsets are the committed offsets of each archive's hub subscription (`lakecast_archive`). Nothing runs
 * until `start()`.
 */
export function createArchiver(deps: ArchiverDeps): Archiver {
  const runners = new Map<string, ArchiveRunner>();
  let started = false;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  // Real path: the engine checks files against its allowed folders after resolving symlinks.
  const lakeRoot = existsSync(deps.lakeDir) ? realpathSync(deps.lakeDir) : path.resolve(deps.lakeDir);
  const tableDirOf = (def: Pick<ArchiveDefinition, 'schema' | 'table'>) =>
    path.join(lakeRoot, def.schema, def.table);

  async function load(): Promise<ArchiveDefinition[]> {
    const text = await deps.catalog.getSetting(ARCHIVES_SETTING);
    return text ? (JSON.parse(text) as { archives: ArchiveDefinition[] }).archives : [];
  }
  const save = (archives: readonly ArchiveDefinition[]) =>
    deps.catalog.setSetting(ARCHIVES_SETTING, JSON.stringify({ version: 1, archives }));

  function run(def: ArchiveDefinition): void {
    const r = new ArchiveRunner(def, tableDirOf(def), deps);
    runners.set(key(def.project, def.topic), r);
    r.start();
  }

  function info(def: ArchiveDefinition): ArchiveInfo {
    const r = runners.get(key(def.project, def.topic));
    return {
      ...def,
      status: r?.status() ?? { state: 'stopped', archivedRecords: 0, files: 0, stagedBytes: 0 },
    };
  }

  async function freshSubscription(project: string, topic: string): Promise<SubscriptionInfo> {
    // A leftover of an interrupted addArchive or of a removed archive: its offsets must not be reused.
    for (const s of await deps.hub.listSubscriptions(project, topic))
      if (s.name === ARCHIVE_SUBSCRIPTION) await deps.hub.deleteSubscription(project, topic, s.id);
    return deps.hub.createSubscription(project, topic, {
      name: ARCHIVE_SUBSCRIPTION,
      comment: 'Lakecast archive into the lake',
    });
  }

  async function addArchive(spec: ArchiveSpec): Promise<ArchiveInfo> {
    checkSpec(spec);
    return serial(async () => {
      const topic = await deps.hub.getTopic(spec.project, spec.topic);
      const archives = await load();
      if (archives.some((a) => a.project === topic.project && a.topic === topic.name))
        throw hubError('HUB_BAD_REQUEST', `topic ${topic.project}.${topic.name} is archived already`);
      const schema = normalizeSchemaName(spec.schema);
      const table = normalizeTableName(spec.table ?? topic.name);
      const owner = spec.owner ?? 'root';
      const columns = tableColumns(topic);
      const dir = tableDirOf({ schema, table });
      if (await hasVisibleEntries(dir))
        throw hubError('HUB_BAD_REQUEST', `the table folder ${schema}/${table} in the lake is not empty`);
      await deps.catalog.createSchema({ name: schema, owner }, { ifNotExists: true });
      await deps.engine.ensureSchema(schema);
      const tableDef: Omit<TableDefinition, 'createdAt'> = {
        schema,
        name: table,
        columns,
        partitionColumns: PARTITION_COLUMNS,
        format: 'PARQUET',
        location: `${pathToFileURL(dir).href}/`,
        properties: { 'lakecast.hub.archive': `${topic.project}.${topic.name}` },
        comment: `archive of hub topic ${topic.project}.${topic.name}`,
        owner,
      };
      await deps.catalog.createTable(tableDef);
      try {
        await mkdir(dir, { recursive: true });
        const sub = await freshSubscription(topic.project, topic.name);
        const def: ArchiveDefinition = {
          project: topic.project,
          topic: topic.name,
          topicUid: topic.uid,
          schema,
          table,
          location: tableDef.location,
          subscriptionId: sub.id,
          flushIntervalMs: spec.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
          flushBytes: spec.flushBytes ?? DEFAULT_FLUSH_BYTES,
          startFrom: spec.startFrom ?? 'OLDEST',
          createdAt: (deps.clock ?? Date.now)(),
        };
        const stored = (await deps.catalog.getTable(schema, table)) ?? { ...tableDef, createdAt: new Date() };
        if (deps.registerTable) await deps.registerTable(stored);
        else await deps.engine.registerTable(stored, dir);
        await save([...archives, def]);
        if (started) run(def);
        return info(def);
      } catch (err) {
        await deps.catalog.dropTable(schema, table, { ifExists: true }).catch(() => undefined);
        throw err;
      }
    });
  }

  async function removeArchive(project: string, topic: string, options: RemoveArchiveOptions = {}) {
    return serial(async () => {
      const archives = await load();
      const def = archives.find((a) => a.project === project && a.topic === topic);
      if (!def) throw hubError('HUB_BAD_REQUEST', `topic ${project}.${topic} has no archive`);
      const r = runners.get(key(project, topic));
      runners.delete(key(project, topic));
      await r?.stop();
      await save(archives.filter((a) => a !== def));
      await deps.hub.deleteSubscription(project, topic, def.subscriptionId).catch((err: unknown) => {
        // The topic (and its subscriptions) may be gone already.
        if (!(err instanceof LakecastError && /NOT_FOUND/.test(err.code))) throw err;
      });
      if (options.dropTable) {
        await deps.catalog.dropTable(def.schema, def.table, { ifExists: true });
        await deps.engine.unregisterTable?.(def.schema, def.table);
      }
    });
  }

  return {
    start: () =>
      serial(async () => {
        if (started) return;
        started = true;
        for (const def of await load()) run(def);
      }),
    stop: () =>
      serial(async () => {
        started = false;
        const all = [...runners.values()];
        runners.clear();
        await Promise.all(all.map((r) => r.stop()));
      }),
    addArchive,
    removeArchive,
    listArchives: async () => (await load()).map(info),
    getArchive: async (project, topic) => {
      const def = (await load()).find((a) => a.project === project && a.topic === topic);
      return def ? info(def) : null;
    },
    flushAll: async () => {
      await Promise.all([...runners.values()].map((r) => r.flushNow()));
    },
  };
}
