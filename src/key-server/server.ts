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
import { validateContext, type KeyContext } from "../context.js";
import { isBase64 } from "../envelope.js";
import { isVaultError, VaultKeyRejectedError, type VaultKeyUnavailableError } from "../errors.js";
import type { DataKey } from "../keys/provider.js";
import { unwrapBlob, wrapBlob } from "./blobs.js";
import { Faults } from "./faults.js";
import { applyFaultBody } from "./fault-body.js";
import { authorized, readJson, send, unprocessable, type Reply } from "./http.js";
import { httpServerOptions, readOptions, type KeyServerOptions } from "./options.js";

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
    const route = request.method === "POST" ? ROUTES[path] : undefined;
    const faultRoute = request.method === "POST" && path === "/_faults" && httpFaults;
    if (route === undefined && !faultRoute) return send(response, NOT_FOUND);
    if (route !== undefined) counters[route]++;
    const body = await readJson(request);
    if (!body.ok) return send(response, body.reply);
    if (route === undefined) return send(response, applyFaultBody(faults, body.value));

    inFlight++;
    counters.peakConcurrency = Math.max(counters.peakConcurrency, inFlight);
    try {
      await serveKeyRequest(response, route, body.value);
    } finally {
      inFlight--;
    }
  }

  async function serveKeyRequest(
    response: ServerResponse,
    route: Route,
    body: Record<string, unknown>,
  ): Promise<void> {
    await faults.delay(body);
    const fault = faults.take();
    if (fault !== undefined) {
      counters.faults++;
      if (fault.kind === "rate-limit") {
        return send(response, {
          status: 429,
          json: { message: "Too many requests", code: "rate_limit_exceeded" },
          headers: { "Retry-After": String(fault.retryAfter) },
        });
      }
      return send(response, {
        status: fault.status,
        json: { message: "Injected fault", code: "injected_fault" },
      });
    }
    return answer(response, route, body);
  }

  async function answer(
    response: ServerResponse,
    route: Route,
    body: Record<string, unknown>,
  ): Promise<void> {
    const context = route === "decrypt" ? undefined : readContext(body["context"]);
    const blobField = route === "decrypt" ? "keys" : "encrypted_keys";
    const received = route === "dataKey" ? undefined : readBlob(body[blobField]);
    const blob = received === undefined || received === null ? received : unwrapBlob(received);
    if (context === null)
      return send(response, unprocessable("context", "a context is 1-10 pairs of non-empty strings"));
    if (blob === null)
      return send(response, unprocessable(blobField, "a non-empty base64 string is required"));
    if (route === "rekey" && provider.rekey === undefined) {
      return send(response, {
        status: 400,
        json: { message: "This key provider cannot rekey", code: "unsupported" },
      });
    }
    try {
      if (route === "dataKey")
        return send(response, {
          status: 200,
          json: dataKeyBody(await provider.createDataKey(context!), context!),
        });
      if (route === "rekey")
        return send(response, {
          status: 200,
          json: dataKeyBody(await provider.rekey!(blob!, context!), context!),
        });
      const key = await provider.decryptDataKey(blob!);
      return send(response, { status: 200, json: { data_key: base64(key.key), id: key.id } });
    } catch (error) {
      // By code, not class: a provider may carry its own copy of the error classes.
      if (isVaultError(error, "VAULT_KEY_UNAVAILABLE")) {
        const keyId = (error as VaultKeyUnavailableError).keyId;
        const key = keyId === undefined ? "The key" : `Key "${keyId}"`;
        return send(response, {
          status: 404,
          json: {
            message: `${key} that wrapped the encrypted keys is not available`,
            code: "key_unavailable",
          },
        });
      }
      if (error instanceof VaultKeyRejectedError) {
        return send(response, {
          status: 400,
          json: { message: "The encrypted keys could not be decrypted", code: "invalid_keys" },
        });
      }
      return send(response, {
        status: 500,
        json: { message: "Key provider failed", code: "provider_error" },
      });
    }
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

type Route = "dataKey" | "decrypt" | "rekey";
const ROUTES: Partial<Record<string, Route>> = {
  "/vault/v1/keys/data-key": "dataKey",
  "/vault/v1/keys/decrypt": "decrypt",
  "/vault/v1/keys/rekey": "rekey",
};

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

/** `null` when invalid. */
function readContext(value: unknown): KeyContext | null {
  try {
    return validateContext(value);
  } catch {
    return null;
  }
}

/** `null` when invalid. */
function readBlob(value: unknown): Uint8Array | null {
  if (!isBase64(value)) return null;
  return new Uint8Array(Buffer.from(value, "base64"));
}

function dataKeyBody(key: DataKey, context: KeyContext) {
  const blob = wrapBlob(key.encryptedKeys);
  return { context, data_key: base64(key.key), encrypted_keys: base64(blob), id: key.id };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}
