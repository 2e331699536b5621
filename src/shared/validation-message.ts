/** Messages of requests that fail their schema (the HTTP API's routes, whichever plugin answers). */

/**
 * The message of a request that failed its schema: Fastify's, except for an undeclared property, which Ajv's
 * message does not name (`body must NOT have additional properties`).
 */
export function validationMessage(error: {
  validation?: unknown;
  validationContext?: string;
  message: string;
}): string {
  const first = (Array.isArray(error.validation) ? error.validation[0] : undefined) as
    | { keyword?: string; instancePath?: string; params?: { additionalProperty?: unknown } }
    | undefined;
  const name = first?.params?.additionalProperty;
  if (first?.keyword !== 'additionalProperties' || typeof name !== 'string') return error.message;
  const where = `${error.validationContext ?? 'request'}${first.instancePath ?? ''}`;
  return `${where} has an unknown property '${name.slice(0, 64)}'`;
}
