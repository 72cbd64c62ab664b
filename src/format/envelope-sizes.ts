/**
 * Pure: the byte sizes of the WorkOS Vault envelope's fixed parts (see envelope.ts) and of the data key
 * that seals it.
 */

/** The AES-GCM nonce of an envelope: 12 bytes. */
export const IV_BYTES = 12;
/** The AES-GCM authentication tag of an envelope: 16 bytes. */
export const TAG_BYTES = 16;
/** An AES-256 data key: 32 bytes. */
export const DATA_KEY_BYTES = 32;
/** `@workos-inc/node` before 7.5x wrote a 32-byte IV; those envelopes are still read. */
export const LEGACY_IV_BYTES = 32;
