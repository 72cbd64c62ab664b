/**
 * bench/workers.ts's prisma-vault worker: plain-worker.ts with vault() on its client, the local key ring
 * from the bindings. Each request (bench-request.ts) creates a user (email and ssn sealed, email
 * blind-indexed) and reads the tenant's five newest (ten values opened); on the kept client its data-key
 * cache is kept too.
 */
import { PrismaD1 } from "@prisma/adapter-d1";
import { LocalKeyProvider, vault } from "prisma-vault";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";
import { vaultSchema } from "../../examples/quickstart/generated/vault/index.js";
import { benchWorker } from "./bench-request.js";

interface Env {
  readonly DB: ConstructorParameters<typeof PrismaD1>[0];
  readonly MASTER_KEY: string;
  readonly INDEX_SECRET: string;
}

export default benchWorker((env: Env) => {
  const keys = new LocalKeyProvider({ keys: [{ id: "ring", key: env.MASTER_KEY }] });
  return new PrismaClient({ adapter: new PrismaD1(env.DB) }).$extends(
    vault({ keys, schema: vaultSchema, indexSecret: env.INDEX_SECRET }),
  );
});
