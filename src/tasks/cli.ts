/**
 * The tasks' command-line parts, for the CLI (`src/cli/`) to mount — it passes its own HTTP client helpers so this
 * module does not depend on the CLI:
 *   lakecast sql --async "<query>" [--wait]   (call {@link submitTask}, then {@link waitForTask} with --wait)
 *   lakecast tasks [--status S] [--limit N] [--of <user>|*]
 *   lakecast kill <task id>
 *   lakecast result <task id> [-o file] [--continue]   (see cli-result.ts)
 */
import type { Command } from 'commander';

/** The CLI's HTTP helpers (src/cli/client.ts, src/cli/commands/sql.ts); `headers` adds request headers. */
export interface TaskCliHelpers<O> {
  addClientOptions(cmd: Command): Command;
  clientOptions(opts: Record<string, string | undefined>): O;
  request(
    options: O,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/** A task as the HTTP API answers it. */
export interface TaskJson {
  id: string;
  status: string;
  progress: number | null;
  command: string;
  create_time: string;
  elapse_time: number | null;
  row_count: number | null;
  scanned_data_bytes: number | null;
  result_file_oss_file: string | null;
  message: string | null;
  [column: string]: unknown;
}

/** Where the commands write (stdout / stderr in the CLI; buffers in tests). */
export interface TaskCliOutput {
  out(text: string): void;
  err(text: string): void;
  /** Redraws a one-line progress display (stderr on a TTY); omitted = no live display. */
  progress?(task: TaskJson): void;
}

const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'CANCELLED']);

/** Submits `sql` as an async task (`POST /v1/tasks`) and returns the task row (its `id` is what `--async` prints). */
export async function submitTask<O>(
  helpers: Pick<TaskCliHelpers<O>, 'request'>,
  options: O,
  sql: string,
  database?: string,
): Promise<TaskJson> {
  const res = await helpers.request(options, 'POST', 'v1/tasks', { sql, ...(database ? { database } : {}) });
  return (await res.json()) as TaskJson;
}

/**
 * Follows a task's event stream (`GET /v1/tasks/{id}/events`) until it ends, calling `output.progress` on each
 * update, then writes a summary and returns the final row. Resolves even when the stream drops (re-reads the row).
 */
export async function waitForTask<O>(
  helpers: Pick<TaskCliHelpers<O>, 'request'>,
  options: O,
  id: string,
  output: TaskCliOutput,
): Promise<TaskJson> {
  let last: TaskJson | null = null;
  const res = await helpers.request(options, 'GET', `v1/tasks/${encodeURIComponent(id)}/events`);
  if (res.body) {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let sep = buffer.indexOf('\n\n');
      while (sep >= 0) {
        const frame = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        sep = buffer.indexOf('\n\n');
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!data) continue;
        const payload = JSON.parse(data) as Partial<TaskJson>;
        last = { ...(last ?? ({} as TaskJson)), ...payload } as TaskJson;
        output.progress?.(last);
      }
      if (last && TERMINAL.has(last.status)) break;
    }
  }
  if (!last || !TERMINAL.has(last.status)) {
    last = (await (
      await helpers.request(options, 'GET', `v1/tasks/${encodeURIComponent(id)}`)
    ).json()) as TaskJson;
  }
  output.err(`${summary(last)}\n`);
  return last;
}

/** One line: status, rows, time, scanned bytes, result file or message. */
export function summary(t: TaskJson): string {
  const parts = [`task ${t.id} ${t.status}`];
  if (t.row_count !== null && t.row_count !== undefined) parts.push(`${t.row_count} rows`);
  if (t.elapse_time !== null && t.elapse_time !== undefined)
    parts.push(`${(t.elapse_time / 1000).toFixed(2)} s`);
  if (t.scanned_data_bytes) parts.push(`${t.scanned_data_bytes} bytes scanned`);
  if (t.result_file_oss_file) parts.push(`result: ${t.result_file_oss_file}`);
  if (t.message) parts.push(t.message);
  return parts.join(', ');
}

/** A fixed-width table of tasks for `lakecast tasks`. */
export function renderTasks(tasks: readonly TaskJson[]): string {
  const rows = tasks.map((t) => [
    t.id,
    t.status,
    t.progress === null || t.progress === undefined ? '' : `${Math.round(t.progress)}%`,
    t.create_time,
    t.elapse_time === null || t.elapse_time === undefined ? '' : `${t.elapse_time} ms`,
    t.row_count === null || t.row_count === undefined ? '' : String(t.row_count),
    t.command.length > 60 ? `${t.command.slice(0, 57)}...` : t.command,
  ]);
  const header = ['ID', 'STATUS', 'PROGRESS', 'CREATED', 'ELAPSED', 'ROWS', 'COMMAND'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Registers `lakecast tasks` and `lakecast kill <id>`. */
export function registerTaskCommands<O>(
  program: Command,
  helpers: TaskCliHelpers<O>,
  output: TaskCliOutput,
): void {
  helpers
    .addClientOptions(
      program
        .command('tasks')
        .description('list your async query tasks (newest first)')
        .option('-s, --status <status>', 'QUEUED | RUNNING | SUCCESS | FAILURE | CANCELLED')
        .option('-n, --limit <n>', 'at most this many', '20')
        .option('--of <user>', "admins: another user's tasks, or * for everyone's")
        .option('--after <task-id>', 'the tasks listed after this one (the last id of the previous page)'),
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const q = new URLSearchParams();
      if (opts.status) q.set('status', opts.status.toUpperCase());
      if (opts.limit) q.set('limit', opts.limit);
      if (opts.of) q.set('user', opts.of);
      if (opts.after) q.set('after', opts.after);
      const res = await helpers.request(helpers.clientOptions(opts), 'GET', `v1/tasks?${q}`);
      const { tasks } = (await res.json()) as { tasks: TaskJson[] };
      output.out(`${renderTasks(tasks)}\n`);
    });
  helpers
    .addClientOptions(
      program
        .command('kill')
        .description('cancel an async query task')
        .argument('<task-id>', 'the task id (q…)'),
    )
    .action(async (id: string, opts: Record<string, string | undefined>) => {
      const res = await helpers.request(
        helpers.clientOptions(opts),
        'POST',
        `v1/tasks/${encodeURIComponent(id)}/cancel`,
      );
      output.err(`${summary((await res.json()) as TaskJson)}\n`);
    });
}
