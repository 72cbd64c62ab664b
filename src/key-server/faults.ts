/**
 * Fault injection for the key server: make the next requests fail, rate-limit them, or slow them
 * down (all of them, or one key context's), to test how clients retry, time out and fail; or lose
 * their answers after they were served, to test that a retry does not do the work twice.
 */
import { canonicalize, validateContext, type KeyContext } from "../context/key-context.js";
import { isBase64 } from "../format/is-base64.js";
import { localBlobContext } from "../format/local-blob.js";
import { unwrapBlob } from "./blobs.js";
import { unref } from "../unref.js";

/** What happens to the next request, if anything. */
export type Fault =
  | {
      /** Answer with an error status. */
      readonly kind: "error";
      /** The HTTP status to answer, 400 to 599. */
      readonly status: number;
    }
  | {
      /** Answer 429 Too Many Requests. */
      readonly kind: "rate-limit";
      /** The `Retry-After` to send, in whole seconds. */
      readonly retryAfter: number;
    };

/** Settable over HTTP as `POST /_faults` with these fields. */
export interface FaultSettings {
  /** Fail the next `fail` key requests with `status` (default 500). */
  readonly fail?: number;
  /** The status of the `fail` answers, 400 to 599. */
  readonly status?: number;
  /** Answer the next `rateLimit` key requests with 429 and `Retry-After: retryAfter` seconds (default 1). */
  readonly rateLimit?: number;
  /** The `Retry-After` of the `rateLimit` answers, in whole seconds. */
  readonly retryAfter?: number;
  /** Delay every key request by this many milliseconds. */
  readonly latencyMs?: number;
  /** Serve the next `drop` key or object requests in full, then close their connection unanswered. */
  readonly drop?: number;
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
  #latency: { ms: number; canonical: string | undefined } = { ms: 0, canonical: undefined };
  #drops = 0;
  /** Ends each delay under way, for reset(). */
  readonly #waiting = new Set<() => void>();

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

  /**
   * The next `count` key or object requests are served in full (the handler runs and commits; with an
   * `Idempotency-Key` its answer is stored), then their connection is closed without an answer: the
   * client sees a network error, as when a reply is lost after the work was done, and may retry.
   *
   * @example server.faults.dropNext(1); // the next createObject is committed, its reply lost
   */
  dropNext(count: number): this {
    checkCount(count);
    this.#drops = count;
    return this;
  }

  /**
   * Every key request waits `ms` milliseconds (up to 10 minutes: long enough to stand for a service
   * that never answers) before it is answered. With `context`, only the requests for that key
   * context wait; a decrypt request counts for the context its blob names, when it names one (the
   * local ring's blobs do), so one tenant can hang while the others are served.
   *
   * @example server.faults.setLatency(120_000, { context: { organizationId: "org_a" } });
   */
  setLatency(ms: number, options: { context?: KeyContext } = {}): this {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
      throw new RangeError(`latency must be 0-${MAX_LATENCY_MS} ms`);
    }
    const canonical =
      options.context === undefined ? undefined : canonicalize(validateContext(options.context));
    this.#latency = { ms, canonical };
    return this;
  }

  /** Clears every fault, and ends at once the delays under way: those requests are answered now. */
  reset(): this {
    this.#errors = { count: 0, status: 500 };
    this.#rateLimits = { count: 0, retryAfter: 1 };
    this.#latency = { ms: 0, canonical: undefined };
    this.#drops = 0;
    for (const end of [...this.#waiting]) end();
    return this;
  }

  /**
   * Waits out the latency planned for a key request with this JSON body. The timer does not keep
   * the process alive, so a server closed while requests wait leaves nothing behind.
   */
  delay(body: Readonly<Record<string, unknown>>): Promise<void> {
    const { ms, canonical } = this.#latency;
    if (ms === 0 || (canonical !== undefined && requestContext(body) !== canonical)) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#waiting.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      unref(timer);
      this.#waiting.add(end);
    });
  }

  /** Applies settings received over HTTP; throws RangeError on bad values. */
  apply(settings: FaultSettings): this {
    if (settings.reset === true) this.reset();
    if (settings.fail !== undefined) this.failNext(settings.fail, settings.status);
    if (settings.rateLimit !== undefined) this.rateLimitNext(settings.rateLimit, settings.retryAfter);
    if (settings.latencyMs !== undefined) this.setLatency(settings.latencyMs);
    if (settings.drop !== undefined) this.dropNext(settings.drop);
    return this;
  }

  /** The delay every key request waits now, in milliseconds (0: none); see {@link Faults.setLatency}. */
  get latencyMs(): number {
    return this.#latency.ms;
  }

  /**
   * How many key requests the latency is holding now: a test can wait for a request to be held, rather
   * than guess how long that takes, and see that reset() let them all go.
   *
   * @example server.faults.setLatency(600_000); // … send a request, wait until server.faults.held === 1
   */
  get held(): number {
    return this.#waiting.size;
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

  /**
   * Takes a planned drop: whether the answer of the key or object request just routed is to be lost.
   *
   * @example if (server.faults.takeDrop()) request.socket.destroy(); // after serving it
   */
  takeDrop(): boolean {
    if (this.#drops === 0) return false;
    this.#drops--;
    return true;
  }
}

const MAX_LATENCY_MS = 600_000;

/**
 * The canonical key context of a key request: its `context` (data-key, rekey), else the one its
 * blob names (decrypt); `undefined` when it names none.
 */
function requestContext(body: Readonly<Record<string, unknown>>): string | undefined {
  if (body["context"] !== undefined) {
    try {
      return canonicalize(validateContext(body["context"]));
    } catch {
      return undefined;
    }
  }
  const blob = body["keys"] ?? body["encrypted_keys"];
  if (!isBase64(blob)) return undefined;
  return localBlobContext(unwrapBlob(new Uint8Array(Buffer.from(blob, "base64"))));
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000)
    throw new RangeError("count must be 0-1000000");
}
