/**
 * Fault injection for the key server: make the next requests fail, rate-limit them, or slow them
 * down, to test how clients retry and fail.
 */

/** What happens to the next request, if anything. */
export type Fault =
  | { readonly kind: "error"; readonly status: number }
  | { readonly kind: "rate-limit"; readonly retryAfter: number };

/** Settable over HTTP as `POST /_faults` with these fields. */
export interface FaultSettings {
  /** Fail the next `fail` key requests with `status` (default 500). */
  readonly fail?: number;
  readonly status?: number;
  /** Answer the next `rateLimit` key requests with 429 and `Retry-After: retryAfter` seconds (default 1). */
  readonly rateLimit?: number;
  readonly retryAfter?: number;
  /** Delay every key request by this many milliseconds. */
  readonly latencyMs?: number;
  /** Clear every fault first. */
  readonly reset?: boolean;
}

/**
 * The fault plan of one key server.
 *
 * @example server.faults.failNext(3); // the next 3 key requests answer 500
 */
export class Faults {
  #errors: { count: number; status: number } = { count: 0, status: 500 };
  #rateLimits: { count: number; retryAfter: number } = { count: 0, retryAfter: 1 };
  #latencyMs = 0;

  /** The next `count` key requests answer `status` (a 4xx or 5xx). */
  failNext(count: number, status = 500): this {
    checkCount(count);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError("status must be 400-599");
    this.#errors = { count, status };
    return this;
  }

  /** The next `count` key requests answer 429 with `Retry-After: retryAfter`. */
  rateLimitNext(count: number, retryAfter = 1): this {
    checkCount(count);
    if (!Number.isInteger(retryAfter) || retryAfter < 0)
      throw new RangeError("retryAfter must be whole seconds");
    this.#rateLimits = { count, retryAfter };
    return this;
  }

  /** Every key request waits `ms` milliseconds before it is answered. */
  setLatency(ms: number): this {
    if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new RangeError("latency must be 0-60000 ms");
    this.#latencyMs = ms;
    return this;
  }

  reset(): this {
    this.#errors = { count: 0, status: 500 };
    this.#rateLimits = { count: 0, retryAfter: 1 };
    this.#latencyMs = 0;
    return this;
  }

  /** Applies settings received over HTTP; throws RangeError on bad values. */
  apply(settings: FaultSettings): this {
    if (settings.reset === true) this.reset();
    if (settings.fail !== undefined) this.failNext(settings.fail, settings.status);
    if (settings.rateLimit !== undefined) this.rateLimitNext(settings.rateLimit, settings.retryAfter);
    if (settings.latencyMs !== undefined) this.setLatency(settings.latencyMs);
    return this;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** Takes the fault for the next request, if one is planned. */
  take(): Fault | undefined {
    if (this.#rateLimits.count > 0) {
      this.#rateLimits.count--;
      return { kind: "rate-limit", retryAfter: this.#rateLimits.retryAfter };
    }
    if (this.#errors.count > 0) {
      this.#errors.count--;
      return { kind: "error", status: this.#errors.status };
    }
    return undefined;
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000)
    throw new RangeError("count must be 0-1000000");
}
