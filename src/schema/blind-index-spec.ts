/**
 * A blind index as the schema holds it: plain data (which field, normalizers, bytes, scope, key name),
 * checked here when the schema is built. The BlindIndex that computes it (core/blind-index.ts) is made
 * from this description; the secret it is keyed by is kept beside it, never inside it, so a schema can
 * be printed or cloned without it.
 */
import { VaultConfigError } from "../errors.js";

/**
 * The normalizers a blind index may apply before hashing: `"none"`; `"lowercase"`; `"trim"` (outer
 * whitespace); `"email"` (trim, then lowercase); `"phone"` (digits only, keeping a leading `+`);
 * `"nfkc"` (Unicode NFKC).
 */
export const NORMALIZERS = ["none", "lowercase", "trim", "email", "phone", "nfkc"] as const;
/** One of {@link NORMALIZERS}. */
export type Normalizer = (typeof NORMALIZERS)[number];

/** Normalizers that make `mode: "insensitive"` equal to an exact match. */
const FOLDS_CASE: ReadonlySet<Normalizer> = new Set(["lowercase", "email"]);

export const MIN_INDEX_BYTES = 16;
export const MAX_INDEX_BYTES = 32;
export const MIN_SECRET_BYTES = 32;

/**
 * The options of `new BlindIndex()`. A bad one is a `VaultConfigError` naming the model and field,
 * thrown by the constructor.
 */
export interface BlindIndexOptions {
  /** The Prisma model the indexed field belongs to. */
  readonly model: string;
  /** The encrypted field the index is computed from. */
  readonly field: string;
  /** One normalizer, a list applied in order, or a comma-separated list (`"nfkc,email"`). Default `"none"`. */
  readonly normalize?: string | readonly Normalizer[];
  /** HMAC bytes kept, 16 to 32. Default 32. */
  readonly bytes?: number;
  /** `"global"` (default): one key per field. `"tenant"`: one key per field and key context. */
  readonly scope?: "global" | "tenant";
  /** The HKDF info the key is derived from, default `"<model>.<field>"`; a renamed field keeps its old name. */
  readonly keyName?: string;
}

/** A blind index's checked settings: plain data, what the schema holds for an indexed field. */
export interface BlindIndexSpec {
  /** The model, from {@link BlindIndexOptions.model}. */
  readonly model: string;
  /** The field, from {@link BlindIndexOptions.field}. */
  readonly field: string;
  /** `"global"` or `"tenant"` (see {@link BlindIndexOptions.scope}). */
  readonly scope: "global" | "tenant";
  /** The normalizers applied in order, parsed from {@link BlindIndexOptions.normalize}. */
  readonly normalizers: readonly Normalizer[];
  /** HMAC bytes kept, 16 to 32. */
  readonly bytes: number;
  /** Whether `mode: "insensitive"` queries can be answered exactly. */
  readonly foldsCase: boolean;
  /** The HKDF info the index key is derived from: {@link BlindIndexOptions.keyName}, or `"<model>.<field>"`. */
  readonly keyName: string;
}

/**
 * Where a description keeps the secret it was checked with (a copy): a non-enumerable property under a
 * global symbol, out of its fields, JSON and spreads. Not a module's WeakMap: a migration CLI drives the
 * schema of a config's client made by another copy of prisma-vault (DESIGN.md §9), whose map it cannot
 * see; the global symbol is found by every copy.
 */
const SECRET = Symbol.for("prisma-vault.indexSecret");

/**
 * Checks the options of a blind index keyed by `secret` (at least 32 bytes) and describes it. A bad
 * one is a `VaultConfigError` naming the model and field.
 *
 * @example blindIndexSpec(secret, { model: "User", field: "email", normalize: "email" }).foldsCase // true
 */
export function blindIndexSpec(secret: Uint8Array, options: BlindIndexOptions): BlindIndexSpec {
  const where = { model: options.model, field: options.field };
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new VaultConfigError(`the index secret must be at least ${MIN_SECRET_BYTES} bytes`, where);
  }
  const bytes = options.bytes ?? MAX_INDEX_BYTES;
  if (!Number.isInteger(bytes) || bytes < MIN_INDEX_BYTES || bytes > MAX_INDEX_BYTES) {
    throw new VaultConfigError(
      `index bytes must be an integer from ${MIN_INDEX_BYTES} to ${MAX_INDEX_BYTES}`,
      where,
    );
  }
  const scope = options.scope ?? "global";
  if (scope !== "global" && scope !== "tenant") {
    throw new VaultConfigError('scope must be "global" or "tenant"', where);
  }
  if (options.keyName !== undefined && (typeof options.keyName !== "string" || options.keyName === "")) {
    throw new VaultConfigError("keyName must be a non-empty string", where);
  }
  const normalizers = parseNormalizers(options.normalize ?? "none", where);
  const spec: BlindIndexSpec = {
    model: options.model,
    field: options.field,
    scope,
    normalizers,
    bytes,
    foldsCase: normalizers.some((n) => FOLDS_CASE.has(n)),
    keyName: options.keyName ?? `${options.model}.${options.field}`,
  };
  Object.defineProperty(spec, SECRET, { value: Uint8Array.from(secret), enumerable: false });
  return spec;
}

/** The secret `spec` was checked with, by {@link blindIndexSpec}. */
export function indexSecretOf(spec: BlindIndexSpec): Uint8Array {
  const secret = (spec as { readonly [SECRET]?: unknown })[SECRET];
  // Precondition: every description comes from blindIndexSpec, which keeps its secret.
  if (!(secret instanceof Uint8Array)) throw new TypeError("a blind index description without its secret");
  return secret;
}

function parseNormalizers(
  spec: string | readonly Normalizer[],
  where: { model: string; field: string },
): Normalizer[] {
  const names = typeof spec === "string" ? spec.split(",").map((name) => name.trim()) : [...spec];
  if (names.length === 0) throw new VaultConfigError("normalize needs at least one normalizer", where);
  for (const name of names) {
    if (!(NORMALIZERS as readonly string[]).includes(name)) {
      throw new VaultConfigError(
        `unknown normalizer "${String(name)}" (expected ${NORMALIZERS.join(", ")})`,
        where,
      );
    }
  }
  return names as Normalizer[];
}
