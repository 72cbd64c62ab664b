/**
 * What `vault({ aead })` resolves to on a runtime leg (issue 26), beside the scenario: the backend
 * `"auto"` picks, and what `"native"` does. prisma-vault-native calls into the OpenSSL inside Node's
 * binary; loaded by Bun or Deno it ends the process at its first call, so there `"auto"` must be
 * node:crypto and `"native"` a `VaultConfigError`, whether or not the addon is installed beside the app.
 */
import { isVaultError, LocalKeyProvider, vault } from "prisma-vault";
import type { runScenario, ScenarioInput } from "./scenario.js";

type Client = Parameters<typeof runScenario>[0];

export interface AeadProbe {
  /** The backend `aead: "auto"` resolved to (`$vault.stats().aead`). */
  readonly auto: string;
  /** What `vault({ aead: "native" })` threw: the error's name and code and its cause's message. */
  readonly native: { readonly name: string; readonly code: string; readonly cause: string };
}

/**
 * Resolves `"auto"`, then `"native"`, with the scenario's keys; to be run after the scenario, so that a
 * process ended by the addon is seen as a dead scenario, not as a probe's failure.
 *
 * @example console.log(JSON.stringify({ ...(await runScenario(base, input)), aead: probeAead(base, input) }));
 */
export function probeAead(base: Client, input: ScenarioInput): AeadProbe {
  const options = (aead: "auto" | "native") => ({
    keys: new LocalKeyProvider({ keys: [{ id: "ring", key: input.masterKey }] }),
    schema: input.schema,
    indexSecret: input.indexSecret,
    aead,
  });
  const auto = base.$extends(vault(options("auto"))).$vault.stats().aead;
  return { auto, native: thrownBy(() => vault(options("native"))) };
}

function thrownBy(attempt: () => unknown): AeadProbe["native"] {
  try {
    attempt();
    return { name: "none", code: "nothing thrown", cause: "" };
  } catch (error) {
    if (!isVaultError(error)) return { name: "none", code: `not a VaultError: ${String(error)}`, cause: "" };
    const { cause } = error;
    return {
      name: error.name,
      code: error.code,
      cause: cause instanceof Error ? cause.message : String(cause),
    };
  }
}
