import { createHash, createHmac } from 'node:crypto';

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves `!'()*` alone). */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks a presigned S3 URL (SigV4 query authentication, host the only signed header, unsigned payload) the way
 * S3 does, written from AWS's specification independently of the SDK that signed it: the signature must match
 * the one computed with `secretAccessKey`, and the URL must not have expired at `now`. s3rver, the tests' S3
 * server, does not verify V4 signatures, so tests of presigned URLs call this. Returns why it fails, or null.
 */
export function sigV4QueryProblem(url: string, secretAccessKey: string, now = Date.now()): string | null {
  const u = new URL(url);
  const q = u.searchParams;
  const signature = q.get('X-Amz-Signature');
  const date = q.get('X-Amz-Date') ?? '';
  const credential = q.get('X-Amz-Credential') ?? '';
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !signature) return 'not a SigV4 presigned URL';
  if (q.get('X-Amz-SignedHeaders') !== 'host') return 'signs more than the host header';
  const [, day, region, service, term] = credential.split('/');
  if (!day || !region || service !== 's3' || term !== 'aws4_request') return 'malformed X-Amz-Credential';
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(date);
  if (!m) return 'malformed X-Amz-Date';
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (now > signedAt + Number(q.get('X-Amz-Expires')) * 1000) return 'expired';
  const query = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = ['GET', u.pathname, query, `host:${u.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join(
    '\n',
  );
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, day);
  for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
  return hmac(key, toSign).toString('hex') === signature ? null : 'signature does not match';
}
