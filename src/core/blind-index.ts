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
import {
  blindIndexSpec,
  indexSecretOf,
  type BlindIndexOptions,
  type BlindIndexSpec,
  type Normalizer,
} from "../schema/blind-index-spec.js";
import { isBase64 } from "../format/is-base64.js";
import { contextInvalid, contextMissing } from "../error-messages.js";
import { VaultConfigError, VaultContextInvalidError, VaultContextMissingError } from "../errors.js";

/** The environment variable holding the index secret when `indexSecret` is not given. */
export const INDEX_KEY_ENV = "PRISMA_VAULT_INDEX_KEY";

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

const MAX_HKDF_INFO_BYTES = 1024;
/** Tenant-scoped index keys kept derived: HKDF costs about three times the HMAC itself. */
const TENANT_KEYS_CACHED = 1024;

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
    const spec = blindIndexSpec(secret, options);
    this.#info = spec.keyName;
    this.model = spec.model;
    this.field = spec.field;
    this.scope = spec.scope;
    this.bytes = spec.bytes;
    this.normalizers = spec.normalizers;
    this.foldsCase = spec.foldsCase;
    this.#secret = indexSecretOf(spec);
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

/** The BlindIndex of each schema index, built once per index (its derived keys are kept inside it). */
const BUILT = new WeakMap<BlindIndexSpec, BlindIndex>();

/**
 * The {@link BlindIndex} a schema's index describes (`field.index.blind`, plain data), built from the
 * description and its secret once, then reused.
 *
 * @example blindIndexOf(field.index.blind).compute(value, context)
 */
export function blindIndexOf(spec: BlindIndexSpec): BlindIndex {
  let index = BUILT.get(spec);
  if (index === undefined) {
    index = new BlindIndex(indexSecretOf(spec), {
      model: spec.model,
      field: spec.field,
      normalize: spec.normalizers,
      bytes: spec.bytes,
      scope: spec.scope,
      keyName: spec.keyName,
    });
    BUILT.set(spec, index);
  }
  return index;
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
