/** The key server's request counters: their public shape (`KeyServerStats`), their start and their copy. */

/**
 * Request counters. A request refused for its token counts as `unauthorized` (and under `statuses`),
 * never under a route; an authorized `POST` to a key route counts under that route whatever its answer.
 */
export interface KeyServerStats {
  /** Every request received, refused ones included. */
  readonly requests: number;
  /** Authorized `POST /vault/v1/keys/data-key` requests, whatever their answer. */
  readonly dataKey: number;
  /** Authorized `POST /vault/v1/keys/decrypt` requests, whatever their answer. */
  readonly decrypt: number;
  /** Authorized `POST /vault/v1/keys/rekey` requests, whatever their answer. */
  readonly rekey: number;
  /** Authorized requests to the object API (`/vault/v1/kv…`), whatever their answer. */
  readonly objects: number;
  /** Requests answered 401. */
  readonly unauthorized: number;
  /** Key requests answered with an injected fault. */
  readonly faults: number;
  /**
   * Requests answered from the idempotency store: a `POST`, `PUT` or `DELETE` whose `Idempotency-Key`
   * came before with the same request (and was answered below 500), so it did not run again. Such a
   * request still counts under its route (or `objects`) and under `statuses`.
   */
  readonly replayed: number;
  /**
   * Key and object requests served in full whose answer was then lost on purpose (`faults.dropNext`):
   * the connection was closed unanswered, so they count under their route but under no status.
   */
  readonly dropped: number;
  /** The most key requests that were being answered at one moment. */
  readonly peakConcurrency: number;
  /** Answers by HTTP status, e.g. `{ "200": 12, "500": 3 }`. */
  readonly statuses: Readonly<Record<string, number>>;
}

/**
 * Counters at zero, as a server starts and as `resetStats()` leaves them; mutable, unlike their snapshot.
 *
 * @example let counters = emptyCounters(); counters.requests++;
 */
export function emptyCounters() {
  return {
    requests: 0,
    dataKey: 0,
    decrypt: 0,
    rekey: 0,
    objects: 0,
    unauthorized: 0,
    faults: 0,
    replayed: 0,
    dropped: 0,
    peakConcurrency: 0,
    statuses: {} as Record<string, number>,
  };
}

/**
 * A copy of `counters` that later counts do not change, as `stats()` returns it.
 *
 * @example const stats = snapshot(counters);
 */
export function snapshot(counters: ReturnType<typeof emptyCounters>): KeyServerStats {
  return { ...counters, statuses: { ...counters.statuses } };
}
