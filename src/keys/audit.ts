/**
 * The audit hook, `vault({ audit })`: one event per key-provider attempt and one per value whose
 * decryption was refused, each a plain value holding names, contexts, ids and counts — never a
 * value, key or ciphertext. The hook runs synchronously where the event happens; whatever it throws
 * is swallowed (a query never fails for its audit log) and reported once per hook as a process
 * warning with code {@link AUDIT_HOOK_FAILED}.
 */
import { parseCanonicalContext, type KeyContext } from "../context/key-context.js";
import { isVaultError } from "../errors.js";
import { type VaultErrorCode } from "../error-codes.js";
import { namedContextText } from "../format/blob-format.js";

/** What happened: a key-provider attempt (by method) or a refused decryption. */
export type VaultAuditEventType = "createDataKey" | "decryptDataKey" | "rekey" | "decryptRefused";

/**
 * One audit event.
 *
 * @example
 * vault({ keys, schema, audit: (event) => logger.info({ audit: event }) })
 * // { type: "decryptDataKey", provider: "workos", outcome: "ok", at: 2026-12-03T19:02:11.120Z }
 * // { type: "decryptRefused", provider: "local", model: "User", field: "ssn", id: 42, context: { organizationId: "org_1" }, outcome: "VAULT_DECRYPT_FAILED", at: … }
 */
export interface VaultAuditEvent {
  /** What happened: a provider attempt by method, or `"decryptRefused"` for a value that did not decrypt. */
  readonly type: VaultAuditEventType;
  /** The provider that was asked (behind a KeyRouter, the routed provider's name), or whose key it was. */
  readonly provider: string;
  /** The key context: the one asked for (createDataKey, rekey), the one a blob names, or the row's. */
  readonly context?: KeyContext;
  /** The model of the refused value (decryptRefused). */
  readonly model?: string;
  /** The field of the refused value (decryptRefused). */
  readonly field?: string;
  /** The row's primary key (decryptRefused). */
  readonly id?: unknown;
  /** `"ok"`, or the code the attempt or the value failed with. */
  readonly outcome: "ok" | VaultErrorCode;
  /** The HTTP status a provider's attempt was answered with, when it says (`WorkOSKeyProvider`: 429). */
  readonly status?: number;
  /** When the attempt ended or the value was refused. */
  readonly at: Date;
}

/**
 * Hears each audit event. It may be async: a promise it returns is not awaited (the query goes on),
 * and a rejection is reported like a throw.
 */
export type AuditHook = (event: VaultAuditEvent) => unknown;

/** The `code` of the process warning emitted the first time an audit hook throws. */
export const AUDIT_HOOK_FAILED = "PRISMA_VAULT_AUDIT_HOOK_FAILED";

/** An attempt as a provider reports it (the time is added). */
export type Attempt = Omit<VaultAuditEvent, "at" | "type"> & {
  /** The provider method the attempt was made for. */
  readonly type: Exclude<VaultAuditEventType, "decryptRefused">;
};

/**
 * Where providers that make several attempts per call (retries, routing) report each one: what
 * {@link KeyProvider.observed} receives.
 */
export interface AttemptObserver {
  /** Records one finished attempt, synchronously; it never throws. */
  attempt(attempt: Attempt): void;
}

/**
 * `hook`, made safe to call anywhere: it never throws, and the first exception it throws is reported
 * as a process warning (code {@link AUDIT_HOOK_FAILED}), naming the exception's class only.
 *
 * @example const emit = safeAudit(options.audit); emit({ type: "rekey", provider: "local", outcome: "ok", at: new Date() });
 */
export function safeAudit(hook: AuditHook): AuditHook {
  let reported = false;
  const failed = (error: unknown) => {
    if (reported) return;
    reported = true;
    // The exception's message is the hook's own text, which may quote the event: only its class.
    const kind = error instanceof Error ? error.name : typeof error;
    process.emitWarning(
      `prisma-vault: the audit hook threw (${kind}); the query went on, and later failures of this hook are not reported`,
      { code: AUDIT_HOOK_FAILED },
    );
  };
  return (event) => {
    try {
      const returned: unknown = hook(event);
      // An async hook fails by rejecting: observed like a throw, never left to crash the process.
      if (isThenable(returned)) void Promise.resolve(returned).catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** The outcome of an attempt that threw `error`. */
export function outcomeOf(error: unknown): VaultErrorCode {
  return isVaultError(error) ? error.code : "VAULT_KEY_PROVIDER";
}

/** The context a blob names (a local ring's, bare or inside our key server's WorkOS-format blobs); else undefined. */
export function blobContext(blob: Uint8Array): KeyContext | undefined {
  const canonical = namedContextText(blob);
  if (canonical === undefined) return undefined;
  try {
    return parseCanonicalContext(canonical);
  } catch {
    return undefined;
  }
}
