/** Channel definitions: validation, the secret/non-secret split, and masking for SHOW. */
import { LakecastError } from '../../shared/index.js';
import { ReceiptErrors } from '../errors.js';
import { redactUrl } from '../message.js';
import { CHANNEL_TYPES } from './catalog.js';
import type { ChannelSettings, ChannelType, SettingValue } from './types.js';

/** A named channel, from the config file or `CREATE NOTIFICATION CHANNEL`. */
export interface ChannelDefinition {
  readonly name: string;
  readonly type: string;
  /** Non-secret settings. */
  readonly settings: ChannelSettings;
  /** Secret settings (never shown, never logged). */
  readonly secrets: ChannelSettings;
  readonly source: 'config' | 'sql';
  readonly createdBy?: string;
  readonly disabledAt?: number | null;
  readonly disabledReason?: string | null;
}

export const CHANNEL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function invalid(message: string): LakecastError {
  return new LakecastError(ReceiptErrors.CHANNEL_INVALID, message);
}

/** The type, or LC_CHANNEL_INVALID naming the known ones. */
export function channelType(type: string): ChannelType {
  const t = CHANNEL_TYPES.get(type.toLowerCase());
  if (!t)
    throw invalid(
      `unknown channel type '${type.slice(0, 32)}'; known: ${[...CHANNEL_TYPES.keys()].join(', ')}`,
    );
  return t;
}

/**
 * Validates raw settings for `type` and splits them into non-secret and secret ones. Errors name the key, never a
 * value (values may be secrets).
 */
export function defineChannel(
  name: string,
  type: string,
  raw: Readonly<Record<string, SettingValue>>,
  source: 'config' | 'sql',
  createdBy?: string,
): ChannelDefinition {
  if (!CHANNEL_NAME.test(name)) throw invalid('channel name must be 1-64 letters, digits, _ . -');
  const t = channelType(type);
  const settings: Record<string, SettingValue> = {};
  const secrets: Record<string, SettingValue> = {};
  for (const [k0, v] of Object.entries(raw)) {
    const k = k0.toLowerCase();
    if (!t.keys.includes(k))
      throw invalid(
        `channel type ${t.type} has no setting '${k0.slice(0, 40)}'; settings: ${t.keys.join(', ')}`,
      );
    if (k === 'timeout_ms' && !(Number(v) >= 100)) throw invalid('timeout_ms must be a number >= 100');
    (t.secretKeys.includes(k) ? secrets : settings)[k] = v;
  }
  for (const k of t.required) {
    if (settings[k] === undefined && secrets[k] === undefined)
      throw invalid(`channel type ${t.type} needs the setting '${k}'`);
  }
  const all = { ...settings, ...secrets };
  for (const k of ['url', 'brokers']) {
    const v = all[k];
    if (v === undefined || k === 'brokers') continue;
    for (const u of String(v).split(',')) {
      let url: URL;
      try {
        url = new URL(u.trim());
      } catch {
        throw invalid(`setting '${k}' is not a valid URL`);
      }
      if (t.urlSchemes && !t.urlSchemes.includes(url.protocol))
        throw invalid(
          `setting '${k}' of a ${t.type} channel must be a ${t.urlSchemes.map((p) => p.slice(0, -1)).join(' or ')} URL`,
        );
    }
  }
  try {
    t.validate?.(all);
  } catch (err) {
    throw invalid(`${t.type}: ${(err as Error).message}`);
  }
  return Object.freeze({
    name,
    type: t.type,
    settings: Object.freeze(settings),
    secrets: Object.freeze(secrets),
    source,
    createdBy,
    disabledAt: null,
  });
}

/** Settings as SHOW displays them: secrets as `***` (URLs with credentials and query values hidden). */
export function maskedSettings(def: ChannelDefinition): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(def.settings))
    out[k] = typeof v === 'string' ? redactUrl(v) : String(v);
  for (const [k, v] of Object.entries(def.secrets)) {
    const s = String(v);
    // A secret URL (robot webhooks carry their token in the path or query): only its origin is shown.
    let origin: string | undefined;
    try {
      origin = new URL(s).origin;
    } catch {}
    out[k] = origin && origin !== 'null' ? `${origin}/***` : '***';
  }
  return out;
}
