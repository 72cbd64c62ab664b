/**
 * WorkOSKeyProvider: data keys from WorkOS Vault's key API through the official `@workos-inc/node` SDK,
 * so its authentication, retries and timeouts apply. The SDK is passed in, never imported here, so
 * users of the local provider never load it.
 */
import type { KeyContext } from "../context/key-context.js";
import { hasPrefix, WORKOS_KEY_BLOB_MAGIC } from "../format/envelope.js";
import {
  VaultConfigError,
  VaultError,
  VaultKeyProviderError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
} from "../errors.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";

/** The part of a `WorkOS` instance (`@workos-inc/node` 7.5x to 11) that this provider uses. */
export interface WorkOSVaultClient {
  readonly vault: {
    createDataKey(options: { context: Record<string, string> }): Promise<{
      dataKey: { key: string; id: string };
      encryptedKeys: string;
    }>;
    decryptDataKey(options: { keys: string }): Promise<{ key: string; id: string }>;
    /** SDK 10+; older SDKs are served through `post`. */
    createRekey?: unknown;
  };
  post?: unknown;
}

export interface WorkOSKeyProviderOptions {
  /** `new WorkOS(apiKey)` from `@workos-inc/node`. */
  readonly workos: WorkOSVaultClient;
}

/**
 * A key provider backed by WorkOS Vault.
 *
 * @example
 * import { WorkOS } from "@workos-inc/node";
 * const keys = new WorkOSKeyProvider({ workos: new WorkOS(process.env.WORKOS_API_KEY) });
 */
export class WorkOSKeyProvider implements KeyProvider {
  readonly name = "workos";
  readonly #workos: WorkOSVaultClient;

  constructor(options: WorkOSKeyProviderOptions) {
    const workos = options?.workos;
    if (
      typeof workos?.vault?.createDataKey !== "function" ||
      typeof workos.vault.decryptDataKey !== "function"
    ) {
      throw new VaultConfigError("WorkOSKeyProvider needs `workos`: a WorkOS instance from @workos-inc/node");
    }
    this.#workos = workos;
  }

  async createDataKey(context: KeyContext): Promise<DataKey> {
    const pair = await this.#call("createDataKey", () =>
      this.#workos.vault.createDataKey({ context: { ...context } }),
    );
    return {
      key: fromBase64(pair.dataKey.key),
      id: pair.dataKey.id,
      encryptedKeys: fromBase64(pair.encryptedKeys),
    };
  }

  async decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey> {
    const keys = Buffer.from(encryptedKeys).toString("base64");
    const result = await this.#call("decryptDataKey", () => this.#workos.vault.decryptDataKey({ keys }));
    return { key: fromBase64(result.key), id: result.id };
  }

  async rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    const blob = Buffer.from(encryptedKeys).toString("base64");
    const response = await this.#call("rekey", () => this.#rekeyRequest(blob, context));
    return readRekeyResponse(response);
  }

  recognizes(encryptedKeys: Uint8Array): boolean {
    return hasPrefix(encryptedKeys, WORKOS_KEY_BLOB_MAGIC);
  }

  #rekeyRequest(encryptedKeys: string, context: KeyContext): Promise<unknown> {
    const { vault, post } = this.#workos as { vault: { createRekey?: unknown }; post?: unknown };
    if (typeof vault.createRekey === "function") {
      return (vault.createRekey as (o: object) => Promise<unknown>).call(vault, {
        context: { ...context },
        encryptedKeys,
      });
    }
    if (typeof post === "function") {
      // SDKs before createRekey still expose the authenticated POST helper.
      return (post as (path: string, body: object) => Promise<{ data: unknown }>)
        .call(this.#workos, "/vault/v1/keys/rekey", {
          context: { ...context },
          encrypted_keys: encryptedKeys,
        })
        .then((response) => response.data);
    }
    return Promise.reject(
      new VaultKeyProviderError("this WorkOS SDK cannot rekey; upgrade @workos-inc/node"),
    );
  }

  async #call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof VaultError) throw error;
      const status = (error as { status?: unknown })?.status;
      const suffix = typeof status === "number" ? ` (HTTP ${status})` : "";
      const message = `WorkOS Vault ${method} failed${suffix}`;
      if (method === "decryptDataKey") {
        // The service answered, and does not hold the key that wrapped this blob. The SDK throws
        // NotFoundException for a 404 and does not retry it.
        if (status === 404) {
          throw new VaultKeyUnavailableError(`${message}: the key that wrapped this blob is not available`, {
            cause: error,
          });
        }
        // The service answered, and said no to this blob: retrying will not help.
        if (REJECTED_STATUS.has(status as number)) throw new VaultKeyRejectedError(message, { cause: error });
      }
      throw new VaultKeyProviderError(message, { cause: error });
    }
  }
}

const REJECTED_STATUS = new Set([400, 422]);

function readRekeyResponse(response: unknown): DataKey {
  // createRekey() returns { dataKey: string, encryptedKeys, id }; the raw API { data_key, encrypted_keys, id }.
  const r = (response ?? {}) as Record<string, unknown>;
  const dataKey = r["dataKey"] as { key?: unknown; id?: unknown } | string | undefined;
  const key = typeof dataKey === "object" ? dataKey?.key : (dataKey ?? r["data_key"]);
  const id = typeof dataKey === "object" ? dataKey?.id : r["id"];
  const blob = r["encryptedKeys"] ?? r["encrypted_keys"];
  if (typeof key !== "string" || typeof blob !== "string" || typeof id !== "string") {
    throw new VaultKeyProviderError("WorkOS Vault rekey returned an unexpected response");
  }
  return { key: fromBase64(key), id, encryptedKeys: fromBase64(blob) };
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(String(text), "base64"));
}
