import { z } from 'zod';

/** Defaults (one place). */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 10_000;
export const DEFAULT_RECEIPT_MAX_AGE_MS = 24 * 3_600_000;
export const DEFAULT_RECEIPT_POLL_MS = 5_000;
export const DEFAULT_RECEIPT_CONCURRENCY = 32;
export const DEFAULT_BACKOFF_INITIAL_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 5 * 60_000;
export const DEFAULT_RECEIPT_SOURCE = 'lakecast';

const settingValue = z.union([z.string(), z.number(), z.boolean()]);

/** One admin-defined channel in the config file: `{ name, type, …settings }`. */
export const ChannelConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    type: z.string().min(1),
  })
  .catchall(settingValue);

/**
 * Configuration of message receipts (the `receipts` section; the lead adds it to the config schema as
 * `receipts: ReceiptsConfigSchema.default({})`). Documented in docs/receipts.md.
 */
export const ReceiptsConfigSchema = z
  .object({
    /** Channels defined by the admin in the config file (read-only for SQL). */
    channels: z.array(ChannelConfigSchema).default([]),
    /**
     * Hosts a user-supplied `mq-endpoint` may reach: `host`, `host:port` or `*.domain`. Empty: `mq-endpoint` is
     * refused (no SSRF into the private network).
     */
    endpointAllowlist: z.array(z.string().min(1)).default([]),
    /** A receipt not delivered this long after its task ended ends as FAILURE. */
    maxAgeMs: z.coerce.number().int().min(1000).default(DEFAULT_RECEIPT_MAX_AGE_MS),
    /** Per-attempt timeout of a channel without its own `timeout_ms`. */
    timeoutMs: z.coerce.number().int().min(100).default(DEFAULT_RECEIPT_TIMEOUT_MS),
    /** Slow poll for due retries and receipts left by another server or a crash. */
    pollMs: z.coerce.number().int().min(50).default(DEFAULT_RECEIPT_POLL_MS),
    /** Receipts in flight at once on this server. */
    concurrency: z.coerce.number().int().min(1).max(1024).default(DEFAULT_RECEIPT_CONCURRENCY),
    backoffInitialMs: z.coerce.number().int().min(1).default(DEFAULT_BACKOFF_INITIAL_MS),
    backoffMaxMs: z.coerce.number().int().min(1).default(DEFAULT_BACKOFF_MAX_MS),
    /** CloudEvents `source` of every receipt (a URI reference naming this deployment). */
    source: z.string().min(1).default(DEFAULT_RECEIPT_SOURCE),
    /** Public base URL of the HTTP API; adds `result_url` (`<base>/v1/tasks/<id>/result`) to receipts. */
    publicUrl: z.string().url().optional(),
  })
  .strict();

export type ReceiptsConfig = Readonly<z.infer<typeof ReceiptsConfigSchema>>;
export type ReceiptsConfigInput = z.input<typeof ReceiptsConfigSchema>;

/** Validates and freezes receipts configuration (defaults filled in). */
export function resolveReceiptsConfig(input: ReceiptsConfigInput = {}): ReceiptsConfig {
  return Object.freeze(ReceiptsConfigSchema.parse(input));
}
