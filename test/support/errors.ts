import { VaultError } from "../../src/errors.js";
import { expectNoSecrets } from "./secrets.js";

/** The VaultError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function vaultFailure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expectNoSecrets(error);
  if (!(error instanceof VaultError)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return error;
}

/** The VaultError `run` throws; fails the test if it returns or throws anything else. */
export function thrownVaultError(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    expectNoSecrets(error);
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error("expected a VaultError, nothing was thrown");
}

/** The error a promise rejects with, whatever it is (a Prisma error, say), checked for secrets. */
export async function anyFailure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error(`expected an error, got ${String(error)}`);
  expectNoSecrets(error);
  return error;
}
