/**
 * WorkOSKeyProvider: data keys from WorkOS Vault's key API through the official `@workos-inc/node` SDK,
 * so its authentication and transport apply. The SDK is passed in, never imported here, so users of the
 * local provider never load it.
 *
 * Nothing is retried twice. It sends the key API's requests through the SDK's authenticated `post` with
 * `maxRetries: 0`, which SDK 10 and later honour (they would otherwise retry 408, 429 and 5xx by
 * themselves, up to 3 times, waiting up to 60 s a `Retry-After`), and retries within its own bounds:
 * - SDK 10+: every failure that may pass (408, 429, 5xx, no answer), so each try is one request on the
 *   wire and one audit event, `retry: false` means one request, and no wait outlasts `maxWaitMs`;
 * - SDKs before 10 ignore the option and retry 408, 500, 502, 504 and network errors of `/vault/` paths
 *   themselves, unseen here: this provider retries only what they do not, 429 and 503.
 *
 * Nothing is made twice: every try of one call carries the same `Idempotency-Key` (the SDK's `post`
 * sends it; SDKs before 10 resend their own retries with it too), so a try whose reply was lost after
 * the key service answered is answered again rather than run again (one data key, not two).
 */
import { randomUUID } from "node:crypto";
import type { KeyContext } from "../context/key-context.js";
import { blobContext, type Attempt, type AttemptObserver } from "./audit.js";
import { hasPrefix } from "../format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../format/workos-blob.js";
import { VaultConfigError, type VaultError, VaultKeyProviderError } from "../errors.js";
import { LAST_FAILURE, type LastFailure } from "./last-failure.js";
import { type DataKey, type DecryptedDataKey, type KeyProvider } from "./provider.js";
import { failure, readBlob, readDataKey } from "./workos-responses.js";
import { retryOptions, retryWait, sleep, type WorkOSRetryOptions } from "./workos-retry.js";

/** The part of a `WorkOS` instance (`@workos-inc/node` 7.5x to 12) that this provider uses. */
export interface WorkOSVaultClient {
  /** The SDK's `workos.vault`: its two key methods, called when the client has no `post`. */
  readonly vault: {
    /** Asks WorkOS Vault for a data key bound to `context`. */
    createDataKey(options: { context: Record<string, string> }): Promise<{
      /** The new data key. */
      dataKey: {
        /** The data key as base64 (32 bytes). */
        key: string;
        /** The data key's id. */
        id: string;
      };
      /** The encrypted data key blob as base64, stored in each envelope. */
      encryptedKeys: string;
    }>;
    /** Asks WorkOS Vault to decrypt an encrypted data key blob (`keys`, base64). */
    decryptDataKey(options: { keys: string }): Promise<{
      /** The data key as base64 (32 bytes). */
      key: string;
      /** The data key's id. */
      id: string;
    }>;
    /** SDK 10+. */
    createRekey?: unknown;
  };
  /**
   * The SDK's authenticated request (every SDK major has it): the key API is called through it, with
   * `maxRetries: 0`. Without it (a stand-in client), the `vault` methods are called.
   */
  post?: unknown;
}

/**
 * The options of `new WorkOSKeyProvider()`. The constructor throws `VaultConfigError` when `workos` has no
 * `vault.createDataKey`/`vault.decryptDataKey`, or `retry` is out of range.
 */
export interface WorkOSKeyProviderOptions {
  /** `new WorkOS(apiKey)` from `@workos-inc/node`. */
  readonly workos: WorkOSVaultClient;
  /**
   * Retries of a call that may pass when tried again: a 429 after the `Retry-After` the service gave (1 s
   * when it gave none, at most 30 s a wait), a 408, 5xx or unanswered request after 0.5, 1, 2, 4 … s
   * (with SDKs before 10, which retry those themselves, only 429 and 503). `false`: one request, whatever
   * it answers. The guard's `timeoutMs` (default 10 s) bounds a whole call, waits included: raise it
   * above `maxWaitMs` to let the waits run. Default `{ attempts: 5, maxWaitMs: 8_000 }`.
   */
  readonly retry?: WorkOSRetryOptions | false;
}

/**
 * A key provider backed by WorkOS Vault.
 *
 * @example
 * import { WorkOS } from "@workos-inc/node";
 * const keys = new WorkOSKeyProvider({ workos: new WorkOS(process.env.WORKOS_API_KEY) });
 * // a migration over many tenants: wait out rate limits for up to a minute a call
 * const patient = guardProvider(new WorkOSKeyProvider({ workos, retry: { attempts: 10, maxWaitMs: 60_000 } }), {
 *   timeoutMs: 90_000,
 * });
 */
export class WorkOSKeyProvider implements KeyProvider {
  /** `"workos"`. */
  readonly name = "workos";
  readonly #workos: WorkOSVaultClient;
  #retry: Required<WorkOSRetryOptions>;
  /** Whether the SDK honours `maxRetries: 0` (10+), so that every transient failure is retried here. */
  readonly #retriesAll: boolean;
  /** Where each try is reported, in a copy made by {@link observed}. */
  #observer: AttemptObserver | undefined;
  #reportAs: string = this.name;
  /** The last try that failed, for a guard that gives up on a call while it is retried. */
  #lastFailure: LastFailure | undefined;

  constructor(options: WorkOSKeyProviderOptions) {
    const workos = options?.workos;
    if (
      typeof workos?.vault?.createDataKey !== "function" ||
      typeof workos.vault.decryptDataKey !== "function"
    ) {
      throw new VaultConfigError("WorkOSKeyProvider needs `workos`: a WorkOS instance from @workos-inc/node");
    }
    this.#workos = workos;
    this.#retry = retryOptions(options.retry);
    this.#retriesAll = typeof workos.post === "function" && sdkMajor(workos) >= 10;
  }

  /** A copy that reports each try (each HTTP request, 429s included) to `observer` as `name`. */
  observed(observer: AttemptObserver, name: string): WorkOSKeyProvider {
    const copy = new WorkOSKeyProvider({ workos: this.#workos, retry: false });
    copy.#retry = this.#retry;
    copy.#observer = observer;
    copy.#reportAs = name;
    return copy;
  }

  async createDataKey(context: KeyContext): Promise<DataKey> {
    const body = { context: { ...context } };
    const response = await this.#call(
      "createDataKey",
      this.#request("/vault/v1/keys/data-key", body, () => this.#workos.vault.createDataKey(body)),
      context,
    );
    return { ...readDataKey("createDataKey", response), encryptedKeys: readBlob("createDataKey", response) };
  }

  async decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey> {
    const keys = Buffer.from(encryptedKeys).toString("base64");
    const response = await this.#call(
      "decryptDataKey",
      this.#request("/vault/v1/keys/decrypt", { keys }, () => this.#workos.vault.decryptDataKey({ keys })),
      blobContext(encryptedKeys),
    );
    const { key, id } = readDataKey("decryptDataKey", response);
    return { key, id };
  }

  async rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    const body = { context: { ...context }, encrypted_keys: Buffer.from(encryptedKeys).toString("base64") };
    const response = await this.#call(
      "rekey",
      this.#request("/vault/v1/keys/rekey", body, () => this.#createRekey(body)),
      context,
    );
    return { ...readDataKey("rekey", response), encryptedKeys: readBlob("rekey", response) };
  }

  recognizes(encryptedKeys: Uint8Array): boolean {
    return hasPrefix(encryptedKeys, WORKOS_KEY_BLOB_MAGIC);
  }

  /**
   * One call of the key API, as a function for each try: `POST path` with the SDK's own retries off
   * (SDK 10+ honours `maxRetries` per request; see the file's comment) and one `Idempotency-Key` for
   * every try, or `fallback` (the `vault` method) on a client without `post`.
   */
  #request(path: string, body: object, fallback: () => Promise<unknown>): () => Promise<unknown> {
    const post = this.#workos.post;
    if (typeof post !== "function") return fallback;
    const options = { maxRetries: 0, idempotencyKey: `prisma-vault-${randomUUID()}` };
    return () =>
      (post as (path: string, body: object, options: object) => Promise<{ data: unknown }>)
        .call(this.#workos, path, body, options)
        .then((response) => response.data);
  }

  #createRekey(body: { context: Record<string, string>; encrypted_keys: string }): Promise<unknown> {
    const { vault } = this.#workos;
    if (typeof vault.createRekey !== "function") {
      return Promise.reject(
        new VaultKeyProviderError("this WorkOS SDK cannot rekey; upgrade @workos-inc/node"),
      );
    }
    return (vault.createRekey as (o: object) => Promise<unknown>).call(vault, {
      context: body.context,
      encryptedKeys: body.encrypted_keys,
    });
  }

  /**
   * What the last failed try said, when no try has succeeded since (never a key or a token): for the
   * guard, which names it when it gives up on a call. Internal: a symbol of the guard's.
   *
   * @internal
   */
  [LAST_FAILURE](): LastFailure | undefined {
    return this.#lastFailure;
  }

  async #call<T>(method: Attempt["type"], run: () => Promise<T>, context?: KeyContext): Promise<T> {
    try {
      return await this.#retrying(this.#reported(method, this.#remembered(method, run), context));
    } catch (error) {
      throw this.#failure(method, error);
    }
  }

  /** `run`, each failed try remembered as {@link LAST_FAILURE} (and forgotten on a success). */
  #remembered<T>(method: Attempt["type"], run: () => Promise<T>): () => Promise<T> {
    return async () => {
      try {
        const result = await run();
        this.#lastFailure = undefined;
        return result;
      } catch (error) {
        this.#lastFailure = { message: this.#failure(method, error).message, at: Date.now() };
        throw error;
      }
    };
  }

  #failure(method: Attempt["type"], error: unknown): VaultError {
    return failure(method, error, (this.#workos as { baseURL?: unknown }).baseURL);
  }

  /** `run`, each try reported to the observer (when there is one) with its outcome and HTTP status. */
  #reported<T>(
    method: Attempt["type"],
    run: () => Promise<T>,
    context: KeyContext | undefined,
  ): () => Promise<T> {
    const observer = this.#observer;
    if (observer === undefined) return run;
    const provider = this.#reportAs;
    const where = context === undefined ? {} : { context };
    return async () => {
      try {
        const result = await run();
        observer.attempt({ type: method, provider, ...where, outcome: "ok" });
        return result;
      } catch (error) {
        const status = (error as { status?: unknown } | null)?.status;
        const outcome = this.#failure(method, error).code;
        observer.attempt({
          type: method,
          provider,
          ...where,
          outcome,
          ...(typeof status === "number" && { status }),
        });
        throw error;
      }
    };
  }

  /** `run`, tried again after each 429 while tries and waiting time are left. */
  async #retrying<T>(run: () => Promise<T>): Promise<T> {
    const { attempts, maxWaitMs } = this.#retry;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const wait = retryWait(error, attempt, this.#retriesAll);
        // Precondition: a call makes at most `attempts` tries and waits at most `maxWaitMs` in all.
        if (wait === undefined || attempt >= attempts || waited + wait > maxWaitMs) throw error;
        waited += wait;
        await sleep(wait);
      }
    }
  }
}

/** The major version of the SDK `workos` comes from (`workos.version`, "12.3.0"), or 0 when unknown. */
function sdkMajor(workos: WorkOSVaultClient): number {
  const version = (workos as { version?: unknown }).version;
  const major = typeof version === "string" ? Number.parseInt(version, 10) : Number.NaN;
  return Number.isFinite(major) ? major : 0;
}
