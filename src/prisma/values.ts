/**
 * The crypto passes of the extension: seal the values a write plan lists, open the values a result
 * holds. No database access here; the extension shell decides contexts and runs the queries.
 */
import { isOpened, type Opened } from "../core/opened.js";
import { type CipherItem } from "../core/cipher-item.js";
import type { VaultCore } from "../core/vault-core.js";
import { type KeyContext } from "../context/key-context.js";
import { checkedToFit } from "../core/checked-to-fit.js";
import { recover, refusal, type DecryptErrorPolicy } from "../core/decrypt-policy.js";
import { type VaultErrorCode } from "../error-codes.js";
import type { AuditHook } from "../keys/audit.js";
import type { ResultShape } from "./plan/selection.js";
import type { PrismaObject } from "../client/prisma-object.js";
import { resultValues, stripAdded, type ResultValue } from "./results.js";
import type { PendingValue } from "./plan/write.js";
import { fieldRefs } from "../schema/field-ref.js";
import { rowId } from "../schema/rows.js";

/**
 * Encrypts every pending value under `context` with one batch call and writes the envelopes and
 * blind indexes into the arguments. No promise is awaited when a data key for the context is cached.
 */
export async function sealValues(
  core: VaultCore,
  values: readonly PendingValue[],
  context: KeyContext,
  id?: unknown,
): Promise<void> {
  if (values.length === 0) return;
  const refFor = fieldRefs();
  const sealing = core.sealAll(values.map((v) => ({ text: v.value, ref: refFor(v.field, context, id) })));
  const envelopes = sealing instanceof Promise ? await sealing : sealing;
  for (const [i, v] of values.entries()) {
    v.holder[v.key] = checkedToFit(core, v.field, envelopes[i] as string, id);
    if (v.field.index) v.row[v.field.index.column] = core.blindIndex(v.field.index.blind, v.value, context);
  }
}

/**
 * Decrypts, in place, every encrypted value in `result` and removes the fields that were added to
 * read contexts. A value that is not an envelope is a decryption failure unless its field reads
 * plaintext (`plaintext: "read"`); failures follow `policy`, provider outages always throw.
 * The whole result is opened by one batch call, each row's context derived once; only values whose
 * data key is not cached wait for the provider.
 */
export async function openResult(
  core: VaultCore,
  shape: ResultShape,
  result: unknown,
  policy: DecryptErrorPolicy,
  audit?: AuditHook,
): Promise<void> {
  const values = resultValues(shape, result);
  const items = new Array<CipherItem>(values.length);
  const refFor = fieldRefs();
  let row: PrismaObject | undefined;
  let context: KeyContext | undefined;
  let id: unknown;
  for (const [i, stored] of values.entries()) {
    // A row's values are listed together: its id and context are read once.
    if (stored.row !== row) {
      row = stored.row;
      id = rowId(stored.model, row);
      context = stored.model.contextOf(row, id);
    }
    items[i] = { text: stored.value, ref: refFor(stored.field, context as KeyContext, id) };
  }
  const { opened, ready } = core.openAll(items);
  const place = (i: number) => {
    const stored = values[i] as ResultValue;
    const plain = opened[i] as Opened;
    if (isOpened(plain)) {
      stored.row[stored.field.name] = plain;
      return;
    }
    const { ref } = items[i] as CipherItem;
    const refused = audit && ((code: VaultErrorCode) => audit(refusal(core, ref, code)));
    stored.row[stored.field.name] = recover(plain.error, stored.field, stored.value, ref.id, policy, refused);
  };
  // What is known now is placed now: a value that fails to open fails the read without waiting for
  // keys still on their way (their batch settles quietly).
  const waiting: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (opened[i] === undefined) waiting.push(i);
    else place(i);
  }
  await ready;
  for (const i of waiting) place(i);
  stripAdded(shape, result);
}
