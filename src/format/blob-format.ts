/**
 * Which stored values are envelopes, and whether the configured key provider opens them (DESIGN §6).
 *
 * A value is an envelope when it parses and its key blob has a known format: a local key ring's
 * (`PVK1`), WorkOS Vault's (`WOS.EKM.v1\0`), or one the configured provider's `recognizes` accepts.
 * Anything else is not an envelope (plaintext, under `plaintext: "read"`) and never reaches a provider,
 * however envelope-like its bytes: random base64 such as an API token parses often enough.
 *
 * Ownership is a second question: a blob of a known format that the provider does not recognize was
 * wrapped by a key that is not configured here. It is `VAULT_KEY_UNAVAILABLE`, never plaintext.
 */
import { decodeEnvelope, type Envelope } from "./envelope.js";
import { hasPrefix } from "./has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "./workos-blob.js";
import { notAnEnvelope } from "../error-messages.js";
import { VaultEnvelopeInvalidError, VaultKeyUnavailableError } from "../errors.js";
import {
  LOCAL_KEY_BLOB_MAGIC,
  localBlobContext,
  localBlobContextBytes,
  localMasterKeyId,
} from "./local-blob.js";

/**
 * What the ownership check asks of a key provider: its name (for the message) and whether it
 * recognizes a blob. A `KeyProvider` is one; the codec names no provider type (format sits below keys).
 */
export interface BlobOwner {
  /** The provider's name, for the message when it does not open a blob. */
  readonly name: string;
  /** True when the provider owns the blob (see `KeyProvider.recognizes`). */
  recognizes?(encryptedKeys: Uint8Array): boolean;
}

/** The key-blob formats known whatever the provider: a value whose blob has one is an envelope. */
export const KNOWN_BLOB_FORMATS = [
  { name: "a local key ring's (PVK1)", magic: LOCAL_KEY_BLOB_MAGIC },
  { name: "WorkOS Vault's (WOS.EKM.v1)", magic: WORKOS_KEY_BLOB_MAGIC },
] as const;

/**
 * Decodes stored text into the envelope that `provider` opens, before any key is asked for.
 * Fails with `VAULT_ENVELOPE_INVALID` when the text is not an envelope (it does not parse, or its key
 * blob has no known format) and with {@link VaultKeyUnavailableError} when its blob has a known format
 * that `provider` does not recognize. A provider without `recognizes` is given every value that parses.
 *
 * @example const parts = decodeOwnedEnvelope(stored, cache.provider); // then cache.withDecryptionKey(parts.encryptedKeys, …)
 */
export function decodeOwnedEnvelope(text: string, provider: BlobOwner): Envelope {
  const envelope = decodeEnvelope(text);
  checkOwner(envelope.encryptedKeys, provider);
  return envelope;
}

/**
 * A key blob as a string key: its bytes as latin1, one character per byte, so distinct blobs are
 * distinct keys. Blobs are stored beside every value and not secret; a digest would cost a hash
 * object per lookup. Used wherever values are grouped or cached by blob.
 *
 * @example groups.get(blobId(envelope.encryptedKeys))
 */
export function blobId(blob: Uint8Array): string {
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("latin1");
}

/**
 * Precondition: `provider` opens `blob` (see {@link decodeOwnedEnvelope}); a batch checks this once
 * per distinct blob.
 */
export function checkOwner(blob: Uint8Array, provider: BlobOwner): void {
  if (provider.recognizes === undefined || provider.recognizes(blob)) return;
  const format = KNOWN_BLOB_FORMATS.find(({ magic }) => hasPrefix(blob, magic));
  if (format === undefined) {
    throw new VaultEnvelopeInvalidError(notAnEnvelope("its key blob has no known format"));
  }
  const keyId = format.magic === LOCAL_KEY_BLOB_MAGIC ? localMasterKeyId(blob) : undefined;
  const key = keyId === undefined ? "the key that wrapped it" : `master key "${keyId}"`;
  throw new VaultKeyUnavailableError(
    `${key} is not configured: the value's key blob is ${format.name}, which key provider "${provider.name}" does not open`,
    keyId === undefined ? {} : { keyId },
  );
}

/**
 * The canonical context (UTF-8) a blob names. The local ring's `PVK1` blobs do (bare, or inside the
 * WorkOS-format blobs prisma-vault's key server issues), so a value copied from another tenant is
 * refused even in a field without associated data (`aad: "none"`), where the AES-GCM tag alone would
 * not tell. Opaque blobs (WorkOS Vault's own) name none: there, only associated data isolates tenants.
 *
 * Returns `undefined` when its format names none (opaque blobs),
 * `null` when it should and cannot be read (a malformed `PVK1` blob, which no row's context matches).
 */
export function namedContext(blob: Uint8Array): Uint8Array | null | undefined {
  const inner = localBlobOf(blob);
  return inner === undefined ? undefined : (localBlobContextBytes(inner) ?? null);
}

/**
 * {@link namedContext} as the canonical context string; `undefined` for a blob that names none or
 * cannot be read.
 *
 * @example namedContextText(localRingBlob) // '{"organizationId":"org_1"}'
 */
export function namedContextText(blob: Uint8Array): string | undefined {
  const inner = localBlobOf(blob);
  return inner === undefined ? undefined : localBlobContext(inner);
}

/** Whether a value whose blob names `named` ({@link namedContext}) may open in a row of context `canonical`. */
export function blobAdmits(named: Uint8Array | null | undefined, canonical: string): boolean {
  if (named === undefined) return true;
  // Compared as bytes, as the blob holds them: two strings that encode alike are the same context.
  return named !== null && Buffer.from(canonical, "utf8").equals(named);
}

/**
 * The local ring's `PVK1` blob in `blob`: the blob itself, or the one inside the WorkOS-format
 * prefix prisma-vault's key server wraps around it; `undefined` for any other format.
 */
export function localBlobOf(blob: Uint8Array): Uint8Array | undefined {
  const inner = hasPrefix(blob, WORKOS_KEY_BLOB_MAGIC) ? blob.subarray(WORKOS_KEY_BLOB_MAGIC.length) : blob;
  return hasPrefix(inner, LOCAL_KEY_BLOB_MAGIC) ? inner : undefined;
}
