/**
 * The running slots of one node: `concurrency` tasks at once in all, and with `perUser` > 0 at most that many for
 * one user — so a user whose long tasks would fill every slot leaves room for the others (Trino's resource
 * groups and Athena's per-account limits do the same). The cap is not work-conserving: a user alone still runs
 * only `perUser` at once. 0 = no per-user cap (the default).
 */
export class TaskSlots {
  #inUse = 0;
  readonly #byUser = new Map<string, number>();

  constructor(
    readonly concurrency: number,
    readonly perUser: number,
  ) {}

  /** Slots taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** True while any slot is free. */
  get anyFree(): boolean {
    return this.#inUse < this.concurrency;
  }

  /** True when `user` may start a task now: a slot is free and the user is under the per-user cap. */
  readonly mayStart = (user: string): boolean =>
    this.anyFree && (this.perUser <= 0 || (this.#byUser.get(user) ?? 0) < this.perUser);

  /** Takes a slot for `user` (the caller checked {@link mayStart}). */
  take(user: string): void {
    this.#inUse++;
    this.#byUser.set(user, (this.#byUser.get(user) ?? 0) + 1);
  }

  /** Gives back a slot `user` took. */
  give(user: string): void {
    this.#inUse--;
    const n = (this.#byUser.get(user) ?? 1) - 1;
    if (n > 0) this.#byUser.set(user, n);
    else this.#byUser.delete(user);
  }
}
