/**
 * Key contexts: which key-encryption key protects a value (WorkOS Vault's rules), and the associated
 * data that binds a ciphertext to its model, field and tenant.
 */
import { VaultConfigError, VaultContextInvalidError } from "../errors.js";

/** 1 to 10 pairs of non-empty strings, e.g. `{ organizationId: "org_1" }`. Same context, same key. */
export type KeyContext = Readonly<Record<string, string>>;

/** The most pairs a key context may have: 10, as WorkOS Vault allows. */
export const MAX_CONTEXT_PAIRS = 10;

/**
 * Checks a key context and returns a frozen copy. Anything else than 1–10 pairs of non-empty strings
 * is a `VAULT_CONTEXT_INVALID` error naming the offending key (never its value).
 *
 * @example validateContext({ organizationId: "org_1" })
 */
export function validateContext(context: unknown): KeyContext {
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw invalid("a key context must be an object of string pairs");
  }
  const prototype = Object.getPrototypeOf(context) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    throw invalid("a key context must be a plain object");
  }
  const keys = Object.keys(context);
  if (keys.length === 0) throw invalid("a key context needs at least one pair");
  if (keys.length > MAX_CONTEXT_PAIRS) {
    throw invalid(`a key context has at most ${MAX_CONTEXT_PAIRS} pairs, this one has ${keys.length}`);
  }
  const copy: Record<string, string> = {};
  for (const key of keys) {
    if (key === "") throw invalid("a key context key must not be empty");
    // Precondition: no prototype key. Copied, `__proto__` would vanish, and two tenants' contexts
    // that differ only there would share one key and one associated data.
    if (key === "__proto__") throw invalid('"__proto__" is not allowed as a key context key');
    const value = (context as Record<string, unknown>)[key];
    if (typeof value !== "string") throw invalid(`the value of context key "${key}" must be a string`);
    if (value === "") throw invalid(`the value of context key "${key}" must not be empty`);
    copy[key] = value;
  }
  const valid = Object.freeze(copy);
  CANONICAL.set(valid, canonicalForm(valid));
  return valid;
}

/**
 * The canonical form of every context {@link validateContext} returned: computed once, as a row's
 * context is read for each of its values. Keyed by identity; the contexts are frozen, so it cannot go stale.
 */
const CANONICAL = new WeakMap<KeyContext, string>();

/** `context` itself when {@link validateContext} made it, else its validated copy. */
export function validContext(context: unknown): KeyContext {
  return CANONICAL.has(context as KeyContext) ? (context as KeyContext) : validateContext(context);
}

/**
 * The canonical form of a context: JSON of its entries sorted by key. Equal contexts give equal
 * strings whatever their key order.
 *
 * @example canonicalContext({ b: "2", a: "1" }) // '{"a":"1","b":"2"}'
 */
export function canonicalContext(context: KeyContext): string {
  return canonicalize(validContext(context));
}

/** {@link canonicalContext} of a context that {@link validateContext} already accepted. */
export function canonicalize(valid: KeyContext): string {
  return CANONICAL.get(valid) ?? canonicalForm(valid);
}

function canonicalForm(valid: KeyContext): string {
  // Built by hand: JSON.stringify would move integer-like keys ("1") ahead of the others.
  const pairs = Object.keys(valid)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(valid[key])}`);
  return `{${pairs.join(",")}}`;
}

/** Parses a canonical context string back into a context; `VAULT_CONTEXT_INVALID` if it is not one. */
export function parseCanonicalContext(text: string): KeyContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("the stored key context is not JSON");
  }
  const context = validateContext(parsed);
  if (canonicalContext(context) !== text) throw invalid("the stored key context is not canonical");
  return context;
}

/**
 * The default associated data of an encrypted field: `prisma-vault:v1|<Model>.<field>|<canonical context>`.
 * Pass it to `workos.vault.decrypt(value, associatedData(...))` to read a value written by prisma-vault.
 *
 * @example associatedData("User", "ssn", { organizationId: "org_1" })
 * // 'prisma-vault:v1|User.ssn|{"organizationId":"org_1"}'
 */
export function associatedData(model: string, field: string, context: KeyContext): string {
  if (typeof model !== "string" || model === "" || typeof field !== "string" || field === "") {
    throw new VaultConfigError("associatedData needs a model and a field name");
  }
  return `prisma-vault:v1|${model}.${field}|${canonicalContext(context)}`;
}

function invalid(message: string): VaultContextInvalidError {
  return new VaultContextInvalidError(message);
}
