/** Messages of requests that fail their schema (the HTTP API's routes, whichever plugin answers). */

/**
 * The message of a request that failed its schema: Fastify's, except where Ajv's message leaves out what the
 * client needs to fix it — the name of an undeclared property (`body must NOT have additional properties`) and
 * the values an enum allows (`must be equal to one of the allowed values`).
 */
export function validationMessage(error: {
  validation?: unknown;
  validationContext?: string;
  message: string;
}): string {
  const first = (Array.isArray(error.validation) ? error.validation[0] : undefined) as
    | {
        keyword?: string;
        instancePath?: string;
        params?: { additionalProperty?: unknown; allowedValues?: unknown };
      }
    | undefined;
  const where = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
  const name = first?.params?.additionalProperty;
  if (first?.keyword === 'additionalProperties' && typeof name === 'string')
    return `${where} has an unknown property '${name.slice(0, 64)}'`;
  const allowed = first?.params?.allowedValues;
  if (first?.keyword === 'enum' && Array.isArray(allowed) && allowed.length <= 32)
    return `${where} must be one of ${allowed.map(String).join(', ')}`;
  return error.message;
}
