/** Delimiter-like values of Hive DDL: `FIELDS TERMINATED BY '\001'`, a SerDe's `separatorChar`. */

/** Hive delimiter escapes: `\t`, `\n`, `\001` (octal), `\u0001`, `\\`. The result must be one character. */
export function decodeDelimiter(raw: string): string | null {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') {
      out += raw[i];
      continue;
    }
    const rest = raw.slice(i + 1);
    const oct = /^[0-7]{1,3}/.exec(rest);
    const uni = /^u([0-9a-fA-F]{4})/.exec(rest);
    if (uni) {
      out += String.fromCharCode(Number.parseInt(uni[1], 16));
      i += 5;
    } else if (oct) {
      out += String.fromCharCode(Number.parseInt(oct[0], 8));
      i += oct[0].length;
    } else {
      const map: Record<string, string> = { t: '\t', n: '\n', r: '\r', '\\': '\\', "'": "'", '"': '"' };
      out += map[rest[0]] ?? rest[0] ?? '';
      i++;
    }
  }
  return [...out].length === 1 && out !== '\0' ? out : null;
}

/**
 * A SerDe property meant as one character: the (already unescaped) string itself when it is one, else read as a
 * Hive delimiter escape (`\t`, `\u0001`); null when it is not one character.
 */
export function oneCharacter(value: string): string | null {
  return value.length === 1 ? value : decodeDelimiter(value);
}
