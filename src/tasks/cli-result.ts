/**
 * `lakecast result <task-id> [-o <file>] [--continue]`: downloads a task's result file (`GET
 * /v1/tasks/{id}/result`) to stdout or a file; `--continue` resumes a partial file with an HTTP byte range.
 * `lakecast result <task-id> --link` prints a link that fetches the file without credentials instead (`GET /v1/tasks/{id}/result-url`),
 * `--delete` deletes the file now (`DELETE /v1/tasks/{id}/result`).
 */
import { createWriteStream, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { TaskCliHelpers } from './cli.js';

/** Where the result goes without `-o` (stdout in the CLI) and where the summary line goes (stderr). */
export interface ResultCliOutput {
  readonly stdout: Writable;
  err(text: string): void;
}

/** Bytes of `file`, 0 when it does not exist. */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Downloads the result of task `id` into `file` (or `output.stdout` without one). With `resume` and a partial
 * `file`, asks only for the bytes after it and appends them; a server answering with the whole file (200)
 * rewrites it, one saying there is nothing after it (416) leaves it as it is. Returns the bytes written.
 */
export async function downloadResult<O>(
  helpers: Pick<TaskCliHelpers<O>, 'request'>,
  options: O,
  id: string,
  target: { file?: string; resume?: boolean; output: ResultCliOutput },
): Promise<{ written: number; resumedAt: number }> {
  const have = target.file && target.resume ? sizeOf(target.file) : 0;
  const path = `v1/tasks/${encodeURIComponent(id)}/result`;
  let res: Response;
  try {
    res = await helpers.request(options, 'GET', path, undefined, have > 0 ? { range: `bytes=${have}-` } : {});
  } catch (err) {
    if (have > 0 && (err as { code?: string }).code === 'LC_TASK_RANGE_NOT_SATISFIABLE') {
      return { written: 0, resumedAt: have }; // the file is whole already
    }
    throw err;
  }
  const append = res.status === 206;
  const sink = target.file
    ? createWriteStream(target.file, { flags: append ? 'a' : 'w' })
    : target.output.stdout;
  let written = 0;
  const body = res.body as unknown as AsyncIterable<Uint8Array> | null;
  async function* counted() {
    if (!body) return;
    for await (const chunk of body) {
      written += chunk.length;
      yield chunk;
    }
  }
  try {
    // stdout stays open for whatever the shell does next.
    await pipeline(counted(), sink, { end: target.file !== undefined });
  } catch (err) {
    // `lakecast result … | head`: the reader left; stop quietly, as Unix tools do.
    if (target.file || (err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
  }
  return { written, resumedAt: append ? have : 0 };
}

/** Registers `lakecast result`. */
export function registerResultCommand<O>(
  program: Command,
  helpers: TaskCliHelpers<O>,
  output: ResultCliOutput,
): void {
  helpers
    .addClientOptions(
      program
        .command('result')
        .description("download a task's result file (to stdout, or a file with -o)")
        .argument('<task-id>', 'the task id (q…)')
        .option('-o, --output <file>', 'write to this file instead of stdout')
        .option('-c, --continue', 'resume a partial -o file: ask only for the bytes after it')
        .option('--link', 'print a link that downloads the file without credentials until it expires')
        .option('--delete', 'delete the result file now instead (the task row stays)'),
    )
    .action(async (id: string, opts: Record<string, string | undefined>) => {
      // commander gives flags as `true`; only whether they were given matters here.
      const given = (name: string) => opts[name] !== undefined;
      const modes = ['link', 'delete'].filter(given);
      if (modes.length > 1 || (modes.length === 1 && (given('output') || given('continue'))))
        throw new Error('--link, --delete and downloading (-o, --continue) are one at a time');
      const path = `v1/tasks/${encodeURIComponent(id)}/result`;
      if (given('delete')) {
        await helpers.request(helpers.clientOptions(opts), 'DELETE', path);
        output.err(`the result of ${id} is deleted\n`);
        return;
      }
      if (given('link')) {
        const res = await helpers.request(helpers.clientOptions(opts), 'GET', `${path}-url`);
        const link = (await res.json()) as { url: string; expires_at: string };
        output.stdout.write(`${link.url}\n`);
        output.err(`valid until ${link.expires_at}\n`);
        return;
      }
      const file = opts.output;
      const r = await downloadResult(helpers, helpers.clientOptions(opts), id, {
        file,
        resume: opts.continue !== undefined,
        output,
      });
      if (!file) return;
      if (r.resumedAt > 0 && r.written === 0)
        output.err(`${file} is complete already (${r.resumedAt} bytes)\n`);
      else {
        const from = r.resumedAt > 0 ? ` after the ${r.resumedAt} already there` : '';
        output.err(`${r.written} bytes written to ${file}${from}\n`);
      }
    });
}
