import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../../src/catalog/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectLakecastError } from './expect.js';

/** A port nothing listens on: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('catalog unavailable', () => {
  const tmp = tempDir('lakecast-unavail-');
  afterAll(() => tmp.cleanup());

  it('postgres - an unreachable server is LC_CATALOG_UNAVAILABLE (retryable), password not echoed', async () => {
    const port = await deadPort();
    const e = await expectLakecastError(
      openCatalog(`postgres://postgres:s3cret@127.0.0.1:${port}/postgres`, tmp.dir),
      'LC_CATALOG_UNAVAILABLE',
    );
    expect(e.retryable).toBe(true);
    expect(e.httpStatus).toBe(503);
    expect(e.message).not.toContain('s3cret');
  });

  it('sqlite - a data dir that is a file is LC_CATALOG_UNAVAILABLE naming the path', async () => {
    const file = path.join(tmp.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const e = await expectLakecastError(openCatalog('sqlite', file), 'LC_CATALOG_UNAVAILABLE');
    expect(e.message).toContain('not-a-dir');
  });
});
