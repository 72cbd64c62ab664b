/**
 * WorkOS Vault's key API, one small handler per route: a request's JSON body and the key provider
 * in, a {@link Reply} out. Field names, statuses and error codes are WorkOS's, so the real SDK reads
 * the answers; key blobs go out in WorkOS's format around the provider's (blobs.ts).
 *
 *   POST /vault/v1/keys/data-key  { context }                  -> { context, data_key, encrypted_keys, id }
 *   POST /vault/v1/keys/decrypt   { keys }                     -> { data_key, id }
 *   POST /vault/v1/keys/rekey     { context, encrypted_keys }  -> { context, data_key, encrypted_keys, id }
 */
import { validateContext, type KeyContext } from "../context/key-context.js";
import { isBase64 } from "../format/is-base64.js";
import { isKeyRejected, isVaultError, type VaultKeyUnavailableError } from "../errors.js";
import type { DataKey, KeyProvider } from "../keys/provider.js";
import { unwrapBlob, wrapBlob } from "./blobs.js";
import { keyProviderFailed, unprocessable, type Reply } from "./http.js";

/** A key route: the {@link KeyServerStats} counter it counts under, and its handler. */
export interface KeyRoute {
  readonly counter: "dataKey" | "decrypt" | "rekey";
  /** Never throws: a provider's failure is an answer too (404, 400, 503 or 500). */
  handle(body: Readonly<Record<string, unknown>>, provider: KeyProvider): Promise<Reply>;
}

/**
 * The key routes by path, all `POST`.
 *
 * @example
 * const route = KEY_ROUTES.get("/vault/v1/keys/decrypt");
 * const reply = await route?.handle({ keys: blobBase64 }, provider); // { status: 200, json: { data_key, id } }
 */
export const KEY_ROUTES: ReadonlyMap<string, KeyRoute> = new Map<string, KeyRoute>([
  ["/vault/v1/keys/data-key", { counter: "dataKey", handle: dataKey }],
  ["/vault/v1/keys/decrypt", { counter: "decrypt", handle: decrypt }],
  ["/vault/v1/keys/rekey", { counter: "rekey", handle: rekey }],
]);

async function dataKey(body: Readonly<Record<string, unknown>>, provider: KeyProvider): Promise<Reply> {
  const context = readContext(body["context"]);
  if (context === null) return invalidContext();
  return fromProvider(async () => dataKeyReply(await provider.createDataKey(context), context));
}

async function decrypt(body: Readonly<Record<string, unknown>>, provider: KeyProvider): Promise<Reply> {
  const blob = readBlob(body["keys"]);
  if (blob === null) return invalidBlob("keys");
  return fromProvider(async () => {
    const key = await provider.decryptDataKey(blob);
    return { status: 200, json: { data_key: base64(key.key), id: key.id } };
  });
}

async function rekey(body: Readonly<Record<string, unknown>>, provider: KeyProvider): Promise<Reply> {
  // The context is checked first: when both fields are bad, the 422 names the context.
  const context = readContext(body["context"]);
  const blob = readBlob(body["encrypted_keys"]);
  if (context === null) return invalidContext();
  if (blob === null) return invalidBlob("encrypted_keys");
  if (provider.rekey === undefined) {
    return { status: 400, json: { message: "This key provider cannot rekey", code: "unsupported" } };
  }
  // Checked just above; the narrowing does not reach into the closure.
  return fromProvider(async () => dataKeyReply(await provider.rekey!(blob, context), context));
}

/** `call`'s reply, or the answer for the provider's failure. */
async function fromProvider(call: () => Promise<Reply>): Promise<Reply> {
  try {
    return await call();
  } catch (error) {
    return providerFailure(error);
  }
}

function providerFailure(error: unknown): Reply {
  // By code, not class: a provider may carry its own copy of the error classes.
  if (isVaultError(error, "VAULT_KEY_UNAVAILABLE")) {
    const keyId = (error as VaultKeyUnavailableError).keyId;
    const key = keyId === undefined ? "The key" : `Key "${keyId}"`;
    return {
      status: 404,
      json: { message: `${key} that wrapped the encrypted keys is not available`, code: "key_unavailable" },
    };
  }
  if (isKeyRejected(error)) {
    return {
      status: 400,
      json: { message: "The encrypted keys could not be decrypted", code: "invalid_keys" },
    };
  }
  return keyProviderFailed(error);
}

/**
 * `null` when invalid. A `__proto__` key is invalid (validateContext), not dropped: dropped, two
 * tenants' contexts could come out as one and get one key.
 */
function readContext(value: unknown): KeyContext | null {
  try {
    return validateContext(value);
  } catch {
    return null;
  }
}

/** The provider's blob inside a request's base64 `value`; `null` when invalid. */
function readBlob(value: unknown): Uint8Array | null {
  if (!isBase64(value)) return null;
  return unwrapBlob(new Uint8Array(Buffer.from(value, "base64")));
}

function invalidContext(): Reply {
  return unprocessable("context", "a context is 1-10 pairs of non-empty strings");
}

function invalidBlob(field: string): Reply {
  return unprocessable(field, "a non-empty base64 string is required");
}

function dataKeyReply(key: DataKey, context: KeyContext): Reply {
  const blob = wrapBlob(key.encryptedKeys);
  return {
    status: 200,
    json: { context, data_key: base64(key.key), encrypted_keys: base64(blob), id: key.id },
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}
