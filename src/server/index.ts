/** Composition root: the only place that knows every capability. */

export { DEMO_ROWS, installDemo } from './demo.js';
export type { RunningServer, StartOptions } from './start.js';
export { startServer } from './start.js';
export { MYSQL_SERVER_VERSION, VERSION } from './version.js';
