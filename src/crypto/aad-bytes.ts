/** Associated data as the bytes AES-GCM takes. */

/**
 * Associated data as bytes: a string is its UTF-8; bytes (computed once for a batch) as they are.
 *
 * @example aadBytes("prisma-vault:v1|User.ssn|{…}")
 */
export function aadBytes(aad: string | Uint8Array): Uint8Array {
  return typeof aad === "string" ? Buffer.from(aad, "utf8") : aad;
}
