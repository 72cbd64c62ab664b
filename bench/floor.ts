/**
 * The raw AEAD floor: sealing and opening the bench's values under one data key with `node:crypto`
 * directly (a `createCipheriv`/`createDecipheriv` per value, as any JavaScript AES-GCM must), with no
 * envelope, no key lookup and no Prisma. Per-value overheads in the bench are compared with it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { median } from "./measure.js";

export interface Floor {
  /** µs per value. */
  readonly seal: number;
  readonly open: number;
}

/** The median µs per value of sealing and opening `texts` under one key, over `rounds` rounds. */
export function aeadFloor(texts: readonly string[], rounds: number): Floor {
  const key = randomBytes(32);
  const aad = Buffer.from("Account|email|organizationId=org_1");
  const seal = (): { iv: Buffer; ciphertext: Buffer; tag: Buffer }[] =>
    texts.map((text) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return { iv, ciphertext, tag: cipher.getAuthTag() };
    });
  const sealed = seal();
  const open = () =>
    sealed.map(({ iv, ciphertext, tag }) => {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    });
  const time = (run: () => unknown) => {
    const times: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const started = performance.now();
      run();
      if (round > 0) times.push(((performance.now() - started) * 1000) / texts.length);
    }
    return median(times);
  };
  return { seal: time(seal), open: time(open) };
}
