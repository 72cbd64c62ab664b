/**
 * Prisma 7 on a Prisma 8 app's database: the client generated from support/prisma7.schema.prisma (the
 * fixture's tables as `prisma db pull` reads them), through `@prisma/adapter-pg` on the app's URL, and
 * `vault()` with the options the Prisma 8 middleware of test/prisma8 uses (vault-rig.ts's MODELS, the
 * app's key ring and index secret). One database, two Prismas, one set of keys.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll } from "vitest";
import { vault } from "../../../src/prisma/extension.js";
import type { VaultOptions } from "../../../src/prisma/options.js";
import { PrismaClient } from "../../generated/prisma7-on-prisma8/client/client.js";
import type { Prisma8App } from "./prisma8-app.js";
import { materialOf, MODELS } from "./vault-rig.js";

/** A plain Prisma 7 client of the fixture's tables (no extension). */
export type Prisma7Client = PrismaClient;

/** What {@link usePrisma7On} gives a test: Prisma 7 clients on the app's database. */
export interface Prisma7On {
  /** A plain Prisma 7 client: writes and reads go to the columns untouched. */
  plain(): Prisma7Client;
  /** A Prisma 7 client with `vault()` on the app's keys and MODELS (`options` over them); cold cache. */
  vault(options?: Partial<VaultOptions>): ReturnType<typeof extend>;
}

/**
 * Registers an `afterAll` that disconnects every Prisma 7 client it made, and returns the makers. Call it
 * after {@link usePrisma8App}: vitest runs `afterAll` hooks last-registered first, so the connections are
 * closed before the app drops its database.
 *
 * @example
 * const app = usePrisma8App("cross_version");
 * const prisma7 = usePrisma7On(app);
 * const users = await prisma7.vault().user.findMany({ where: { email: "ada@example.com" } });
 */
export function usePrisma7On(app: () => Prisma8App): Prisma7On {
  const clients: Prisma7Client[] = [];
  afterAll(() => Promise.all(clients.map((client) => client.$disconnect())));
  const plain = () => {
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: app().url }) });
    clients.push(client);
    return client;
  };
  return { plain, vault: (options = {}) => extend(plain(), app(), options) };
}

function extend(client: Prisma7Client, app: Prisma8App, options: Partial<VaultOptions>) {
  // The Prisma 8 rig's own key ring and index secret, so both Prismas hold the same keys.
  const { local, indexSecret } = materialOf(app);
  return client.$extends(vault({ keys: local, models: MODELS, indexSecret, aead: "node", ...options }));
}
