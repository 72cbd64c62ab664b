/** The IV pool: fresh random 96-bit IVs for sealing, drawn from the CSPRNG a block at a time. */
import { randomBytes } from "node:crypto";
import { IV_BYTES } from "../format/envelope-sizes.js";

/**
 * CSPRNG output is fetched a block at a time: one call costs about 6 µs however small, which was a
 * third of sealing a value. Every IV is a distinct slice of a fresh block, handed out once; a block is
 * never written again, so the slices stay valid.
 */
const IVS_PER_BLOCK = 256;
let ivBlock: Buffer = Buffer.alloc(0);
let ivOffset = 0;

/**
 * `count` fresh random 96-bit IVs, each handed out once (for a batch sealed by one backend call).
 *
 * @example const [iv] = freshIvs(1);
 */
export function freshIvs(count: number): Buffer[] {
  const ivs = new Array<Buffer>(count);
  for (let i = 0; i < count; i++) {
    if (ivOffset + IV_BYTES > ivBlock.length) {
      ivBlock = randomBytes(IV_BYTES * IVS_PER_BLOCK);
      ivOffset = 0;
    }
    ivs[i] = ivBlock.subarray(ivOffset, ivOffset + IV_BYTES);
    ivOffset += IV_BYTES;
  }
  return ivs;
}
