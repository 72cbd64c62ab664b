/**
 * Pure: WorkOS Vault's key blob (`encrypted_keys`), opaque but for its magic prefix, by which it is
 * recognised in an envelope.
 */

/** WorkOS's encrypted-keys blobs begin with these bytes. */
export const WORKOS_KEY_BLOB_MAGIC = new TextEncoder().encode("WOS.EKM.v1\0");
