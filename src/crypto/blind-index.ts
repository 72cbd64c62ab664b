/**
 * Blind indexes: a keyed HMAC of a normalized value, stored beside its encrypted field so equality
 * can be searched without decrypting. Unlike an unkeyed hash, it cannot be reversed by hashing a
 * dictionary without the index secret.
 *
 *   index    = base64url( HMAC-SHA256(indexKey, normalize(value)) ), truncated to `bytes` (16–32)
 *   indexKey = HKDF-SHA256(indexSecret, salt empty, info "<Model>.<field>" [+ "|" + canonical context])
 *
 * A tenant-scoped index (`scope: "tenant"`) mixes the row's context into the key, so the same value
 * gives unrelated indexes in two tenants (no cross-tenant correlation) and queries must pin the tenant.
 */
import { createHmac, hkdfSync } from "node:crypto";
import { LRUCache } from "lru-cache";
import { canonicalize, type KeyContext } from "../context/key-context.js";
import { isBase64 } from "../format/is-base64.js";
import { contextInvalid, contextMissing } from "../error-messages.js";
import { VaultConfigError, VaultContextInvalidError, VaultContextMissingError } from "../errors.js";

/** The environment variable holding the index secret when `indexSecret` is not given. */
export const INDEX_KEY_ENV = "PRISMA_VAULT_INDEX_KEY";

/**
 * The normalizers a blind index may apply before hashing: `"none"`; `"lowercase"`; `"trim"` (outer
 * whitespace); `"email"` (trim, then lowercase); `"phone"` (digits only, keeping a leading `+`);
 * `"nfkc"` (Unicode NFKC).
 */
export const NORMALIZERS = ["none", "lowercase", "trim", "email", "phone", "nfkc"] as const;
/** One of {@link NORMALIZERS}. */
export type Normalizer = (typeof NORMALIZERS)[number];

const STEPS: Readonly<Record<Normalizer, (value: string) => string>> = {
  none: (value) => value,
  lowercase: (value) => value.toLowerCase(),
  trim: (value) => value.trim(),
  email: (value) => value.trim().toLowerCase(),
  // Digits only, keeping a leading "+": "+1 (555) 010-0000" -> "+15550100000".
  phone: (value) => {
    const trimmed = value.trim();
    return (trimmed.startsWith("+") ? "+" : "") + trimmed.replace(/\D/g, "");
  },
  nfkc: (value) => value.normalize("NFKC"),
};

/** Normalizers that make `mode: "insensitive"` equal to an exact match. */
const FOLDS_CASE: ReadonlySet<Normalizer> = new Set(["lowercase", "email"]);

export const MIN_INDEX_BYTES = 16;
export const MAX_INDEX_BYTES = 32;
export const MIN_SECRET_BYTES = 32;
const MAX_HKDF_INFO_BYTES = 1024;
/** Tenant-scoped index keys kept derived: HKDF costs about three times the HMAC itself. */
const TENANT_KEYS_CACHED = 1024;

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

/**
 * The blind index of one field. `secret` is the index secret, at least 32 bytes (`VaultConfigError`
 * otherwise); every field's index key is derived from it.
 *
 * @example
 * const index = new BlindIndex(secret, { model: "User", field: "email", normalize: "email" });
 * index.compute(" Ann@X.io ") === index.compute("ann@x.io") // true
 */
export class BlindIndex {
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
  readonly #secret: Uint8Array;
  readonly #info: string;
  #globalKey: Buffer | undefined;
  readonly #tenantKeys = new LRUCache<string, Buffer>({ max: TENANT_KEYS_CACHED });

  constructor(secret: Uint8Array, options: BlindIndexOptions) {
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
    this.#info = options.keyName ?? `${options.model}.${options.field}`;
    this.model = options.model;
    this.field = options.field;
    this.scope = scope;
    this.bytes = bytes;
    this.normalizers = parseNormalizers(options.normalize ?? "none", where);
    this.foldsCase = this.normalizers.some((n) => FOLDS_CASE.has(n));
    this.#secret = Uint8Array.from(secret);
  }

  /** The normalized form of `value` that the index is computed over. */
  normalize(value: string): string {
    return this.normalizers.reduce((text, name) => STEPS[name](text), value);
  }

  /** The index of `value`; a tenant-scoped index needs the row's context. */
  compute(value: string, context?: KeyContext): string {
    const mac = createHmac("sha256", this.#key(context)).update(this.normalize(value), "utf8").digest();
    return mac.subarray(0, this.bytes).toString("base64url");
  }

  #key(context: KeyContext | undefined): Buffer {
    const info = this.#info;
    if (this.scope === "global") {
      this.#globalKey ??= derive(this.#secret, info);
      return this.#globalKey;
    }
    if (context === undefined) {
      throw new VaultContextMissingError(contextMissing.tenantIndex, {
        model: this.model,
        field: this.field,
      });
    }
    const scoped = `${info}|${canonicalize(context)}`;
    const cached = this.#tenantKeys.get(scoped);
    if (cached) return cached;
    if (Buffer.byteLength(scoped, "utf8") > MAX_HKDF_INFO_BYTES) {
      throw new VaultContextInvalidError(contextInvalid.tooLongForTenantIndex, {
        model: this.model,
        field: this.field,
      });
    }
    const key = derive(this.#secret, scoped);
    this.#tenantKeys.set(scoped, key);
    return key;
  }
}

/**
 * The index secret from `option` (bytes or base64) or `PRISMA_VAULT_INDEX_KEY`; `undefined` when neither is set.
 */
export function indexSecretFrom(
  option: Uint8Array | string | undefined,
  env = process.env,
): Uint8Array | undefined {
  const raw = option ?? env[INDEX_KEY_ENV];
  if (raw === undefined || raw === "") return undefined;
  if (raw instanceof Uint8Array) return raw;
  // Callers from JavaScript may pass anything: isBase64 refuses what is not a string.
  const text: unknown = typeof raw === "string" ? raw.trim() : raw;
  if (!isBase64(text)) {
    throw new VaultConfigError(`the index secret (indexSecret or ${INDEX_KEY_ENV}) must be base64 bytes`);
  }
  return Buffer.from(text, "base64");
}

function derive(secret: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, new Uint8Array(0), info, 32));
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
