/**
 * The local ring's key-encryption key per context: HKDF-SHA256(master, salt "prisma-vault/PVK1",
 * info "kek|" + SHA-256(canonical context)). The info is a digest because HKDF info is capped at 1024
 * bytes and a context's length is not.
 */
import { createHash, hkdfSync } from "node:crypto";
import { DATA_KEY_BYTES } from "../format/envelope-sizes.js";

const HKDF_SALT = Buffer.from("prisma-vault/PVK1", "utf8");

/**
 * The key-encryption key of `master` for a context; the caller zeroes it once the cipher has it.
 *
 * @example const kek = keyEncryptionKey(master, canonicalContext(context));
 */
export function keyEncryptionKey(master: Uint8Array, canonical: string): Buffer {
  const digest = createHash("sha256").update(canonical, "utf8").digest("hex");
  return Buffer.from(hkdfSync("sha256", master, HKDF_SALT, `kek|${digest}`, DATA_KEY_BYTES));
}
