/**
 * Starts a Lakecast server in a child process (so its memory can be measured apart from the benchmark's
 * clients) and waits for its "lakecast ready" log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly mysqlPort: number;
  readonly httpPort: number;
  /** Resident set size of the server process now, bytes (from /proc). */
  rss(): number;
  stop(): Promise<void>;
}

/** Starts `lakecast serve` with a config object written to `<dataDir>.json`. */
export async function startServerProcess(options: {
  dataDir: string;
  password: string;
  config?: Record<string, unknown>;
  demo?: boolean;
  /** Extra node flags for the server process (e.g. `--cpu-prof` to profile it). */
  nodeArgs?: readonly string[];
  /**
   * Run the compiled server (`bin/lakecast.cjs` → `dist/`, as `npm start` and users do) instead of the sources
   * through tsx. The caller makes sure `dist/` is up to date (test/helpers/compiled.ts).
   */
  compiled?: boolean;
}): Promise<ServerProcess> {
  const configFile = `${options.dataDir}.json`;
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: options.dataDir,
      mysqlPort: 0,
      httpPort: 0,
      logLevel: 'info',
      ...options.config,
    }),
  );
  const entry = options.compiled
    ? [path.join(root, 'bin/lakecast.cjs')]
    : ['--import', 'tsx', path.join(root, 'src/cli/main.ts')];
  const args = [...(options.nodeArgs ?? []), ...entry, 'serve', '--config', configFile];
  if (options.demo) args.push('--demo');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      // The compiled entry sizes libuv's pool itself (bin/lakecast.cjs); through tsx the pool starts before
      // any of our code runs, so it is sized here as the entry would.
      ...(options.compiled ? {} : { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '32' }),
      LAKECAST_ROOT_PASSWORD: options.password,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ports = await new Promise<{ mysql: number; http: number }>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 120_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        if (!line.includes('lakecast ready')) continue;
        const msg = JSON.parse(line) as { mysql: string; http: string };
        clearTimeout(timer);
        resolve({ mysql: Number(msg.mysql.split(':').pop()), http: Number(msg.http.split(':').pop()) });
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
  });
  return {
    child,
    mysqlPort: ports.mysql,
    httpPort: ports.http,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
