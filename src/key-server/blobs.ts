/**
 * The key server's blob format: WorkOS's (`WOS.EKM.v1\0`) around its provider's blob. The server stands
 * in for WorkOS Vault, so what it issues must be what `WorkOSKeyProvider` recognizes as WorkOS's;
 * a bare local-ring blob (`PVK1`) would rightly be refused as another provider's.
 */
import { hasPrefix } from "../format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../format/workos-blob.js";

/**
 * The blob the server hands out for its provider's `blob`. Always wrapped, even when the provider's
 * blob is WorkOS's already, so that {@link unwrapBlob} strips exactly one layer.
 *
 * @example wrapBlob(dataKey.encryptedKeys) // WOS.EKM.v1\0 PVK1…
 */
export function wrapBlob(blob: Uint8Array): Uint8Array {
  const wrapped = new Uint8Array(WORKOS_KEY_BLOB_MAGIC.length + blob.length);
  wrapped.set(WORKOS_KEY_BLOB_MAGIC);
  wrapped.set(blob, WORKOS_KEY_BLOB_MAGIC.length);
  return wrapped;
}

/**
 * The provider's blob inside one the server handed out. A blob without the prefix is passed on as it
 * is: servers before the wrapping handed out the provider's blob bare, and envelopes hold them.
 *
 * @example provider.decryptDataKey(unwrapBlob(received))
 */
export function unwrapBlob(blob: Uint8Array): Uint8Array {
  return hasPrefix(blob, WORKOS_KEY_BLOB_MAGIC) ? blob.subarray(WORKOS_KEY_BLOB_MAGIC.length) : blob;
}
