/**
 * Opens, in place, the encrypted values of one raw row (and of the relations included in it) before
 * Prisma 8 decodes it: one batch for the row, each value's key context read from the row, failures
 * handled as `vault()` handles them (decrypt-policy.ts).
 */
import type { CipherItem } from "../core/cipher-item.js";
import { recover, refusal, type DecryptErrorPolicy } from "../core/decrypt-policy.js";
import { isOpened, type Opened } from "../core/opened.js";
import type { VaultCore } from "../core/vault-core.js";
import type { VaultErrorCode } from "../error-codes.js";
import { VaultUnsupportedQueryError } from "../errors.js";
import type { AuditHook } from "../keys/audit.js";
import type { FieldRef } from "../schema/field-ref.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { KeyContext } from "../context/key-context.js";
import type { Row } from "../schema/options.js";
import type { LayoutValue, RowLayout } from "./row-layout.js";

/** What opening needs beside the row. */
export interface OpenEnv {
  readonly core: VaultCore;
  /** The field refs of one query (`fieldRefs()`): a result's rows share their associated data. */
  readonly refFor: (field: EncryptedField, context: KeyContext, id?: unknown) => FieldRef;
  readonly policy: DecryptErrorPolicy;
  readonly audit: AuditHook | undefined;
}

/** A value to open: where it is, and what it is. */
interface Pending {
  readonly holder: Record<string, unknown>;
  readonly value: LayoutValue;
  readonly envelope: string;
  readonly id: unknown;
}

/** Opens every encrypted value of `row` (laid out as `layout`) in place. */
export async function openRow(row: Record<string, unknown>, layout: RowLayout, env: OpenEnv): Promise<void> {
  const pending: Pending[] = [];
  const items: CipherItem[] = [];
  collect(row, layout, pending, items, env);
  if (items.length === 0) return;
  const { opened, ready } = env.core.openAll(items);
  if (ready !== undefined) await ready;
  for (const [i, p] of pending.entries()) {
    const outcome = opened[i] as Opened;
    if (isOpened(outcome)) {
      p.holder[p.value.key] = outcome;
      continue;
    }
    const { ref } = items[i] as CipherItem;
    const refused = env.audit && ((code: VaultErrorCode) => env.audit?.(refusal(env.core, ref, code)));
    p.holder[p.value.key] = recover(outcome.error, p.value.field, p.envelope, p.id, env.policy, refused);
  }
}

function collect(
  holder: Record<string, unknown>,
  layout: RowLayout,
  pending: Pending[],
  items: CipherItem[],
  env: OpenEnv,
): void {
  for (const value of layout.values) {
    const raw = holder[value.key];
    let envelope: unknown = raw;
    let contextRow: Row = holder;
    if (value.carried) {
      if (!Array.isArray(raw)) throw notCarried(value);
      const columns = value.table.contextColumns;
      envelope = raw[columns.length];
      contextRow = Object.fromEntries(value.table.model.contextFields.map((field, i) => [field, raw[i]]));
      holder[value.key] = envelope ?? null;
    } else {
      contextRow = Object.fromEntries(
        value.table.model.contextFields.map((field) => [field, holder[value.table.columnOf(field)]]),
      );
    }
    if (envelope === null || envelope === undefined) continue;
    if (typeof envelope !== "string") throw notCarried(value);
    const id = idOf(holder, value);
    const context = value.table.model.contextOf(contextRow, id);
    pending.push({ holder, value, envelope, id });
    items.push({ text: envelope, ref: env.refFor(value.field, context, id) });
  }
  for (const { key, layout: inner } of layout.nested) {
    const included = holder[key];
    const rows = Array.isArray(included)
      ? included
      : included === null || included === undefined
        ? []
        : [included];
    for (const r of rows)
      if (typeof r === "object" && r !== null)
        collect(r as Record<string, unknown>, inner, pending, items, env);
  }
}

/** The row's primary key, when the row holds it, for errors. */
function idOf(holder: Record<string, unknown>, value: LayoutValue): unknown {
  const keys = value.table.keyColumns;
  if (keys.length === 1) return holder[keys[0] as string];
  if (keys.length === 0 || keys.some((k) => holder[k] === undefined)) return undefined;
  return Object.fromEntries(value.table.model.primaryKey.map((f, i) => [f, holder[keys[i] as string]]));
}

function notCarried(value: LayoutValue): VaultUnsupportedQueryError {
  return new VaultUnsupportedQueryError(
    "the row does not hold this encrypted field as prisma-vault asked for it",
    {
      model: value.field.model,
      field: value.field.name,
    },
  );
}
