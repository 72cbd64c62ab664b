/**
 * The options of `vault()` and their eager validation: everything wrong with them is a
 * `VaultConfigError` thrown by `vault()` or `$extends`, before any query runs.
 */
import { AEAD_CHOICES, type AeadChoice } from "../crypto/aead.js";
import { indexSecretFrom } from "../core/blind-index.js";
import { VaultConfigError } from "../errors.js";
import type { CacheOptions } from "../keys/cache-options.js";
import { GUARD_DEFAULTS, MAX_TIMEOUT_MS } from "../keys/guard-provider.js";
import { type KeyProvider } from "../keys/provider.js";
import type { ModelsOption } from "../schema/options.js";
import {
  isGeneratedVaultSchema,
  withDbNames,
  withSchemaText,
  type DataModel,
  type GeneratedVaultSchema,
} from "../schema/datamodel.js";
import { inlineSchemaDataModel, runtimeDataModel } from "../client/internals.js";
import type { DecryptErrorPolicy } from "./values.js";
import { safeAudit, type AuditHook } from "../keys/audit.js";
import type { UnboundValues } from "../objects/sealing.js";
import { DEFAULT_ENVIRONMENT_ID, type ObjectsOptions } from "../objects/vault-objects.js";

/**
 * The options of {@link vault}. Only `keys` and one of `models` or `schema` are required. Each is
 * checked when `vault()` is called: a bad one is a `VaultConfigError` naming it.
 *
 * @example
 * vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema, timeoutMs: 5_000, onDecryptError: "null" });
 */
export interface VaultOptions {
  /** Where data keys come from: `LocalKeyProvider.fromEnv()`, `new WorkOSKeyProvider({ workos })`, … */
  readonly keys: KeyProvider;
  /** Encrypted fields per model. Entries replace the schema annotations of the same model. */
  readonly models?: ModelsOption;
  /** The `prisma-vault` generator's output (`vaultSchema`), for annotations and relation keys. */
  readonly schema?: GeneratedVaultSchema;
  /** Data-key cache limits, or `false` to call the provider for every value. */
  readonly cache?: CacheOptions | false;
  /**
   * A value that does not decrypt: `"throw"` (default), `"null"`, or a function returning the value to
   * read. With `"null"` as a literal, result types read encrypted fields as `string | null`; a function's
   * return type is not in them.
   */
  readonly onDecryptError?: DecryptErrorPolicy;
  /** `"read"` passes plaintext rows through on read while a migration runs. Default `"reject"`. */
  readonly plaintext?: "reject" | "read";
  /** The secret keying blind indexes (≥32 bytes, or their base64). Default: `PRISMA_VAULT_INDEX_KEY`. */
  readonly indexSecret?: Uint8Array | string;
  /**
   * Milliseconds one key-provider call may take, the provider's own retries included (1 to 600,000).
   * A query whose key call takes longer fails with `VAULT_KEY_PROVIDER`. Default 10,000.
   */
  readonly timeoutMs?: number;
  /**
   * The AES-256-GCM backend: `"auto"` (default) uses the optional `prisma-vault-native` package when it
   * loads, else `node:crypto`; `"native"` requires it (a `VaultConfigError` when it does not load);
   * `"node"` never loads it.
   */
  readonly aead?: AeadChoice;
  /**
   * `true` (or `{ environmentId, unboundValues }`) turns on `prisma.$vault.objects`, WorkOS Vault's object API stored
   * in the `VaultObject` and `VaultObjectVersion` models (docs/objects.md gives them). Default off.
   */
  readonly objects?: boolean | ObjectsOptions;
  /**
   * Receives one event per key-provider attempt and one per value whose decryption was refused:
   * names, contexts, ids and outcomes, never a value, key or ciphertext. Called synchronously; a promise
   * it returns is not awaited. An exception it throws, or a rejection of that promise, never breaks a
   * query (the first is reported as a process warning with code `PRISMA_VAULT_AUDIT_HOOK_FAILED`).
   */
  readonly audit?: AuditHook;
}

export interface Settings {
  readonly schema: GeneratedVaultSchema | undefined;
  readonly indexSecret: Uint8Array | undefined;
  readonly plaintext: "reject" | "read";
  readonly onDecryptError: DecryptErrorPolicy;
  readonly timeoutMs: number;
  readonly aead: AeadChoice;
  /** Set when objects are on. */
  readonly objects: { readonly environmentId: string; readonly unboundValues: UnboundValues } | undefined;
  readonly audit: AuditHook | undefined;
}

export function validateOptions(options: VaultOptions): Settings {
  if (typeof options !== "object" || options === null)
    throw new VaultConfigError("vault() takes an options object");
  const keys = options.keys as Partial<KeyProvider> | undefined;
  if (typeof keys?.createDataKey !== "function" || typeof keys.decryptDataKey !== "function") {
    throw new VaultConfigError("options.keys must be a KeyProvider (createDataKey, decryptDataKey)");
  }
  if (options.schema !== undefined && !isGeneratedVaultSchema(options.schema)) {
    throw new VaultConfigError(
      "options.schema must be the vaultSchema written by the prisma-vault generator",
    );
  }
  if (options.models !== undefined && (typeof options.models !== "object" || options.models === null)) {
    throw new VaultConfigError("options.models must map model names to { context, fields }");
  }
  if (options.models === undefined && options.schema === undefined) {
    throw new VaultConfigError(
      "vault() needs options.models or options.schema (the generator's vaultSchema)",
    );
  }
  const policy = options.onDecryptError ?? "throw";
  if (policy !== "throw" && policy !== "null" && typeof policy !== "function") {
    throw new VaultConfigError('options.onDecryptError must be "throw", "null" or a function');
  }
  const plaintext = options.plaintext ?? "reject";
  if (plaintext !== "reject" && plaintext !== "read") {
    throw new VaultConfigError('options.plaintext must be "reject" or "read"');
  }
  if (
    options.cache !== undefined &&
    options.cache !== false &&
    (typeof options.cache !== "object" || options.cache === null)
  ) {
    throw new VaultConfigError("options.cache must be cache limits or false");
  }
  const timeoutMs = options.timeoutMs ?? GUARD_DEFAULTS.timeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new VaultConfigError(
      `options.timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  }
  const aead = options.aead ?? "auto";
  if (!(AEAD_CHOICES as readonly unknown[]).includes(aead)) {
    throw new VaultConfigError('options.aead must be "auto", "native" or "node"');
  }
  const indexSecret = indexSecretFrom(options.indexSecret);
  const objects = objectsFrom(options.objects);
  if (options.audit !== undefined && typeof options.audit !== "function")
    throw new VaultConfigError("options.audit must be a function receiving audit events");
  const audit = options.audit === undefined ? undefined : safeAudit(options.audit);
  return {
    schema: options.schema,
    plaintext,
    onDecryptError: policy,
    indexSecret,
    timeoutMs,
    aead,
    objects,
    audit,
  };
}

function objectsFrom(option: VaultOptions["objects"]): Settings["objects"] {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { environmentId: DEFAULT_ENVIRONMENT_ID, unboundValues: "refuse" };
  if (typeof option !== "object" || option === null)
    throw new VaultConfigError("options.objects must be true, false or { environmentId, unboundValues }");
  const environmentId = option.environmentId ?? DEFAULT_ENVIRONMENT_ID;
  if (typeof environmentId !== "string" || environmentId === "")
    throw new VaultConfigError("options.objects.environmentId must be a non-empty string");
  const unboundValues = option.unboundValues ?? "refuse";
  if (unboundValues !== "refuse" && unboundValues !== "open")
    throw new VaultConfigError('options.objects.unboundValues must be "refuse" or "open"');
  return { environmentId, unboundValues };
}

/** The generator's data model when given (checked against the client's), else the client's own. */
export function dataModelFor(client: unknown, generated: GeneratedVaultSchema | undefined): DataModel {
  const runtime = runtimeDataModel(client);
  if (generated) {
    if (runtime) {
      for (const [name, model] of Object.entries(generated.datamodel.models)) {
        const live = Object.hasOwn(runtime.models, name) ? runtime.models[name] : undefined;
        const missing = model.fields.find((f) => !live?.fields.some((l) => l.name === f.name));
        if (!live || missing) {
          throw new VaultConfigError(
            "the generated vault schema does not match the Prisma client; run prisma generate",
            {
              model: name,
              ...(missing ? { field: missing.name } : {}),
            },
          );
        }
      }
    }
    // A schema generated before native types were recorded takes them (and the provider) from the client,
    // and one generated before table and column names were recorded takes those from the client.
    const names = withDbNames(generated.datamodel, runtime);
    return names.provider === undefined ? withSchemaText(names, inlineSchemaDataModel(client)) : names;
  }
  if (!runtime) {
    throw new VaultConfigError(
      "cannot read this Prisma client's data model; pass the generator's vaultSchema as options.schema",
    );
  }
  // The runtime data model has no relation keys and no native types; the client's schema text has them.
  return withSchemaText(runtime, inlineSchemaDataModel(client));
}
