import { hubError } from '../errors.js';

/**
 * Project, topic, subscription and field names: a letter, then letters, digits or `_`, at most 64 characters.
 * The restriction keeps names safe as directory names and as NATS stream names and subject tokens.
 */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Throws LC_HUB_INVALID_NAME unless `name` matches {@link NAME_PATTERN}. */
export function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw hubError(
      'HUB_INVALID_NAME',
      `invalid ${kind} name ${JSON.stringify(name)}: use a letter then letters, digits or _ (max 64)`,
    );
  }
  return name;
}
