/**
 * The workerd leg's second worker: the Prisma client and prisma-vault's extension made once, at module
 * scope, from the bindings `cloudflare:workers` exports, as a worker that reuses its client across
 * requests is written. Workers forbid timers and I/O at module scope, so making the extension must start
 * neither.
 */
import { env } from "cloudflare:workers";
import { PrismaD1 } from "@prisma/adapter-d1";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";
import { runScenario, withLocalVault } from "./scenario.js";
import { answer, scenarioInput, type WorkerEnv } from "./worker.js";

const bindings = env as WorkerEnv;
const input = scenarioInput(bindings);
const base = new PrismaClient({ adapter: new PrismaD1(bindings.DB) });
const prisma = withLocalVault(base, input);

export default {
  fetch(): Promise<Response> {
    return answer(() => runScenario(base, input, prisma));
  },
};
