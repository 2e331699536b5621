import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  acceptsGzip,
  gzipEtag,
  gzipStream,
  gzipWanted,
  isCompressible,
  isLoopback,
} from '../../../src/tasks/http/encoding.js';

describe('result download encoding', () => {
  it('acceptsGzip - gzip, x-gzip or * with a weight above 0; refusals, malformed weights and odd input: no', () => {
    for (const yes of [
      'gzip',
      'GZIP',
      'x-gzip',
      '*',
      'gzip, deflate, br',
      'br;q=1, gzip;q=0.5',
      'gzip;q=1.000',
      'gzip ; q = 0.001',
      'identity;q=0, gzip',
    ])
      expect(acceptsGzip(yes), yes).toBe(true);
    for (const no of [
      undefined,
      '',
      'identity',
      'deflate, br',
      'gzip;q=0',
      'gzip;q=0.000',
      '*;q=0',
      'gzip;q=0, *',
      'gzip;q=1.5',
      'gzip;q=abc',
      'gzip;q=',
      'gzipx',
      ',,;;==',
      `gzip, ${'x'.repeat(600)}`,
    ])
      expect(acceptsGzip(no), String(no)).toBe(false);
    expect(acceptsGzip(['gzip', 'br'])).toBe(false); // not a single header value
  });

  it('isLoopback - IPv4 127/8, ::1 and mapped IPv4 loopback only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(a), a).toBe(true);
    for (const a of [undefined, '', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '1.127.0.0'])
      expect(isLoopback(a), String(a)).toBe(false);
  });

  it('gzipWanted - never: no; remote: not to loopback peers; always: whenever Accept-Encoding asks', () => {
    expect(gzipWanted('never', '10.0.0.2', 'gzip')).toBe(false);
    expect(gzipWanted('remote', '127.0.0.1', 'gzip')).toBe(false);
    expect(gzipWanted('remote', '::ffff:10.0.0.2', 'gzip')).toBe(true);
    expect(gzipWanted('remote', '10.0.0.2', 'identity')).toBe(false);
    expect(gzipWanted('always', '127.0.0.1', 'gzip')).toBe(true);
    expect(gzipWanted('always', undefined, undefined)).toBe(false);
  });

  it('isCompressible - CSV and NDJSON, not Parquet; gzipEtag - another tag for the gzip coding', () => {
    expect(isCompressible('text/csv; charset=utf-8; header=present')).toBe(true);
    expect(isCompressible('application/x-ndjson; charset=utf-8')).toBe(true);
    expect(isCompressible('application/vnd.apache.parquet')).toBe(false);
    expect(gzipEtag('"q1"')).toBe('"q1.gz"');
  });

  it('gzipStream - compresses; destroying it (a client went away) destroys the file stream too', async () => {
    const text = 'id,name\r\n'.repeat(10_000);
    const chunks: Buffer[] = [];
    for await (const c of gzipStream(Readable.from([Buffer.from(text)]))) chunks.push(c as Buffer);
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe(text);

    const body = new Readable({ read() {} });
    const gz = gzipStream(body);
    gz.destroy();
    await new Promise((r) => setImmediate(r));
    expect(body.destroyed).toBe(true);
  });

  it('gzipStream - an error of the file stream fails the download', async () => {
    const body = new Readable({ read() {} });
    const gz = gzipStream(body);
    const failed = new Promise((resolve) => gz.on('error', resolve));
    body.destroy(new Error('disk gone'));
    expect(((await failed) as Error).message).toBe('disk gone');
  });
});
