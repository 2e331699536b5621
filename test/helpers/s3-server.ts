import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { S3Settings } from '../../src/storage/index.js';
import { tempDir } from './tmp.js';

/*
 * s3rver in a child process. Its ListObjectsV2 continuation tokens use DES, which OpenSSL 3 only offers
 * through the legacy provider, so the server runs with `--openssl-legacy-provider` (without it every
 * truncated listing fails with a 500).
 */
const SERVER_SCRIPT = `
const S3rver = require(process.env.S3RVER_PATH);
const server = new S3rver({
  port: 0, address: '127.0.0.1', silent: true, directory: process.env.S3RVER_DIR,
  configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })),
});
server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

/** An s3rver instance on a random port in a temp folder, with the given buckets. */
export async function startS3(
  buckets: string[],
): Promise<{ settings: S3Settings; stop: () => Promise<void> }> {
  const tmp = tempDir('lakecast-s3rver-');
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER_SCRIPT], {
    env: {
      ...process.env,
      S3RVER_PATH: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIR: tmp.dir,
      S3RVER_BUCKETS: JSON.stringify(buckets),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    settings: {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      tmp.cleanup();
    },
  };
}
