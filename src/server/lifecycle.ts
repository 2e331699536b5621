import type { Logger } from '../shared/index.js';

/**
 * Ordered shutdown: resources register a close step as they open; `close()` runs the steps in reverse order,
 * once, logging (not throwing) failures so one stuck part does not keep the others open.
 */
export class Lifecycle {
  private readonly steps: { name: string; close: () => Promise<unknown> }[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  /** Registers a close step. */
  onClose(name: string, close: () => Promise<unknown>): void {
    this.steps.push({ name, close });
  }

  /** Runs every close step in reverse registration order. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.close();
        } catch (err) {
          this.logger.error({ err, step: step.name }, 'close step failed');
        }
      }
    })();
    return this.closing;
  }
}
