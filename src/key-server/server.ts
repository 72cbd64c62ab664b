/**
 * A local HTTP server speaking WorkOS Vault's key API, backed by a key provider (a LocalKeyProvider by
 * default), so the real `@workos-inc/node` SDK runs end to end without a WorkOS account. A development
 * and test tool, not a KMS: it binds to 127.0.0.1 unless told otherwise.
 *
 *   POST /vault/v1/keys/data-key, /decrypt, /rekey                 -> WorkOS's key API (routes.ts)
 *   GET, POST, PUT, DELETE /vault/v1/kv…                           -> WorkOS's object API (object-routes.ts),
 *                                                                     with the `objects` option
 *   GET  /_stats                                                   -> request counters
 *   POST /_faults                 FaultSettings                    -> the fault plan (only with `faults: true`)
 *
 * A `POST`, `PUT` or `DELETE` to a key or object route that carries an `Idempotency-Key` is answered
 * once: a retry with the same key and request gets the stored answer instead of running again
 * (idempotency.ts; in memory, so forgotten on restart). `/_faults`, `/_stats` and 401s never are.
 *
 * Every route, `/_stats` included, is behind the bearer token (http.ts). Connections are bounded in time
 * (headers, whole request, keep-alive idle; options.ts), so a client that stops half-way cannot hold a
 * socket open.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Faults, type Fault } from "./faults.js";
import { applyFaultBody } from "./fault-body.js";
import { authorized, bearerToken, parseJson, readBytes, readJson, send, type Reply } from "./http.js";
import {
  fingerprint,
  IdempotencyStore,
  readIdempotencyKey,
  REMEMBERED_METHODS,
  scopedKey,
} from "./idempotency.js";
import { httpServerOptions, readOptions, type KeyServerOptions, type KeyServerSettings } from "./options.js";
import { KEY_ROUTES, type KeyRoute } from "./routes.js";
import { isObjectPath, serveObjects, type ObjectRequest } from "./object-routes.js";
import { emptyCounters, snapshot, type KeyServerStats } from "./key-server-stats.js";

// Re-exported where they always were, for the modules that import them from here.
export { KEY_SERVER_TOKEN_ENV, type KeyServerOptions } from "./options.js";

/**
 * Starts a key server. Options are checked first (`VaultConfigError` names the one at fault); the
 * promise resolves once the server listens.
 *
 * @example
 * const server = await startKeyServer({ provider: new LocalKeyProvider({ keys }) });
 * const workos = new WorkOS("sk_test", { apiHostname: "127.0.0.1", port: server.port, https: false });
 *
 * @example
 * // Tests that drive faults over HTTP opt in; server.faults needs no option.
 * const server = await startKeyServer({ provider, token: "sk_test", faults: true });
 * await fetch(`${server.url}/_faults`, { method: "POST", headers, body: '{"fail":1}' });
 *
 * @example
 * // Retries with one Idempotency-Key are answered from memory for 10 minutes, 1,000 keys at most.
 * const server = await startKeyServer({ provider, idempotencyTtlMs: 600_000, idempotencyKeys: 1_000 });
 */
export async function startKeyServer(options: KeyServerOptions = {}): Promise<KeyServer> {
  const settings = readOptions(options);
  // Looked up here, not imported: the root entry exports startKeyServer and must load without node:http.
  const http = process.getBuiltinModule("node:http").createServer(httpServerOptions(settings.timeouts));
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(settings.port, settings.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  // No request is lost before the handler is attached: Node emits "listening" on a process tick, and
  // this continuation runs before the event loop can accept a connection.
  return new ListeningKeyServer(http, settings);
}

/**
 * A listening key server, from {@link startKeyServer}.
 *
 * @example
 * const server = await startKeyServer({ token: "sk_test" });
 * server.faults.failNext(2, 503);
 * // … run the client under test …
 * expect(server.stats().faults).toBe(2);
 * await server.close();
 */
export interface KeyServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The port it listens on: the one asked for, or the free one picked for `port: 0`. */
  readonly port: number;
  /**
   * The fault plan. Always settable here, in process, whose callers are trusted; over HTTP
   * (`POST /_faults`) only when the server was started with `faults: true`.
   */
  readonly faults: Faults;
  /** A copy of the counters. */
  stats(): KeyServerStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Stops listening and closes every connection, idle or not. */
  close(): Promise<void>;
}

/**
 * The one implementation of {@link KeyServer}, its state `#private`. Not exported: the public type
 * stays the interface, structural as before (a test double still fits it), and the package's
 * declarations name no class that its JavaScript does not export.
 */
class ListeningKeyServer implements KeyServer {
  readonly url: string;
  readonly port: number;
  readonly faults = new Faults();
  readonly #http: Server;
  readonly #settings: KeyServerSettings;
  readonly #idempotency: IdempotencyStore;
  #counters = emptyCounters();
  /** Key requests being answered now, for `peakConcurrency`. */
  #inFlight = 0;

  /** Serves on `http`, which must be listening already: use {@link startKeyServer}. */
  constructor(http: Server, settings: KeyServerSettings) {
    const { port, address } = http.address() as AddressInfo;
    const host = address.includes(":") ? `[${address}]` : address;
    this.url = `http://${host}:${port}`;
    this.port = port;
    this.#http = http;
    this.#settings = settings;
    this.#idempotency = new IdempotencyStore(settings.idempotency);
    http.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.#handle(request, response).catch(() =>
        send(response, { status: 500, json: { message: "Internal server error" } }),
      );
    });
  }

  // stats, resetStats and close are own bound functions, as when they were closures: callers pass
  // them on (`afterAll(server.close)`).
  readonly stats = (): KeyServerStats => snapshot(this.#counters);

  readonly resetStats = (): void => {
    this.#counters = emptyCounters();
  };

  readonly close = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.#idempotency.close();
      this.#http.close((error) => (error ? reject(error) : resolve()));
      this.#http.closeAllConnections();
    });

  // Counters are always reached through this.#counters, never kept in a local: a resetStats() during
  // a request sends the rest of its counts to the new counters.
  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#counters.requests++;
    response.on("finish", () => {
      const status = String(response.statusCode);
      this.#counters.statuses[status] = (this.#counters.statuses[status] ?? 0) + 1;
    });
    // Precondition: a request refused for its token counts as unauthorized, never under a route.
    if (!authorized(request.headers.authorization, this.#settings.token)) {
      this.#counters.unauthorized++;
      return send(response, UNAUTHORIZED);
    }
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = request.method ?? "GET";
    if (path === "/_stats" && method === "GET") return send(response, { status: 200, json: this.stats() });
    if (path === "/_faults" && method === "POST" && this.#settings.httpFaults) {
      const body = await readJson(request);
      return send(response, body.ok ? applyFaultBody(this.faults, body.value) : body.reply);
    }
    const route = method === "POST" ? KEY_ROUTES.get(path) : undefined;
    const objects = isObjectPath(path);
    if (route === undefined && !objects) return send(response, NOT_FOUND);
    if (route !== undefined) this.#counters[route.counter]++;
    else this.#counters.objects++;
    // Only mutating requests are remembered; a GET's key is not read.
    const key = REMEMBERED_METHODS.has(method)
      ? readIdempotencyKey(headerText(request.headers["idempotency-key"]))
      : ({ ok: true, key: undefined } as const);
    if (!key.ok) return send(response, key.reply);
    // Taken as the request is routed, so "the next n requests" are the next n to arrive.
    const drop = this.faults.takeDrop();
    const reply =
      route !== undefined
        ? await this.#serveKey(request, route, key.key)
        : await this.#serveObject(request, url, key.key);
    if (drop) {
      // Served and, with a key, stored: only the answer is lost, as when a connection breaks after commit.
      this.#counters.dropped++;
      request.socket.destroy();
      return;
    }
    send(response, reply);
  }

  /**
   * A key request: its body, the fault plan (its latency, then an injected answer if one is due:
   * never remembered, so the retry of a request that met one runs), then the route.
   */
  async #serveKey(request: IncomingMessage, route: KeyRoute, key: string | undefined): Promise<Reply> {
    const bytes = await readBytes(request);
    if (!bytes.ok) return bytes.reply;
    const body = parseJson(bytes.value);
    if (!body.ok) return body.reply;
    this.#inFlight++;
    this.#counters.peakConcurrency = Math.max(this.#counters.peakConcurrency, this.#inFlight);
    try {
      await this.faults.delay(body.value);
      const fault = this.faults.take();
      if (fault !== undefined) {
        this.#counters.faults++;
        return injected(fault);
      }
      return await this.#remembered(request, key, bytes.value, () =>
        route.handle(body.value, this.#settings.provider),
      );
    } finally {
      this.#inFlight--;
    }
  }

  /** An object request. Its body is read only by the routes that take one, unless a key needs its bytes. */
  async #serveObject(request: IncomingMessage, url: URL, key: string | undefined): Promise<Reply> {
    const objectRequest = (body: ObjectRequest["body"]): ObjectRequest => ({
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      body,
    });
    if (key === undefined)
      return serveObjects(
        objectRequest(() => readJson(request)),
        this.#settings.objects,
      );
    const bytes = await readBytes(request);
    if (!bytes.ok) return bytes.reply;
    const body = objectRequest(() => Promise.resolve(parseJson(bytes.value)));
    return this.#remembered(request, key, bytes.value, () => serveObjects(body, this.#settings.objects));
  }

  /** `run`'s answer, or with an idempotency key the one stored for it (idempotency.ts). */
  async #remembered(
    request: IncomingMessage,
    key: string | undefined,
    body: Uint8Array,
    run: () => Promise<Reply>,
  ): Promise<Reply> {
    if (key === undefined) return run();
    // The request passed authorized(), so it presents a token.
    const token = bearerToken(request.headers.authorization) ?? "";
    const print = fingerprint(request.method ?? "", request.url ?? "/", body);
    const served = await this.#idempotency.serve(scopedKey(token, key), print, run);
    if (served.outcome === "replayed") this.#counters.replayed++;
    return served.reply;
  }
}

/** A header's text; Node joins a repeated custom header's values with ", ". */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

// Closed after the answer: a refused client holds no connection, nor sends the rest of its body.
const UNAUTHORIZED: Reply = {
  status: 401,
  json: { message: "Unauthorized", code: "unauthorized" },
  headers: { "WWW-Authenticate": 'Bearer realm="prisma-vault"', Connection: "close" },
};
const NOT_FOUND: Reply = { status: 404, json: { message: "Not found", code: "not_found" } };

/** An injected fault's answer, as WorkOS's API would give it. */
function injected(fault: Fault): Reply {
  if (fault.kind === "rate-limit") {
    return {
      status: 429,
      json: { message: "Too many requests", code: "rate_limit_exceeded" },
      headers: { "Retry-After": String(fault.retryAfter) },
    };
  }
  return { status: fault.status, json: { message: "Injected fault", code: "injected_fault" } };
}
