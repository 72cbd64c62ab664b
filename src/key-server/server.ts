/**
 * A local HTTP server speaking WorkOS Vault's key API, backed by a key provider (a LocalKeyProvider by
 * default), so the real `@workos-inc/node` SDK runs end to end without a WorkOS account. A development
 * and test tool, not a KMS: it binds to 127.0.0.1 unless told otherwise.
 *
 * Its key blobs are WorkOS's format around the provider's (see blobs.ts).
 *
 *   POST /vault/v1/keys/data-key  { context }                  -> { context, data_key, encrypted_keys, id }
 *   POST /vault/v1/keys/decrypt   { keys }                     -> { data_key, id }
 *   POST /vault/v1/keys/rekey     { context, encrypted_keys }  -> { context, data_key, encrypted_keys, id }
 *   GET  /_stats                                               -> request counters
 *   POST /_faults                 FaultSettings                -> the fault plan (only with `faults: true`)
 *
 * Every route, `/_stats` included, is behind the bearer token. Connections are bounded in time (headers,
 * whole request, keep-alive idle), so a client that stops half-way cannot hold a socket open.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Faults, type Fault } from "./faults.js";
import { applyFaultBody } from "./fault-body.js";
import { authorized, readJson, send, type Reply } from "./http.js";
import { httpServerOptions, readOptions, type KeyServerOptions } from "./options.js";
import { KEY_ROUTES, type KeyRoute } from "./routes.js";

export { KEY_SERVER_TOKEN_ENV, type KeyServerOptions } from "./options.js";

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
  /** Requests answered 401. */
  readonly unauthorized: number;
  /** Key requests answered with an injected fault. */
  readonly faults: number;
  /** The most key requests that were being answered at one moment. */
  readonly peakConcurrency: number;
  /** Answers by HTTP status, e.g. `{ "200": 12, "500": 3 }`. */
  readonly statuses: Readonly<Record<string, number>>;
}

export interface KeyServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /**
   * The fault plan. Always settable here, in process, whose callers are trusted; over HTTP
   * (`POST /_faults`) only when the server was started with `faults: true`.
   */
  readonly faults: Faults;
  stats(): KeyServerStats;
  /** Zeroes the counters. */
  resetStats(): void;
  close(): Promise<void>;
}

/**
 * Starts a key server.
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
  const { provider, token, httpFaults } = settings;
  const faults = new Faults();
  let counters = emptyCounters();
  let inFlight = 0;

  const server = createServer(httpServerOptions(settings.timeouts), (request, response) => {
    handle(request, response).catch(() =>
      send(response, { status: 500, json: { message: "Internal server error" } }),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    counters.requests++;
    response.on("finish", () => {
      const status = String(response.statusCode);
      counters.statuses[status] = (counters.statuses[status] ?? 0) + 1;
    });
    // Precondition: a request refused for its token counts as unauthorized, never under a route.
    if (!authorized(request.headers.authorization, token)) {
      counters.unauthorized++;
      return send(response, UNAUTHORIZED);
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/_stats" && request.method === "GET")
      return send(response, { status: 200, json: snapshot(counters) });
    const route = request.method === "POST" ? KEY_ROUTES.get(path) : undefined;
    const faultRoute = request.method === "POST" && path === "/_faults" && httpFaults;
    if (route === undefined && !faultRoute) return send(response, NOT_FOUND);
    if (route !== undefined) counters[route.counter]++;
    const body = await readJson(request);
    if (!body.ok) return send(response, body.reply);
    if (route === undefined) return send(response, applyFaultBody(faults, body.value));

    inFlight++;
    counters.peakConcurrency = Math.max(counters.peakConcurrency, inFlight);
    try {
      send(response, await serveKeyRequest(route, body.value));
    } finally {
      inFlight--;
    }
  }

  async function serveKeyRequest(route: KeyRoute, body: Record<string, unknown>): Promise<Reply> {
    await faults.delay(body);
    const fault = faults.take();
    if (fault !== undefined) {
      counters.faults++;
      return injected(fault);
    }
    return route.handle(body, provider);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    faults,
    stats: () => snapshot(counters),
    resetStats: () => {
      counters = emptyCounters();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// Closed after the answer: a refused client holds no connection, nor sends the rest of its body.
const UNAUTHORIZED: Reply = {
  status: 401,
  json: { message: "Unauthorized", code: "unauthorized" },
  headers: { "WWW-Authenticate": 'Bearer realm="prisma-vault"', Connection: "close" },
};
const NOT_FOUND: Reply = { status: 404, json: { message: "Not found", code: "not_found" } };

function emptyCounters() {
  return {
    requests: 0,
    dataKey: 0,
    decrypt: 0,
    rekey: 0,
    unauthorized: 0,
    faults: 0,
    peakConcurrency: 0,
    statuses: {} as Record<string, number>,
  };
}

function snapshot(counters: ReturnType<typeof emptyCounters>): KeyServerStats {
  return { ...counters, statuses: { ...counters.statuses } };
}

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
