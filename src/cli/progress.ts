import cliProgress from 'cli-progress';
import type { TaskCliOutput, TaskJson } from '../tasks/index.js';

/**
 * Output for task commands: results on stdout, summaries on stderr, and — on a terminal — a live progress bar
 * for `--wait` (percent done as the engine reports it, status, elapsed time).
 */
export function terminalOutput(): TaskCliOutput & { stop(): void } {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => {
      stop();
      process.stderr.write(text);
    },
    progress: tty
      ? (task: TaskJson) => {
          if (!bar) {
            bar = new cliProgress.SingleBar(
              {
                format: '{bar} {percentage}% | {status} | {duration_formatted}',
                hideCursor: true,
                clearOnComplete: true,
              },
              cliProgress.Presets.shades_classic,
            );
            bar.start(100, 0, { status: task.status });
          }
          bar.update(Math.round(task.progress ?? 0), { status: task.status });
        }
      : undefined,
    stop,
  };
}
