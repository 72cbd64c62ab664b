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
 * Every route, `/_stats` included, is behind the bearer token (http.ts). Connections are bounded in time
 * (headers, whole request, keep-alive idle; options.ts), so a client that stops half-way cannot hold a
 * socket open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Faults, type Fault } from "./faults.js";
import { applyFaultBody } from "./fault-body.js";
import { authorized, readJson, send, type Reply } from "./http.js";
import { httpServerOptions, readOptions, type KeyServerOptions, type KeyServerSettings } from "./options.js";
import { KEY_ROUTES, type KeyRoute } from "./routes.js";
import { isObjectPath, serveObjects } from "./object-routes.js";

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
 */
export async function startKeyServer(options: KeyServerOptions = {}): Promise<KeyServer> {
  const settings = readOptions(options);
  const http = createServer(httpServerOptions(settings.timeouts));
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
 * Request counters. A request refused for its token counts as `unauthorized` (and under `statuses`),
 * never under a route; an authorized `POST` to a key route counts under that route whatever its answer.
 */
export interface KeyServerStats {
  /** Every request received, refused ones included. */
  readonly requests: number;
  readonly dataKey: number;
  readonly decrypt: number;
  readonly rekey: number;
  /** Authorized requests to the object API (`/vault/v1/kv…`), whatever their answer. */
  readonly objects: number;
  /** Requests answered 401. */
  readonly unauthorized: number;
  /** Key requests answered with an injected fault. */
  readonly faults: number;
  /** The most key requests that were being answered at one moment. */
  readonly peakConcurrency: number;
  /** Answers by HTTP status, e.g. `{ "200": 12, "500": 3 }`. */
  readonly statuses: Readonly<Record<string, number>>;
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
    if (path === "/_stats" && request.method === "GET")
      return send(response, { status: 200, json: this.stats() });
    if (isObjectPath(path)) {
      this.#counters.objects++;
      const objectRequest = {
        method: request.method ?? "GET",
        path,
        query: url.searchParams,
        body: () => readJson(request),
      };
      return send(response, await serveObjects(objectRequest, this.#settings.objects));
    }
    const route = request.method === "POST" ? KEY_ROUTES.get(path) : undefined;
    const faultRoute = request.method === "POST" && path === "/_faults" && this.#settings.httpFaults;
    if (route === undefined && !faultRoute) return send(response, NOT_FOUND);
    if (route !== undefined) this.#counters[route.counter]++;
    const body = await readJson(request);
    if (!body.ok) return send(response, body.reply);
    if (route === undefined) return send(response, applyFaultBody(this.faults, body.value));

    this.#inFlight++;
    this.#counters.peakConcurrency = Math.max(this.#counters.peakConcurrency, this.#inFlight);
    try {
      send(response, await this.#serveKey(route, body.value));
    } finally {
      this.#inFlight--;
    }
  }

  /** The fault plan first (its latency, then an injected answer if one is due), then the route. */
  async #serveKey(route: KeyRoute, body: Record<string, unknown>): Promise<Reply> {
    await this.faults.delay(body);
    const fault = this.faults.take();
    if (fault !== undefined) {
      this.#counters.faults++;
      return injected(fault);
    }
    return route.handle(body, this.#settings.provider);
  }
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

function emptyCounters() {
  return {
    requests: 0,
    dataKey: 0,
    decrypt: 0,
    rekey: 0,
    objects: 0,
    unauthorized: 0,
    faults: 0,
    peakConcurrency: 0,
    statuses: {} as Record<string, number>,
  };
}

function snapshot(counters: ReturnType<typeof emptyCounters>): KeyServerStats {
  return { ...counters, statuses: { ...counters.statuses } };
}
