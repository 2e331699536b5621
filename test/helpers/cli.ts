import { spawn } from 'node:child_process';

/** Result of one run of the real `mariadb` command-line client. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `mariadb` CLI against a Lakecast server: `mariadb -h127.0.0.1 -P<port> -u<user> -p<pw> …args`.
 * Asynchronous on purpose: the server under test usually runs in this same process, so a synchronous spawn would
 * block the event loop that has to answer the client.
 */
export function mariadb(
  port: number,
  args: string[],
  options: { user?: string; password?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runProcess(
    'mariadb',
    [
      '--no-defaults',
      '-h127.0.0.1',
      `-P${port}`,
      `-u${options.user ?? 'root'}`,
      `-p${options.password ?? ''}`,
      '--protocol=TCP',
      '--connect-timeout=10',
      ...args,
    ],
    { input: options.input ?? '', timeoutMs: options.timeoutMs },
  );
}

/**
 * Runs a command asynchronously and collects its output; SIGKILL after `timeoutMs` (60 s). `input` is written
 * to its stdin (without it, stdin is /dev/null).
 */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
