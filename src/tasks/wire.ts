/**
 * One call for the composition root: the task service, its SQL statement extensions and its HTTP mount, with
 * the results root defaulting to `<dataDir>/results/`. See docs/tasks.md "Wiring".
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../shared/index.js';
import { createAsyncTaskExtensions } from '../sql/async/index.js';
import type { StatementExtension } from '../sql/types.js';
import { openObjectStore, type S3Settings } from '../storage/index.js';
import type { ResultGzip } from './http/encoding.js';
import { RESULT_LINK_PREFIX, resultLinkRoutes } from './http/link-routes.js';
import { TASKS_HTTP_PREFIX, taskRoutes } from './http/routes.js';
import { loadOrCreateLinkKey, ResultLinkSigner } from './link-signer.js';
import {
  createTaskService,
  type TaskService,
  type TaskServiceConfig,
  type TaskServiceDeps,
} from './service.js';

/** Options of {@link createTasksCapability}. */
export interface TasksCapabilityOptions
  extends Pick<
    TaskServiceDeps,
    | 'catalog'
    | 'engine'
    | 'prepare'
    | 'resolveUser'
    | 'onFinishInTx'
    | 'checkHints'
    | 'writeParquet'
    | 'clock'
    | 'executor'
  > {
  readonly catalog: TaskServiceDeps['catalog'] & { readonly dialect: 'sqlite' | 'postgres' };
  /** Lakecast's data dir: the default results root is `<dataDir>/results/`. */
  readonly dataDir: string;
  /** `file:///…/` or `s3://bucket/prefix/` (default `<dataDir>/results/`). */
  readonly resultsUri?: string;
  /** Credentials for an `s3://` results root (the config's `s3`). */
  readonly s3?: S3Settings;
  readonly config?: TaskServiceConfig;
  /** gzip of result downloads (default `remote`; see {@link TaskRoutesOptions.resultGzip}). */
  readonly resultGzip?: ResultGzip;
  readonly logger?: Logger;
}

/** What the composition root mounts. Call `tasks.start()` once the SQL front exists, `tasks.close()` on shutdown. */
export interface TasksCapability {
  readonly tasks: TaskService;
  /** For `SqlFrontDeps.extensions`. */
  readonly extensions: StatementExtension[];
  /** For the HTTP server's `plugins` (mounted under `/v1`). */
  readonly http: { readonly prefix: string; readonly plugin: FastifyPluginAsync };
  /**
   * For the HTTP server's `publicPlugins` (from its root, without authentication: the link's token is the
   * credential): `GET /v1/result-links/{token}`.
   */
  readonly links: { readonly prefix: string; readonly plugin: FastifyPluginAsync };
  /** The results root URI in use. */
  readonly resultsUri: string;
}

export function createTasksCapability(options: TasksCapabilityOptions): TasksCapability {
  const resultsUri = options.resultsUri ?? `${pathToFileURL(path.resolve(options.dataDir, 'results')).href}/`;
  const tasks = createTaskService({
    catalog: options.catalog,
    engine: options.engine,
    prepare: options.prepare,
    resultStore: openObjectStore(resultsUri, options.s3 ? { s3: options.s3 } : {}),
    config: options.config,
    logger: options.logger,
    clock: options.clock,
    resolveUser: options.resolveUser,
    onFinishInTx: options.onFinishInTx,
    checkHints: options.checkHints,
    writeParquet: options.writeParquet,
    executor: options.executor,
    linkSigner: new ResultLinkSigner(loadOrCreateLinkKey(options.dataDir)),
  });
  return {
    tasks,
    extensions: createAsyncTaskExtensions({ tasks, dialect: options.catalog.dialect }),
    http: { prefix: TASKS_HTTP_PREFIX, plugin: taskRoutes({ tasks, resultGzip: options.resultGzip }) },
    links: {
      prefix: RESULT_LINK_PREFIX,
      plugin: resultLinkRoutes({ tasks, resultGzip: options.resultGzip }),
    },
    resultsUri,
  };
}
