/**
 * Text formats for date/time and decimal cells, as src/shared/results.ts documents them. Written by hand
 * (no Date objects) because they run once per cell on every result.
 */

const DATE_CACHE_MAX = 100_000;
const dateCache = new Map<number, string>();

/** DuckDB's DATE sentinels (int32 max/min) print as infinity. */
const DATE_INF = 2_147_483_647;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; H. Hinnant's civil_from_days). BC years get ` (BC)` as DuckDB prints them. */
export function formatDate(days: number): string {
  const hit = dateCache.get(days);
  if (hit !== undefined) return hit;
  let out: string;
  if (days === DATE_INF) out = 'infinity';
  else if (days === -DATE_INF) out = '-infinity';
  else {
    const z = days + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor(
      (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
    );
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    const ys = y > 0 ? String(y).padStart(4, '0') : `${String(1 - y).padStart(4, '0')}`;
    out = `${ys}-${pad2(m)}-${pad2(d)}${y > 0 ? '' : ' (BC)'}`;
  }
  if (dateCache.size >= DATE_CACHE_MAX) dateCache.clear();
  dateCache.set(days, out);
  return out;
}

const MICROS_PER_DAY = 86_400_000_000;

/** Microseconds since midnight → `HH:MM:SS[.ffffff]` (fraction only when non-zero, trailing zeros kept as DuckDB does). */
export function formatTimeOfDay(micros: number): string {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const h = Math.floor(secs / 3600);
  const mi = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const base = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0')}`;
}

/** Microseconds since the epoch (a safe integer) → `YYYY-MM-DD HH:MM:SS[.ffffff]`. */
export function formatTimestampMicros(micros: number): string {
  const days = Math.floor(micros / MICROS_PER_DAY);
  return `${formatDate(days)} ${formatTimeOfDay(micros - days * MICROS_PER_DAY)}`;
}

/** Same as {@link formatTimestampMicros} for values outside the safe-integer range, and DuckDB's ±infinity. */
export function formatTimestampBig(micros: bigint): string {
  if (micros === 9_223_372_036_854_775_807n) return 'infinity';
  if (micros === -9_223_372_036_854_775_807n) return '-infinity';
  const perDay = BigInt(MICROS_PER_DAY);
  let days = micros / perDay;
  let rest = micros % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  return `${formatDate(Number(days))} ${formatTimeOfDay(Number(rest))}`;
}

const POW10 = Array.from({ length: 19 }, (_, i) => 10 ** i);

/** An unscaled decimal held in a safe integer → its exact text with `scale` fraction digits. */
export function formatDecimalNumber(unscaled: number, scale: number): string {
  if (scale === 0) return String(unscaled);
  const neg = unscaled < 0;
  const a = neg ? -unscaled : unscaled;
  const p = POW10[scale];
  const ip = Math.floor(a / p);
  const fp = a - ip * p;
  const fs = String(fp);
  return `${neg ? '-' : ''}${ip}.${fs.length === scale ? fs : fs.padStart(scale, '0')}`;
}

/** An unscaled decimal of any size → its exact text with `scale` fraction digits. */
export function formatDecimalBig(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}
