import { LakecastError } from '../shared/index.js';
import { StorageErrors } from './errors.js';
import { LocalObjectStore } from './local/local-store.js';
import { localPathOf } from './location.js';
import { createS3Client, parseS3Uri, S3ObjectStore, type S3Settings } from './s3/s3-store.js';
import type { ObjectStore } from './types.js';

/**
 * Opens the object store a URI names: `file:///abs/dir/` or an absolute path → {@link LocalObjectStore};
 * `s3://bucket/prefix/` → {@link S3ObjectStore} with the config's `s3` settings (presigned URLs signed for
 * `s3.publicEndpoint` when set). Else LC_STORAGE_BAD_URI.
 */
export function openObjectStore(uri: string, config: { s3?: S3Settings } = {}): ObjectStore {
  const local = localPathOf(uri);
  if (local !== null) return new LocalObjectStore(local);
  if (uri.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(uri);
    const s3 = config.s3 ?? {};
    const client = createS3Client(s3);
    const signer = s3.publicEndpoint ? createS3Client({ ...s3, endpoint: s3.publicEndpoint }) : client;
    return new S3ObjectStore(client, bucket, prefix, signer);
  }
  throw new LakecastError(StorageErrors.STORAGE_BAD_URI, `unsupported object store URI ${uri}`);
}
