import { Command } from 'commander';
import { VERSION } from '../server/version.js';
import { registerResultCommand, registerTaskCommands } from '../tasks/index.js';
import { request } from './client.js';
import { registerServeCommand } from './commands/serve.js';
import { addClientOptions, clientOptions, registerSqlCommand } from './commands/sql.js';
import { terminalOutput } from './progress.js';

/** Builds the `lakecast` command line. */
export function buildProgram(): Command {
  const program = new Command('lakecast')
    .description('Lakecast: SQL over a data lake from any MySQL client, async query tasks, a durable hub')
    .version(VERSION);
  registerServeCommand(program);
  registerSqlCommand(program);
  registerTaskCommands(program, { addClientOptions, clientOptions, request }, terminalOutput());
  registerResultCommand(
    program,
    { addClientOptions, clientOptions, request },
    {
      stdout: process.stdout,
      err: (text) => process.stderr.write(text),
    },
  );
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`error${e.code ? ` ${e.code}` : ''}: ${e.message ?? String(err)}\n`);
    process.exit(1);
  });
