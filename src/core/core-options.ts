/**
 * The options every shell takes (`vault()` on Prisma 7, `vaultMiddleware()` on Prisma 8): keys, models,
 * cache, decryption policy, blind-index secret, timeout, AEAD backend and audit hook; their eager
 * validation (each problem a `VaultConfigError` naming the option), and the core they build.
 */
import { AEAD_CHOICES, type AeadBackend, type AeadChoice } from "../crypto/aead.js";
import { VaultConfigError } from "../errors.js";
import { safeAudit, type AuditHook } from "../keys/audit.js";
import { DataKeyCache } from "../keys/cache.js";
import type { CacheOptions } from "../keys/cache-options.js";
import { GUARD_DEFAULTS, MAX_TIMEOUT_MS } from "../keys/guard-provider.js";
import type { KeyProvider } from "../keys/provider.js";
import type { ModelsOption } from "../schema/options.js";
import { indexSecretFrom } from "./blind-index.js";
import type { DecryptErrorPolicy } from "./decrypt-policy.js";
import { vaultCore, type VaultCore } from "./vault-core.js";

/** The options every prisma-vault shell takes. */
export interface CoreOptions {
  /** Where data keys come from: `LocalKeyProvider.fromEnv()`, `new WorkOSKeyProvider({ workos })`, … */
  readonly keys: KeyProvider;
  /** Encrypted fields per model. Entries replace the schema annotations of the same model. */
  readonly models?: ModelsOption;
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
   * Receives one event per key-provider attempt and one per value whose decryption was refused:
   * names, contexts, ids and outcomes, never a value, key or ciphertext. Called synchronously; a promise
   * it returns is not awaited. An exception it throws, or a rejection of that promise, never breaks a
   * query (the first is reported as a process warning with code `PRISMA_VAULT_AUDIT_HOOK_FAILED`).
   */
  readonly audit?: AuditHook;
}

/** {@link CoreOptions}, checked, with defaults filled in. */
export interface CoreSettings {
  readonly indexSecret: Uint8Array | undefined;
  readonly plaintext: "reject" | "read";
  readonly onDecryptError: DecryptErrorPolicy;
  readonly timeoutMs: number;
  readonly aead: AeadChoice;
  readonly audit: AuditHook | undefined;
}

/** Checks the options every shell takes; `callee` (`"vault()"`, …) names the function in messages. */
export function validateCoreOptions(options: CoreOptions, callee: string): CoreSettings {
  if (typeof options !== "object" || options === null)
    throw new VaultConfigError(`${callee} takes an options object`);
  const keys = options.keys as Partial<KeyProvider> | undefined;
  if (typeof keys?.createDataKey !== "function" || typeof keys.decryptDataKey !== "function") {
    throw new VaultConfigError("options.keys must be a KeyProvider (createDataKey, decryptDataKey)");
  }
  if (options.models !== undefined && (typeof options.models !== "object" || options.models === null)) {
    throw new VaultConfigError("options.models must map model names to { context, fields }");
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
  if (options.audit !== undefined && typeof options.audit !== "function")
    throw new VaultConfigError("options.audit must be a function receiving audit events");
  const audit = options.audit === undefined ? undefined : safeAudit(options.audit);
  return { plaintext, onDecryptError: policy, indexSecret, timeoutMs, aead, audit };
}

/**
 * The data-key cache and the core a shell runs on, as `options` and their `settings` say, sealing with
 * `aead` (`resolveAead(settings.aead)`, resolved when the shell is made so a missing backend fails then).
 */
export function coreOf(
  options: CoreOptions,
  settings: CoreSettings,
  aead: AeadBackend,
): { readonly cache: DataKeyCache; readonly core: VaultCore } {
  const cache = new DataKeyCache(options.keys, options.cache ?? {}, {
    timeoutMs: settings.timeoutMs,
    ...(settings.audit && { audit: settings.audit }),
  });
  return { cache, core: vaultCore(cache, aead) };
}
