import type { SessionContext } from '../sql/types.js';
import type { SubmitContext } from './types.js';

/** The session a submitted task runs in: the submitter's, with its session variables copied. */
export function sessionContextOf(ctx: SubmitContext): SessionContext {
  return {
    connectionId: ctx.connectionId,
    user: ctx.user,
    database: ctx.database,
    remoteAddress: ctx.remoteAddress ?? 'task',
    variables: new Map(ctx.variables ?? []),
  };
}
