import { isKeyword, type Token, tokenize } from './tokenizer.js';

/** True for `CREATE|ALTER NOTIFICATION CHANNEL …`, whose `WITH (…)` settings hold URLs, passwords and signing keys. */
function isChannelDefinition(tokens: readonly Token[]): boolean {
  return (
    (isKeyword(tokens[0], 'CREATE') || isKeyword(tokens[0], 'ALTER')) &&
    isKeyword(tokens[1], 'NOTIFICATION') &&
    isKeyword(tokens[2], 'CHANNEL')
  );
}

/**
 * Indexes of string tokens that are secrets: the string after `IDENTIFIED [WITH plugin] BY`/`AS`, `PASSWORD(…)`,
 * and every string of a notification channel definition.
 */
export function secretTokenIndexes(tokens: readonly Token[]): Set<number> {
  const out = new Set<number>();
  if (isChannelDefinition(tokens)) {
    tokens.forEach((t, i) => {
      if (t.kind === 'string') out.add(i);
    });
    return out;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (isKeyword(tokens[i], 'IDENTIFIED')) {
      let j = i + 1;
      if (isKeyword(tokens[j], 'WITH')) j += 2;
      if (isKeyword(tokens[j], 'BY') || isKeyword(tokens[j], 'AS')) j++;
      if (isKeyword(tokens[j], 'PASSWORD')) j++;
      if (tokens[j]?.kind === 'string') out.add(j);
    } else if (isKeyword(tokens[i], 'PASSWORD')) {
      // SET PASSWORD = '…', PASSWORD('…')
      for (let j = i + 1; j < Math.min(tokens.length, i + 4); j++)
        if (tokens[j].kind === 'string') out.add(j);
    }
  }
  return out;
}

/** Keywords without which {@link secretTokenIndexes} finds nothing (nor does the fallback below). */
const SECRET_KEYWORDS = /IDENTIFIED|PASSWORD|CHANNEL/;

/**
 * The statement with every password literal replaced by `'***'`, for logs, errors, SHOW PROCESSLIST and task
 * rows. Text that does not tokenize (unterminated quotes) is masked from the first `IDENTIFIED`/`PASSWORD` on.
 */
export function maskSecrets(sql: string): string {
  // Every statement is masked for its query:finished report: skip tokenizing when no keyword that can
  // introduce a secret is in the text. Upper-cased as isKeyword compares (`ı`, `ſ` upper-case to ASCII).
  if (!SECRET_KEYWORDS.test(sql.toUpperCase())) return sql;
  let tokens: readonly Token[];
  try {
    tokens = tokenize(sql).tokens;
  } catch {
    const m = /\b(IDENTIFIED|PASSWORD|CHANNEL)\b/i.exec(sql);
    return m ? `${sql.slice(0, m.index + m[0].length)} ***` : sql;
  }
  const secret = secretTokenIndexes(tokens);
  if (secret.size === 0) return sql;
  let out = '';
  let last = 0;
  for (const i of [...secret].sort((a, b) => a - b)) {
    out += `${sql.slice(last, tokens[i].start)}'***'`;
    last = tokens[i].end;
  }
  return out + sql.slice(last);
}
