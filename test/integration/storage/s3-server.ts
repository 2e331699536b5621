import S3rver from 's3rver';
import type { S3Settings } from '../../../src/storage/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** An s3rver instance on a random port in a temp folder, with the given buckets. */
export async function startS3(
  buckets: string[],
): Promise<{ settings: S3Settings; stop: () => Promise<void> }> {
  const tmp = tempDir('lakecast-s3rver-');
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: tmp.dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    settings: {
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}
