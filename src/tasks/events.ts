import { EventEmitter } from 'node:events';
import type { TaskRecord, TaskStatus } from './store/types.js';

/** Payload of every task event. */
export interface TaskEvent {
  readonly id: string;
  readonly creator: string;
  readonly status: TaskStatus;
  /** Percent done (0–100) on `task:progress`, 100 on `task:succeeded`. */
  readonly progress?: number;
  /** The task row after a terminal transition (`task:succeeded|failed|cancelled`). */
  readonly task?: TaskRecord;
}

/** Task events, typed `noun:verb`. */
export interface TaskEventMap {
  'task:queued': TaskEvent;
  'task:started': TaskEvent;
  'task:progress': TaskEvent;
  'task:succeeded': TaskEvent;
  'task:failed': TaskEvent;
  'task:cancelled': TaskEvent;
}

export type TaskEventName = keyof TaskEventMap;

export const TASK_EVENT_NAMES: readonly TaskEventName[] = [
  'task:queued',
  'task:started',
  'task:progress',
  'task:succeeded',
  'task:failed',
  'task:cancelled',
];

/** A typed event emitter for task events. Listeners must not throw (errors are logged and dropped). */
export class TaskEvents {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    // Every SSE client adds a listener per event name.
    this.emitter.setMaxListeners(0);
  }

  on<E extends TaskEventName>(event: E, listener: (payload: TaskEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<E extends TaskEventName>(event: E, payload: TaskEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  listenerCount(event: TaskEventName): number {
    return this.emitter.listenerCount(event);
  }
}
