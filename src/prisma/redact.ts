/**
 * Errors prisma-vault passes on (Prisma's, a driver's) must not show what it protects. Prisma's
 * validation errors echo arguments, and a database may quote a rejected value: before such an error
 * leaves the extension, the plaintexts of encrypted fields in the query's arguments, and anything
 * shaped like an envelope, are cut from its message, stack, enumerable properties and cause chain.
 */
import type { VaultSchema } from "../schema.js";
import { isObject } from "./args.js";

const REDACTED = "[redacted]";
/** Base64 runs this long are envelopes (the shortest is over 100 characters) or key material. */
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

/** The names of every encrypted field in the schema: their string values in arguments are secret. */
export function encryptedFieldNames(schema: VaultSchema): ReadonlySet<string> {
  const names = new Set<string>();
  for (const model of schema.models.values()) for (const name of model.encrypted.keys()) names.add(name);
  return names;
}

/**
 * The strings found under an encrypted field's name anywhere in `args` (data, `{ set }`, filters
 * such as `{ equals }` or `in` lists), longest first. Over-approximates: a same-named plain field's
 * values are redacted too, which costs nothing but a less specific message.
 */
export function secretsIn(args: unknown, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === "string") found.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (isObject(value)) Object.values(value).forEach(collect);
  };
  const walk = (value: unknown, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (names.has(key)) collect(item);
        else walk(item, depth + 1);
      }
    }
  };
  walk(args, 0);
  return [...found].filter((s) => s !== "").sort((a, b) => b.length - a.length);
}

/** `error`, with `secrets` and envelope-like text removed from everything it shows. Mutates and returns it. */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  const clean = (text: string): string => {
    let out = text;
    for (const secret of secrets) {
      out = out.replaceAll(JSON.stringify(secret), `"${REDACTED}"`);
      if (secret.length >= 3) out = out.replaceAll(secret, REDACTED);
    }
    // Stack frames are file paths, which may be long runs of base64's alphabet.
    return out
      .split("\n")
      .map((line) => (/^\s+at /.test(line) ? line : line.replace(BASE64_RUN, REDACTED)))
      .join("\n");
  };
  const seen = new Set<object>();
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return clean(value);
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return value;
    seen.add(value);
    if (value instanceof Error) {
      for (const key of ["message", "stack"] as const) {
        const text = value[key];
        if (typeof text === "string") define(value, key, clean(text));
      }
      if ("cause" in value) define(value, "cause", scrub(value.cause, depth + 1));
    }
    for (const [key, item] of Object.entries(value)) define(value, key, scrub(item, depth + 1));
    return value;
  };
  return scrub(error, 0);
}

function define(target: object, key: string, value: unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor && !descriptor.writable && !descriptor.configurable) return;
  if ((target as Record<string, unknown>)[key] === value) return;
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: descriptor?.enumerable ?? false,
  });
}
