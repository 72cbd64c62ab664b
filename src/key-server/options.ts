/**
 * The key server's options, and their check: every option is resolved and validated before the
 * server binds, so a misconfiguration fails `startKeyServer` and never a request.
 */
import type { ServerOptions } from "node:http";
import { VaultConfigError } from "../errors.js";
import { LocalKeyProvider } from "../keys/local.js";
import { guardProvider } from "../keys/guard-provider.js";
import { type KeyProvider } from "../keys/provider.js";
import type { VaultObjects } from "../objects/vault-objects.js";

/**
 * The options of {@link startKeyServer}, all optional. Each is checked before the server binds: a bad
 * one rejects `startKeyServer` with a `VaultConfigError` naming it.
 */
export interface KeyServerOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Address to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Where keys come from. Default `LocalKeyProvider.fromEnv()` (PRISMA_VAULT_KEYS). */
  readonly provider?: KeyProvider;
  /**
   * Serve WorkOS's object API (`/vault/v1/kv…`) from these objects: `prisma.$vault.objects` of a client
   * made with `vault({ objects: true })`. Without it those routes answer 404 naming this option.
   */
  readonly objects?: VaultObjects;
  /** Required bearer token. Default PRISMA_VAULT_KEY_SERVER_TOKEN; unset, any `sk_…` token passes. */
  readonly token?: string;
  /**
   * Accept `POST /_faults` from HTTP clients. Default false, and the route answers 404: anyone holding
   * an accepted token (any `sk_…` one when no token is set) could otherwise fail or slow every request.
   * {@link KeyServer.faults} works either way, since in-process callers are trusted.
   */
  readonly faults?: boolean;
  /** How long a client may take to send a request's headers. Default 10 000 ms; then 408 and close. */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, body included. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open after an answer. Default 5 000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * How long the answer to a `POST`, `PUT` or `DELETE` that carried an `Idempotency-Key` is remembered,
   * so that a retry with that key gets it instead of running again (idempotency.ts). 1 to 86,400,000;
   * default 3,600,000 (1 hour). Kept in memory only: a restarted server has forgotten every key.
   */
  readonly idempotencyTtlMs?: number;
  /**
   * The most idempotency keys remembered at once, the least recently used dropped first.
   * 1 to 1,000,000; default 10,000.
   */
  readonly idempotencyKeys?: number;
}

/** The environment variable holding the key server's bearer token when `token` is not given. */
export const KEY_SERVER_TOKEN_ENV = "PRISMA_VAULT_KEY_SERVER_TOKEN";

/** {@link KeyServerOptions} resolved: defaults filled in, the provider guarded. */
export interface KeyServerSettings {
  readonly port: number;
  readonly host: string;
  readonly provider: KeyProvider;
  readonly objects: VaultObjects | undefined;
  /** `undefined` or empty: any `sk_…` token passes. */
  readonly token: string | undefined;
  /** Whether `POST /_faults` is served. */
  readonly httpFaults: boolean;
  readonly timeouts: Timeouts;
  /** The bounds of the idempotency store: `idempotencyTtlMs` and `idempotencyKeys`. */
  readonly idempotency: { readonly ttlMs: number; readonly max: number };
}

export interface Timeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

/**
 * Resolves and checks the options; throws `VaultConfigError` naming the option at fault.
 *
 * @example readOptions({ token: "sk_test" }).timeouts.headersTimeoutMs // 10_000
 */
export function readOptions(options: KeyServerOptions): KeyServerSettings {
  // Timeouts first: a bad timeout is reported even when PRISMA_VAULT_KEYS is missing too.
  const timeouts = readTimeouts(options);
  const idempotency = {
    ttlMs: readBound(options, "idempotencyTtlMs"),
    max: readBound(options, "idempotencyKeys"),
  };
  return {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    provider: guardProvider(options.provider ?? LocalKeyProvider.fromEnv()),
    objects: readObjects(options.objects),
    token: options.token ?? process.env[KEY_SERVER_TOKEN_ENV],
    httpFaults: options.faults === true,
    timeouts,
    idempotency,
  };
}

/**
 * The `node:http` server options that bound a connection in time.
 *
 * @example createServer(httpServerOptions(readOptions(options).timeouts))
 */
export function httpServerOptions(timeouts: Timeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node enforces the first two only when it sweeps its connections; sweep often enough to keep them.
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(timeouts.headersTimeoutMs / 4))),
  };
}

const MAX_TIMEOUT_MS = 3_600_000;

const OBJECT_METHODS = ["createObject", "readObject", "readObjectByName", "updateObject", "listObjects"];

function readObjects(objects: unknown): VaultObjects | undefined {
  if (objects === undefined) return undefined;
  const given = objects as Record<string, unknown> | null;
  if (
    typeof given !== "object" ||
    given === null ||
    OBJECT_METHODS.some((m) => typeof given[m] !== "function")
  )
    throw new VaultConfigError(
      "key server: objects must be prisma.$vault.objects of a client made with vault({ objects: true })",
    );
  return objects as VaultObjects;
}

/**
 * The idempotency options' default, largest value and unit; the CLI checks its flags against them.
 *
 * @example IDEMPOTENCY_BOUNDS.idempotencyKeys.max // 1_000_000
 */
export const IDEMPOTENCY_BOUNDS = {
  idempotencyTtlMs: { fallback: 3_600_000, max: 86_400_000, unit: "milliseconds" },
  idempotencyKeys: { fallback: 10_000, max: 1_000_000, unit: "keys" },
} as const;

/** `options[name]`, or its default when not given: a whole number 1..max, else VaultConfigError. */
function readBound(options: KeyServerOptions, name: keyof typeof IDEMPOTENCY_BOUNDS): number {
  const { fallback, max, unit } = IDEMPOTENCY_BOUNDS[name];
  const value = options[name] ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new VaultConfigError(`key server: ${name} must be a whole number of ${unit}, 1-${max}`);
  return value;
}

function readTimeouts(options: KeyServerOptions): Timeouts {
  const timeouts = {
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
  };
  for (const [name, ms] of Object.entries(timeouts)) {
    if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS)
      throw new VaultConfigError(
        `key server: ${name} must be a whole number of milliseconds, 1-${MAX_TIMEOUT_MS}`,
      );
  }
  // Node refuses this combination too, with a less helpful message.
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs)
    throw new VaultConfigError("key server: headersTimeoutMs must not exceed requestTimeoutMs");
  return timeouts;
}
