/**
 * What an extension suite starts from: a fresh database of `target`, the key server with the real
 * WorkOS SDK in front of it, and clients extended with vault() over the generator's schema.
 */
import { randomBytes } from "node:crypto";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase, type Target } from "./databases.js";
import { useKeyServerRig } from "./key-server.js";

/** Registers the suite's hooks (database, key server) and returns its helpers. */
export function useExtensionRig(target: Target) {
  const rig = useKeyServerRig();
  const hooks = useTestDatabase(target);
  /** Keys the blind indexes of the test schema's Account model. */
  const indexSecret = randomBytes(32);
  /** A client with a cache of its own (cold), keys from the key server, `options` over the defaults. */
  const extended = (options: Partial<VaultOptions> = {}) =>
    hooks
      .database()
      .plain.$extends(vault({ keys: rig.provider, schema: hooks.generated(), indexSecret, ...options }));
  /** Creates organizations with these ids through the plain client. */
  const orgs = async (...ids: string[]) => {
    for (const id of ids) await hooks.database().plain.organization.create({ data: { id, name: id } });
  };
  return { rig, ...hooks, indexSecret, extended, orgs };
}
