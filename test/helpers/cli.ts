import { spawnSync } from 'node:child_process';

/** Result of one run of the real `mariadb` command-line client. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `mariadb` CLI against a Lakecast server: `mariadb -h127.0.0.1 -P<port> -u<user> -p<pw> …args`. */
export function mariadb(port: number, args: string[], options: { user?: string; password?: string; input?: string } = {}): CliResult {
  const res = spawnSync(
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
    { encoding: 'utf8', input: options.input, timeout: 60_000 },
  );
  return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}
