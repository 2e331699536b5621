import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LakecastError } from '../../shared/index.js';
import { StorageErrors } from '../errors.js';
import { checkKey, checkPrefix } from '../keys.js';
import type { ByteRange, ObjectBody, ObjectInfo, ObjectStore, PresignGetOptions } from '../types.js';

/** Part size of multipart uploads (S3's minimum is 5 MiB for every part but the last). */
export const MULTIPART_PART_BYTES = 8 * 1024 * 1024;
/** DeleteObjects accepts at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** Endpoint and credentials of an S3-compatible service (the config's `s3` section). */
export interface S3Settings {
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly forcePathStyle?: boolean;
  /**
   * The endpoint clients reach the service at, when it differs from `endpoint` (a server inside a private
   * network): presigned URLs are signed for this host. Default: `endpoint`.
   */
  readonly publicEndpoint?: string;
}

/** One S3 client per settings object (clients keep connection pools). */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region ?? 'us-east-1',
    forcePathStyle: settings.forcePathStyle ?? true,
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    // Many S3-compatible servers do not understand the SDK's default flexible checksums (aws-chunked bodies).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Splits `s3://bucket/prefix/` into bucket and prefix (prefix normalized to end in `/` unless empty). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,62}$/.test(m[1])) {
    throw new LakecastError(StorageErrors.STORAGE_BAD_URI, `invalid S3 URI ${uri}`);
  }
  let prefix = m[2];
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  if (prefix) checkPrefix(prefix);
  return { bucket: m[1], prefix };
}

/** Maps SDK errors onto the storage catalog. */
export function toStorageError(err: unknown, what: string): LakecastError {
  if (err instanceof LakecastError) return err;
  const name = (err as { name?: string }).name ?? '';
  const status = (err as S3ServiceException).$metadata?.httpStatusCode;
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new LakecastError(StorageErrors.STORAGE_NOT_FOUND, `${what}: not found`, { cause: err });
  }
  if (
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    status === 403
  ) {
    return new LakecastError(StorageErrors.STORAGE_ACCESS_DENIED, `${what}: access denied (${name})`, {
      cause: err,
    });
  }
  return new LakecastError(StorageErrors.STORAGE_UNAVAILABLE, `${what}: ${(err as Error).message ?? name}`, {
    cause: err,
  });
}

/**
 * An {@link ObjectStore} on an S3-compatible bucket under a prefix. Bodies up to one part go up with
 * PutObject; larger streams are uploaded in {@link MULTIPART_PART_BYTES} parts (one part in memory at a
 * time) and the upload is aborted on failure, so no partial object is ever visible.
 */
export class S3ObjectStore implements ObjectStore {
  readonly rootUri: string;

  /** `presignClient` signs presigned URLs (a client for the public endpoint); default `client`. */
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    readonly presignClient: S3Client = client,
  ) {
    if (prefix && !prefix.endsWith('/')) this.prefix = `${prefix}/`;
    this.rootUri = `s3://${bucket}/${this.prefix}`;
  }

  uriOf(key: string): string {
    return this.rootUri + checkKey(key);
  }

  private full(key: string): string {
    return this.prefix + checkKey(key);
  }

  async put(key: string, body: ObjectBody): Promise<{ size: number }> {
    const Key = this.full(key);
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const buf = typeof body === 'string' ? Buffer.from(body) : body;
        if (buf.length <= MULTIPART_PART_BYTES) {
          await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: buf }));
          return { size: buf.length };
        }
        return await this.multipart(Key, Readable.from([buf]));
      }
      return await this.multipart(Key, body);
    } catch (err) {
      throw toStorageError(err, `put ${this.uriOf(key)}`);
    }
  }

  /** Streams in parts; a body that fits in one part becomes a single PutObject. */
  private async multipart(
    Key: string,
    body: AsyncIterable<Buffer | string | Uint8Array>,
  ): Promise<{ size: number }> {
    const parts = partsOf(body, MULTIPART_PART_BYTES);
    const first = await parts.next();
    const firstBuf = first.done ? Buffer.alloc(0) : first.value;
    const second = first.done ? { done: true as const, value: undefined } : await parts.next();
    if (second.done) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: firstBuf }));
      return { size: firstBuf.length };
    }
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    const UploadId = created.UploadId!;
    const done: { ETag: string; PartNumber: number }[] = [];
    let size = 0;
    try {
      const upload = async (buf: Buffer) => {
        const PartNumber = done.length + 1;
        const res = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key,
            UploadId,
            PartNumber,
            Body: buf,
            ContentLength: buf.length,
          }),
        );
        done.push({ ETag: res.ETag!, PartNumber });
        size += buf.length;
      };
      await upload(firstBuf);
      await upload(second.value);
      for await (const buf of parts) await upload(buf);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: done },
        }),
      );
      return { size };
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const { range } = options;
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.full(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return res.Body as Readable;
    } catch (err) {
      throw toStorageError(err, `get ${this.uriOf(key)}`);
    }
  }

  /** A presigned GetObject URL of `key` (no request is made; the object's existence is not checked). */
  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.full(key),
      ResponseContentType: options.contentType,
      ResponseContentDisposition: options.contentDisposition,
    });
    try {
      return await getSignedUrl(this.presignClient, command, { expiresIn: options.expiresInSeconds });
    } catch (err) {
      throw toStorageError(err, `presign ${this.uriOf(key)}`);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return {
        key,
        size: res.ContentLength ?? 0,
        etag: stripQuotes(res.ETag),
        lastModified: res.LastModified ?? new Date(0),
      };
    } catch (err) {
      const e = toStorageError(err, `head ${this.uriOf(key)}`);
      if (e.code === StorageErrors.STORAGE_NOT_FOUND.code) return null;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      let res: ListObjectsV2CommandOutput;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken }),
        );
      } catch (err) {
        throw toStorageError(err, `list ${this.rootUri}${prefix}`);
      }
      for (const o of res.Contents ?? []) {
        if (!o.Key) continue;
        yield {
          key: o.Key.slice(this.prefix.length),
          size: o.Size ?? 0,
          etag: stripQuotes(o.ETag),
          lastModified: o.LastModified ?? new Date(0),
        };
      }
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    } catch (err) {
      throw toStorageError(err, `delete ${this.uriOf(key)}`);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const Objects = batch.map((k) => ({ Key: this.prefix + k }));
      batch = [];
      try {
        const res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }),
        );
        if (res.Errors && res.Errors.length > 0) {
          throw new Error(
            `${res.Errors.length} objects not deleted: ${res.Errors[0].Code} ${res.Errors[0].Message}`,
          );
        }
      } catch (err) {
        throw toStorageError(err, `delete ${this.rootUri}${prefix}*`);
      }
    };
    for await (const o of this.list(prefix)) {
      batch.push(o.key);
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
  }
}

function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Re-chunks a stream into buffers of exactly `size` bytes (the last may be shorter). */
export async function* partsOf(
  body: AsyncIterable<Buffer | string | Uint8Array>,
  size: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let b =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    while (pendingBytes + b.length >= size) {
      const take = size - pendingBytes;
      pending.push(b.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      pendingBytes = 0;
      b = b.subarray(take);
    }
    if (b.length > 0) {
      pending.push(b);
      pendingBytes += b.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
