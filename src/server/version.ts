import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Lakecast's version (from package.json). */
export const VERSION: string = pkg.version;

/** What MySQL clients see as the server version: a MySQL 8.0 version (tools parse it) plus our own. */
export const MYSQL_SERVER_VERSION = `8.0.36-Lakecast-${VERSION}`;
