/**
 * The one assertion that no error leaks a secret: the plaintext of an encrypted field, a master key
 * or a data key, in its message, `String()`, `util.inspect` at any depth, or anywhere in its cause
 * chain. Suites register what is secret in them; `vaultFailure` and `thrownVaultError` run it on every
 * error they catch, so each provoked error is checked.
 */
import { inspect } from "node:util";

const secrets = new Set<string>();

/** Declares `values` secret for the rest of the run (plaintexts shorter than 6 characters are ignored). */
export function registerSecrets(...values: readonly (string | Uint8Array)[]): void {
  for (const value of values) {
    if (typeof value === "string") {
      if (value.length >= 6) secrets.add(value);
    } else {
      const bytes = Buffer.from(value);
      secrets.add(bytes.toString("base64"));
      secrets.add(bytes.toString("hex"));
    }
  }
}

/** Throws when `error` (or anything reachable from it) shows a registered secret. */
export function expectNoSecrets(error: unknown): void {
  const views: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() is what a logger prints
    views.push(String(current), inspect(current, { depth: Infinity, showHidden: true }));
    if (current instanceof Error) views.push(current.message, current.stack ?? "");
    current = (current as { cause?: unknown }).cause;
  }
  // Prisma's code frame ("  100   await prisma.user.create({ ... })") quotes the caller's own source
  // lines, not data: the test files' literals would show there.
  let text = views.join("\n");
  const frame = views.flatMap((view) => view.split("\n")).filter((line) => /^\s*(→\s*)?\d+\s/.test(line));
  for (const line of frame) text = text.replaceAll(line, "");
  for (const secret of secrets) {
    if (text.includes(secret)) {
      throw new Error(
        `an error shows a secret (${secret.length} characters): ${String(error).slice(0, 200)}`,
      );
    }
  }
}
