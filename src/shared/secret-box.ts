import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks a sealed value (version 1: AES-256-GCM); anything else is a value stored before sealing existed. */
const SEALED_PREFIX = 'lcsealed1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts secrets kept in the catalog (AES-256-GCM under a 32-byte key the catalog does not hold), so a copy of
 * the catalog — a backup, a shared PostgreSQL — does not reveal them. Each value is bound to a `context` (which
 * row and column it belongs to): a sealed value copied to another row does not open there.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a secret box needs a 32-byte key');
    this.#key = key;
  }

  /** Whether `stored` was sealed (else it is plain text from before). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED_PREFIX);
  }

  /** `plaintext` sealed for `context`: `lcsealed1:` + base64url(iv | tag | ciphertext), a fresh iv each time. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /**
   * The plaintext of a value stored for `context`: opened when sealed, returned as it is when plain (stored
   * before sealing existed). Throws when a sealed value does not open — another key, another context, or changed
   * bytes — never answering a wrong plaintext.
   */
  open(stored: string, context: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(SEALED_PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new Error('sealed value does not open with this key (another key, or changed bytes)');
    }
  }
}
