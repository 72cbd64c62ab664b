/**
 * How the object store runs its Prisma queries: a unique-name violation is the object API's
 * `VAULT_CONFLICT`, and any other error of Prisma's or a driver's leaves without the values it was
 * given or anything shaped like an envelope (client/redact.ts).
 */
import { redactError } from "../client/redact.js";
import { isVaultError, VaultConflictError } from "../errors.js";
import { OBJECT_MODEL } from "./models.js";

/**
 * Runs Prisma queries; a taken name is `VAULT_CONFLICT`, other errors leave without `secrets` or envelopes.
 *
 * @example await runObjectQuery([value], () => objectRows(client)["create"]!({ data }))
 */
export async function runObjectQuery<T>(secrets: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isVaultError(error)) throw error;
    if ((error as { code?: unknown } | null)?.code === "P2002")
      throw new VaultConflictError("a live Vault object already has this name", { model: OBJECT_MODEL });
    throw redactError(error, secrets);
  }
}
