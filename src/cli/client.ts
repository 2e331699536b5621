/** Connection settings of the CLI's HTTP client. */
export interface ClientOptions {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

/** Error answered by the server, with its stable code. */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The Authorization header for the options (a bearer token wins over user/password). */
export function authHeader(options: ClientOptions): Record<string, string> {
  if (options.token) return { authorization: `Bearer ${options.token}` };
  if (options.user !== undefined) {
    const basic = Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

/**
 * Calls the HTTP API and returns the response, throwing {@link ServerError} for error answers. `headers` adds
 * request headers (e.g. `Range`); they cannot replace the authorization.
 */
export async function request(
  options: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...headers,
        ...authHeader(options),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ServerError('LC_CLI_UNREACHABLE', `cannot reach ${url.origin}: ${(err as Error).message}`, 0);
  }
  if (!response.ok) {
    const text = await response.text();
    let code = 'LC_HTTP_ERROR';
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { code: string; message: string } };
      if (parsed.error) ({ code, message } = parsed.error);
    } catch {
      // not JSON: keep the raw text
    }
    throw new ServerError(code, message, response.status);
  }
  return response;
}

/** Reads an NDJSON body line by line. */
export async function* ndjsonLines(response: Response): AsyncGenerator<unknown> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line);
      nl = buffer.indexOf('\n');
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer);
}
