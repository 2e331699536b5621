/** Statement extensions for async tasks: the run-async hint, SHOW QUERY_TASK, KILL QUERY '<task id>'. */
export * from './errors.js';
export * from './extensions.js';
export * from './parser.js';
export * from './where.js';
