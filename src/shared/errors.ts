/**
 * The error convention every capability follows: each capability keeps one catalog (`errors.ts`) of
 * {@link ErrorSpec}s, each with a stable `code` (documented in docs/errors.md), the MySQL errno and SQLSTATE
 * sent in ERR packets, and the HTTP status the HTTP API answers with.
 */
export interface ErrorSpec {
  /** Stable, documented code, e.g. `LC_SQL_SYNTAX`. Never reused for another meaning. */
  readonly code: string;
  /** MySQL error number sent to MySQL clients (1064 syntax, 1045 access denied, …). */
  readonly errno: number;
  /** Five-character SQLSTATE sent with the errno. */
  readonly sqlState: string;
  /** HTTP status for the HTTP API. */
  readonly httpStatus: number;
  /** True when the same request may succeed if tried again later (network, lock, overload). */
  readonly retryable?: boolean;
}

/** Base class of every error Lakecast reports to a user. Carries its {@link ErrorSpec}. */
export class LakecastError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly sqlState: string;
  readonly httpStatus: number;
  readonly retryable: boolean;

  constructor(spec: ErrorSpec, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LakecastError';
    this.code = spec.code;
    this.errno = spec.errno;
    this.sqlState = spec.sqlState;
    this.httpStatus = spec.httpStatus;
    this.retryable = spec.retryable ?? false;
  }

  /** The JSON body the HTTP API sends for this error. */
  toJSON(): { code: string; message: string; errno: number; sqlState: string } {
    return { code: this.code, message: this.message, errno: this.errno, sqlState: this.sqlState };
  }
}

type SpecBody = Omit<ErrorSpec, 'code'>;

const registry = new Map<string, ErrorSpec>();

/**
 * Declares a capability's error catalog. Keys become codes (`LC_<KEY>`); a code declared twice throws at
 * load time so two capabilities cannot silently share one.
 */
export function defineErrors<K extends string>(specs: Record<K, SpecBody>): Record<K, ErrorSpec> {
  const out = {} as Record<K, ErrorSpec>;
  for (const key of Object.keys(specs) as K[]) {
    const code = `LC_${key}`;
    if (registry.has(code)) throw new Error(`error code ${code} declared twice`);
    const spec = Object.freeze({ code, ...specs[key] });
    registry.set(code, spec);
    out[key] = spec;
  }
  return Object.freeze(out);
}

/** Every error spec declared so far (for the docs check and the docs generator). */
export function allErrorSpecs(): ErrorSpec[] {
  return [...registry.values()];
}

/** The spec of a declared code (an error that crossed a thread boundary is rebuilt from it), or undefined. */
export function errorSpecOf(code: string): ErrorSpec | undefined {
  return registry.get(code);
}

/** Errors every capability may raise. */
export const CommonErrors = defineErrors({
  INTERNAL: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  BAD_REQUEST: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  UNAUTHENTICATED: { errno: 1045, sqlState: '28000', httpStatus: 401 },
  FORBIDDEN: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
  TIMEOUT: { errno: 3024, sqlState: 'HY000', httpStatus: 504, retryable: true },
  CANCELLED: { errno: 1317, sqlState: '70100', httpStatus: 499 },
  UNAVAILABLE: { errno: 1053, sqlState: '08S01', httpStatus: 503, retryable: true },
  TOO_MANY_CONNECTIONS: { errno: 1040, sqlState: '08004', httpStatus: 429, retryable: true },
});

/**
 * Turns anything thrown into a {@link LakecastError}. Unknown errors become `LC_INTERNAL` with a generic
 * message so internals (paths, stack, secrets) never reach a client; the original stays as `cause`.
 */
export function toLakecastError(err: unknown): LakecastError {
  if (err instanceof LakecastError) return err;
  return new LakecastError(CommonErrors.INTERNAL, 'internal error', { cause: err });
}
