/**
 * Errors prisma-vault passes on (Prisma's, a driver's) must not show what it protects. Prisma's
 * validation errors echo arguments, and a database may quote a rejected value: before such an error
 * leaves the extension, the plaintexts of encrypted fields in the query's arguments, and anything
 * shaped like an envelope, are cut from its message, stack, enumerable properties and cause chain.
 */
import type { VaultSchema } from "../schema/model-schema.js";
import { isObject } from "./prisma-object.js";

const REDACTED = "[redacted]";
/** Far deeper than any Prisma query or error nests; bounds the recursion on hostile input. */
const MAX_DEPTH = 256;
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
  // Arguments may share objects or even loop: each object is visited once, however it is reached.
  const visited = new Set<object>();
  const walk = (value: unknown, secret: boolean, depth: number): void => {
    if (typeof value === "string") {
      if (secret && value !== "") found.add(value);
      return;
    }
    if (typeof value !== "object" || value === null || visited.has(value) || depth > MAX_DEPTH) return;
    visited.add(value);
    if (Array.isArray(value)) for (const item of value) walk(item, secret, depth + 1);
    else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, secret || names.has(key), depth + 1);
    }
  };
  walk(args, false, 0);
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * `error`, with `secrets` and envelope-like text removed from everything it shows: message, stack,
 * enumerable properties and the cause chain, to a depth of 256. Mutates and returns it; a frozen object
 * inside it is replaced by a cleaned copy where its holder allows.
 */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  // A placeholder no secret can be part of, turned into "[redacted]" once every secret is out.
  const mark = "\u0000";
  const clean = (text: string): string => {
    let out = text;
    for (const secret of secrets) {
      out = out.replaceAll(JSON.stringify(secret), `"${mark}"`);
      if (secret.length >= 3) out = out.replaceAll(secret, mark);
    }
    // Stack frames are file paths, which may be long runs of base64's alphabet.
    return out
      .split("\n")
      .map((line) => (/^\s+at /.test(line) ? line : line.replace(BASE64_RUN, mark)))
      .join("\n")
      .replaceAll(mark, REDACTED);
  };
  const seen = new Map<object, unknown>();
  const scrub = (value: unknown, depth = 0): unknown => {
    if (typeof value === "string") return clean(value);
    if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
    if (seen.has(value)) return seen.get(value);
    const target: Record<string, unknown> =
      Object.isFrozen(value) && !(value instanceof Error) ? { ...value } : (value as Record<string, unknown>);
    seen.set(value, target);
    if (value instanceof Error) {
      for (const key of ["message", "stack"] as const) {
        const text = value[key];
        if (typeof text === "string") define(value, key, clean(text));
      }
      if ("cause" in value) define(value, "cause", scrub(value.cause, depth + 1));
    }
    for (const [key, item] of Object.entries(target)) define(target, key, scrub(item, depth + 1));
    return target;
  };
  return scrub(error);
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
