/**
 * Pure: many stored envelopes decoded at once into one buffer, with where each one's parts lie (offsets,
 * no object or view per value). The read path's form of {@link decodeEnvelope}, which is this for one
 * value: the same checks, the same layouts, the same errors.
 */
import { notAnEnvelope } from "../error-messages.js";
import { VaultEnvelopeInvalidError } from "../errors.js";
import { hasPrefix } from "./has-prefix.js";
import { IV_BYTES, LEGACY_IV_BYTES, TAG_BYTES } from "./envelope-sizes.js";
import { WORKOS_KEY_BLOB_MAGIC } from "./workos-blob.js";
import { decodeLeb128 } from "./leb128.js";
import { LOCAL_KEY_BLOB_MAGIC } from "./local-blob.js";

/** Offsets per value in {@link EnvelopeBatch.layout}: start, IV end, key blob start and end, end. */
export const LAYOUT_WORDS = 5;

/** The layout's offsets are 32-bit: a batch's decoded bytes stay below 4 GiB. */
const MAX_BATCH_BYTES = 0xffff_ffff;

/**
 * Decoded envelopes laid end to end in `bytes`: value `i` spans `layout[5i]` to `layout[5i + 4]`, its IV
 * ends at `layout[5i + 1]` (its 16-byte tag follows), its key blob lies from `layout[5i + 2]` to
 * `layout[5i + 3]` and its ciphertext from there to the end. `invalid[i]` is set, and the offsets are
 * not, where value `i` is no envelope.
 */
export interface EnvelopeBatch {
  readonly bytes: Buffer;
  readonly layout: Uint32Array;
  readonly invalid: readonly (VaultEnvelopeInvalidError | undefined)[];
}

/**
 * Decodes `count` stored texts, `textOf(i)` the i-th, into one {@link EnvelopeBatch}. Anything that
 * is not an envelope (see {@link decodeEnvelope}) is a `VAULT_ENVELOPE_INVALID` error in `invalid`.
 *
 * @example const { bytes, layout, invalid } = decodeEnvelopes(rows.length, (i) => rows[i].ssn);
 */
export function decodeEnvelopes(count: number, textOf: (i: number) => unknown): EnvelopeBatch {
  let capacity = 0;
  for (let i = 0; i < count; i++) {
    const text = textOf(i);
    if (typeof text === "string") capacity += (text.length >>> 2) * 3;
  }
  // Precondition: every offset fits the layout's 32 bits (a result of more than 4 GiB of envelopes).
  if (capacity > MAX_BATCH_BYTES) throw new RangeError("a batch of envelopes holds at most 4 GiB");
  const bytes = Buffer.allocUnsafe(capacity);
  const layout = new Uint32Array(count * LAYOUT_WORDS);
  const invalid = new Array<VaultEnvelopeInvalidError | undefined>(count);
  let at = 0;
  for (let i = 0, o = 0; i < count; i++, o += LAYOUT_WORDS) {
    const written = base64Into(textOf(i), bytes, at);
    const reason = written < 0 ? "it is not base64" : layoutEnvelope(bytes, at, at + written, layout, o);
    if (reason === undefined) at += written;
    else invalid[i] = new VaultEnvelopeInvalidError(notAnEnvelope(reason));
  }
  return { bytes, layout, invalid };
}

const PAD = 0x3d; // "="

/**
 * Writes the bytes of `text` into `bytes` at `at` when it is padded base64 in the standard alphabet
 * (length a multiple of 4) and gives how many, else -1. Decodes first and checks after, without a
 * regular expression: Node's decoder skips characters outside both base64 alphabets and stops at
 * padding, so any such character, or padding anywhere but the end, leaves fewer bytes than the length
 * promises; the URL-safe alphabet's two characters are the only others it reads, and are looked for.
 */
function base64Into(text: unknown, bytes: Buffer, at: number): number {
  if (typeof text !== "string" || text.length === 0 || text.length % 4 !== 0) return -1;
  const end = text.length;
  const padding = text.charCodeAt(end - 1) !== PAD ? 0 : text.charCodeAt(end - 2) !== PAD ? 1 : 2;
  // Precondition: at most two padding characters, and at least one character before them.
  if (padding === 2 && (end === 2 || text.charCodeAt(end - 3) === PAD)) return -1;
  if (text.includes("-") || text.includes("_")) return -1;
  const expected = (end / 4) * 3 - padding;
  const written = bytes.write(text, at, expected, "base64");
  return written === expected ? written : -1;
}

/**
 * Sets value `o`'s offsets for the envelope in `bytes[start, end)`, or gives why it is none. The
 * layouts are told apart by where a key blob parses, before any part is cut out: the current one
 * (12-byte IV) when its blob has a known format (WorkOS's, the local ring's), else the legacy one
 * (32-byte IV, old SDKs) when a WorkOS blob lies there, else the current one when it parses at all.
 */
function layoutEnvelope(
  bytes: Buffer,
  start: number,
  end: number,
  layout: Uint32Array,
  o: number,
): string | undefined {
  layout[o] = start;
  layout[o + 4] = end;
  if (!blobAt(bytes, start + IV_BYTES + TAG_BYTES, end, layout, o)) {
    if (legacyAt(bytes, start, end, layout, o)) return undefined;
    return "its header or key blob is malformed";
  }
  const blobStart = layout[o + 2] as number;
  const blobEnd = layout[o + 3] as number;
  // A blob of a known format is taken as it is; only another one may be a legacy envelope's IV.
  const known =
    isWorkOS(bytes, blobStart, blobEnd) || hasPrefix(bytes, LOCAL_KEY_BLOB_MAGIC, blobStart, blobEnd);
  if (!known && legacyAt(bytes, start, end, layout, o)) return undefined;
  layout[o + 1] = start + IV_BYTES;
  layout[o + 2] = blobStart;
  layout[o + 3] = blobEnd;
  return undefined;
}

/** True, with value `o`'s offsets set, when `bytes[start, end)` is a legacy envelope with a WorkOS blob. */
function legacyAt(bytes: Buffer, start: number, end: number, layout: Uint32Array, o: number): boolean {
  const at = start + LEGACY_IV_BYTES + TAG_BYTES;
  if (
    !blobAt(bytes, at, end, layout, o) ||
    !isWorkOS(bytes, layout[o + 2] as number, layout[o + 3] as number)
  )
    return false;
  layout[o + 1] = start + LEGACY_IV_BYTES;
  return true;
}

/**
 * True, with the key blob's start and end set, when a non-empty key blob behind a LEB128 length at
 * `at` ends by `end` (the length is read within this value, not into the next one's bytes).
 */
function blobAt(bytes: Buffer, at: number, end: number, layout: Uint32Array, o: number): boolean {
  const length = decodeLeb128(bytes, at, end);
  if (length === undefined || length.value === 0 || length.next + length.value > end) return false;
  layout[o + 2] = length.next;
  layout[o + 3] = length.next + length.value;
  return true;
}

function isWorkOS(bytes: Buffer, start: number, end: number): boolean {
  return hasPrefix(bytes, WORKOS_KEY_BLOB_MAGIC, start, end);
}

/**
 * True when values `a` and `b` of `batch` carry the same key blob (compared in place).
 *
 * @example if (sameBlob(batch, first, i)) group.push(i)
 */
export function sameBlob({ bytes, layout }: EnvelopeBatch, a: number, b: number): boolean {
  const aStart = layout[a * LAYOUT_WORDS + 2] as number;
  const aEnd = layout[a * LAYOUT_WORDS + 3] as number;
  const bStart = layout[b * LAYOUT_WORDS + 2] as number;
  const bEnd = layout[b * LAYOUT_WORDS + 3] as number;
  return aEnd - aStart === bEnd - bStart && bytes.compare(bytes, bStart, bEnd, aStart, aEnd) === 0;
}

/** The key blob of value `i` of `batch`, as a view. */
export function blobOf({ bytes, layout }: EnvelopeBatch, i: number): Buffer {
  return bytes.subarray(layout[i * LAYOUT_WORDS + 2], layout[i * LAYOUT_WORDS + 3]);
}
