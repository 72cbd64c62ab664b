/**
 * A fair counting semaphore for provider calls: at most `limit` in flight, at most half of them
 * (rounded up) for one owner (a key context, or a key blob whose context is unknown), and waiting
 * owners served in turn. So one tenant whose key calls hang holds at most half the slots, and the
 * others' calls still run. Small enough that a dependency would cost more than it saves.
 */
export class Limiter {
  readonly #limit: number;
  readonly #perOwner: number;
  #active = 0;
  readonly #activeByOwner = new Map<string, number>();
  /** Waiting tasks per owner; the map's order is the order owners take turns in. */
  readonly #waiting = new Map<string, (() => void)[]>();

  /**
   * @example
   * const limiter = new Limiter(8); // 8 calls at once, 4 of them for one owner
   * await limiter.run(canonicalContext(context), () => provider.createDataKey(context));
   */
  constructor(limit: number) {
    this.#limit = limit;
    this.#perOwner = Math.ceil(limit / 2);
  }

  /** Runs `task` for `owner` when a slot is free and the owner holds fewer than its share. */
  async run<T>(owner: string, task: () => Promise<T>): Promise<T> {
    if (this.#mayStart(owner)) this.#claim(owner);
    else {
      // Woken by #startNext, which has claimed the slot for this task.
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(owner);
        if (queue) queue.push(resolve);
        else this.#waiting.set(owner, [resolve]);
      });
    }
    try {
      return await task();
    } finally {
      this.#active--;
      const left = (this.#activeByOwner.get(owner) as number) - 1;
      if (left === 0) this.#activeByOwner.delete(owner);
      else this.#activeByOwner.set(owner, left);
      this.#startNext();
    }
  }

  #mayStart(owner: string): boolean {
    // Precondition: one owner holds at most half the slots (rounded up); a new task also waits
    // behind its owner's waiting ones, so each owner's tasks start in order.
    return (
      this.#active < this.#limit &&
      (this.#activeByOwner.get(owner) ?? 0) < this.#perOwner &&
      !this.#waiting.has(owner)
    );
  }

  /** Starts the first waiting task whose owner is under its share, then sends that owner to the back. */
  #startNext(): void {
    if (this.#active >= this.#limit) return;
    for (const [owner, queue] of this.#waiting) {
      if ((this.#activeByOwner.get(owner) ?? 0) >= this.#perOwner) continue;
      const next = queue.shift() as () => void;
      this.#waiting.delete(owner);
      if (queue.length > 0) this.#waiting.set(owner, queue);
      // Claimed here, not when the task resumes: a second release in the same turn must see it.
      this.#claim(owner);
      next();
      return;
    }
  }

  #claim(owner: string): void {
    this.#active++;
    this.#activeByOwner.set(owner, (this.#activeByOwner.get(owner) ?? 0) + 1);
  }
}
