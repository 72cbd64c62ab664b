/**
 * bench/workers.ts's plain worker: Prisma on D1 and nothing else, the baseline of vault-worker.ts, which
 * is this worker with vault() on its client. The request is bench-request.ts's.
 */
import { PrismaD1 } from "@prisma/adapter-d1";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";
import { benchWorker } from "./bench-request.js";

interface Env {
  readonly DB: ConstructorParameters<typeof PrismaD1>[0];
}

export default benchWorker((env: Env) => new PrismaClient({ adapter: new PrismaD1(env.DB) }));
