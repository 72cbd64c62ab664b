/**
 * Idempotency keys: a retried mutating request (a client that lost the answer sends it again with the
 * same `Idempotency-Key`, as WorkOS's SDK 10+ does on every POST) gets the first request's answer
 * instead of running twice, so a lost reply never makes a second data key or a second object.
 *
 * - A key is scoped by a SHA-256 digest of the bearer token (never the token) and bound to the request
 *   it first came with: a fingerprint, SHA-256 over method, request target (path and query) and the
 *   raw body bytes. The same key with another fingerprint is refused (422), not replayed.
 * - Only final answers are stored: status below 500. A 5xx, or a request whose handler throws, leaves
 *   the key free, so the retry runs again. What is stored lives `ttlMs` (default 1 hour) and at most
 *   `max` keys (default 10,000) are kept, least recently used dropped first; in memory only, so a
 *   restarted server has forgotten every key.
 * - A request that comes while the first with its key is still running waits for it, then gets its
 *   answer (or, when that was not stored, runs itself).
 * - Stored answers may hold data keys: their bytes are zeroed when they leave the store.
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Reply } from "./http.js";
import { unref } from "../unref.js";

/** How a request with an idempotency key was answered: by running it, from the store, or refused. */
export interface Served {
  readonly outcome: "ran" | "replayed" | "refused";
  readonly reply: Reply;
}

export interface IdempotencyStoreOptions {
  /** The most keys remembered. */
  readonly max: number;
  /** How long an answer is remembered, from when it was stored. */
  readonly ttlMs: number;
  /** Time source for ages, for tests. Default `performance`. */
  readonly clock?: { now(): number };
}

/**
 * The answers of the key server's requests that carried an idempotency key.
 *
 * @example
 * const store = new IdempotencyStore({ max: 10_000, ttlMs: 3_600_000 });
 * const { reply } = await store.serve(scopedKey(token, key), fingerprint(method, target, body), run);
 */
export class IdempotencyStore {
  readonly #done: LRUCache<string, Stored>;
  /** Requests running now, by scoped key; as many as requests in flight, so not bounded here. */
  readonly #running = new Map<string, Running>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: IdempotencyStoreOptions) {
    this.#done = new LRUCache<string, Stored>({
      max: options.max,
      ttl: options.ttlMs,
      // lru-cache reuses "now" for ttlResolution ms of real time; an injected clock must be read each time.
      ttlResolution: options.clock === undefined ? 1 : 0,
      perf: options.clock ?? performance,
      dispose: (stored) => stored.body?.fill(0),
    });
    // Expired answers are dropped (and zeroed) even when no one asks for their key again.
    this.#sweeper = setInterval(() => this.#done.purgeStale(), Math.min(options.ttlMs, 60_000));
    unref(this.#sweeper);
  }

  /**
   * Answers a request with key `key` (from {@link scopedKey}) and fingerprint `print`: the stored
   * answer when there is one for this request, a 422 when the key was used for another request, else
   * `execute`'s answer, stored when final. `execute`'s error passes through, nothing stored.
   *
   * @example await store.serve(key, print, () => route.handle(body, provider)) // { outcome: "ran", reply }
   */
  async serve(key: string, print: string, execute: () => Promise<Reply>): Promise<Served> {
    // A loop: a request that waited for one whose answer was not stored goes round again, and the
    // first of those to find the key free runs.
    for (;;) {
      const stored = this.#done.get(key);
      if (stored !== undefined)
        return stored.print === print ? { outcome: "replayed", reply: replyOf(stored) } : REUSED;
      const running = this.#running.get(key);
      if (running === undefined) return this.#run(key, print, execute);
      if (running.print !== print) return REUSED;
      await running.settled;
    }
  }

  /** How many answers are remembered. */
  get size(): number {
    return this.#done.size;
  }

  /** The stored body bytes for `key`, without touching its age: for tests that check the zeroing. */
  storedBody(key: string): Uint8Array | undefined {
    return this.#done.peek(key)?.body;
  }

  /** Forgets (and zeroes) every answer and stops the sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#done.clear();
  }

  async #run(key: string, print: string, execute: () => Promise<Reply>): Promise<Served> {
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.#running.set(key, { print, settled });
    try {
      const reply = await execute();
      // Precondition: only a final answer is stored; after a 5xx the retry must run again.
      if (reply.status < 500) this.#done.set(key, storedOf(print, reply));
      return { outcome: "ran", reply };
    } finally {
      this.#running.delete(key);
      settle();
    }
  }
}

/**
 * The `Idempotency-Key` header's key: `undefined` without the header, or the 400 refusing it when it is
 * empty or longer than 255 characters.
 *
 * @example readIdempotencyKey(request.headers["idempotency-key"]) // { ok: true, key: "retry-…" }
 */
export function readIdempotencyKey(
  header: string | undefined,
): { ok: true; key: string | undefined } | { ok: false; reply: Reply } {
  if (header === undefined) return { ok: true, key: undefined };
  if (header.length === 0 || header.length > MAX_KEY_LENGTH) return { ok: false, reply: INVALID_KEY };
  return { ok: true, key: header };
}

/**
 * A key as the store holds it: scoped by a digest of the bearer token, so two tokens never share a
 * key, and the store never holds a token.
 *
 * @example scopedKey("sk_test", "retry-1") // "<64 hex digits>:retry-1"
 */
export function scopedKey(token: string, key: string): string {
  return `${createHash("sha256").update(token, "utf8").digest("hex")}:${key}`;
}

/**
 * What makes two requests the same request: SHA-256 over the method, the request target (path and
 * query: a DELETE's `version_check` travels in the query) and the raw body bytes.
 *
 * @example fingerprint("POST", "/vault/v1/kv", bodyBytes)
 */
export function fingerprint(method: string, target: string, body: Uint8Array): string {
  // NUL cannot occur in a method or a request target, so the parts cannot run into each other.
  return createHash("sha256").update(`${method}\0${target}\0`, "utf8").update(body).digest("hex");
}

/**
 * The methods whose requests are remembered by their idempotency key; a GET's key is not read.
 *
 * @example REMEMBERED_METHODS.has(request.method ?? "GET") // POST, PUT, DELETE
 */
export const REMEMBERED_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "DELETE"]);

const MAX_KEY_LENGTH = 255;

interface Stored {
  readonly print: string;
  readonly status: number;
  readonly headers: Reply["headers"];
  /** The JSON body's UTF-8 bytes, zeroed on dispose; `undefined` for an answer without a body (204). */
  readonly body: Buffer | undefined;
}

interface Running {
  readonly print: string;
  readonly settled: Promise<void>;
}

function storedOf(print: string, reply: Reply): Stored {
  const text = reply.json === undefined ? undefined : JSON.stringify(reply.json);
  return {
    print,
    status: reply.status,
    headers: reply.headers,
    body: text === undefined ? undefined : Buffer.from(text, "utf8"),
  };
}

function replyOf(stored: Stored): Reply {
  return {
    status: stored.status,
    json: stored.body === undefined ? undefined : JSON.parse(stored.body.toString("utf8")),
    ...(stored.headers !== undefined && { headers: stored.headers }),
  };
}

// The message never echoes the body: it may hold a secret value.
const REUSED: Served = {
  outcome: "refused",
  reply: {
    status: 422,
    json: {
      message: "This Idempotency-Key was already used for a different request",
      code: "idempotency_key_reused",
    },
  },
};

const INVALID_KEY: Reply = {
  status: 400,
  json: { message: "Idempotency-Key must be 1-255 characters", code: "invalid_idempotency_key" },
};
