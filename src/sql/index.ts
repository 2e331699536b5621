/** SQL front: MySQL session statements, lake DDL, users, the sandbox and routing of user queries. */
export { SqlErrors } from './errors.js';
export { createSqlFront } from './front.js';
export {
  duckDbType,
  formatHiveType,
  type HiveType,
  hiveToDuckDbType,
  parseHiveTypeText,
} from './hive-types.js';
export { maskSecrets } from './mask.js';
export {
  SqlLexError,
  type Token as SqlToken,
  type Tokenized,
  type TokenizeOptions,
  tokenize,
} from './tokenizer.js';
export type * from './types.js';
