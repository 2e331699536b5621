export { acceptsGzip, gzipWanted, isLoopback, type ResultGzip } from './encoding.js';
export { RESULT_LINK_PREFIX, resultLinkRoutes } from './link-routes.js';
export { TASKS_HTTP_PREFIX, type TaskRoutesOptions, taskRoutes } from './routes.js';
