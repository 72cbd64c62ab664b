/** The values of a decoded envelope batch laid out for one backend call, as {@link OpenBatch}. */
import { SPAN_WORDS, type OpenBatch } from "../crypto/aead.js";
import { LAYOUT_WORDS, type EnvelopeBatch } from "../format/envelope-batch.js";
import type { CipherItem } from "./cipher-item.js";
import { aadOf } from "./aad-of.js";

/**
 * The values `indexes` of a decoded batch as one {@link OpenBatch}: their parts where they lie, and
 * each distinct associated data encoded once.
 */
export function openBatchOf(
  batch: EnvelopeBatch,
  indexes: readonly number[],
  items: readonly CipherItem[],
): OpenBatch {
  const spans = new Uint32Array(indexes.length * SPAN_WORDS);
  // Each distinct associated data string, and where its bytes lie in `aads`.
  const placed = new Map<string, number>();
  const texts: string[] = [];
  const ends: number[] = [];
  let aadSize = 0;
  const { layout } = batch;
  for (const [k, i] of indexes.entries()) {
    const text = aadOf((items[i] as CipherItem).ref);
    let n = placed.get(text);
    if (n === undefined) {
      placed.set(text, (n = texts.length));
      texts.push(text);
      ends.push((aadSize += Buffer.byteLength(text, "utf8")));
    }
    const s = k * SPAN_WORDS;
    const l = i * LAYOUT_WORDS;
    spans[s] = layout[l] as number;
    spans[s + 1] = layout[l + 1] as number;
    spans[s + 2] = layout[l + 3] as number;
    spans[s + 3] = layout[l + 4] as number;
    spans[s + 4] = n === 0 ? 0 : (ends[n - 1] as number);
    spans[s + 5] = ends[n] as number;
  }
  const aads = Buffer.allocUnsafe(aadSize);
  let at = 0;
  for (const text of texts) at += aads.write(text, at, "utf8");
  return { bytes: batch.bytes, aads, spans };
}
