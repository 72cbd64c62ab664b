/**
 * The workerd leg's worker (test/runtimes/workers.test.ts), as a user writes one: a Prisma client on
 * the D1 binding, made per request, and the runtime-neutral scenario run through prisma-vault. It answers
 * with the scenario's report as JSON, or with the error and its stack (status 500).
 *
 * Copied into the workerd app (makeWorkerApp), where the client import below is the app's own workerd
 * client: the quickstart's client gives the same models their types here.
 */
import { PrismaD1 } from "@prisma/adapter-d1";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";
import { vaultSchema } from "../../examples/quickstart/generated/vault/index.js";
import { runScenario, type ScenarioInput } from "./scenario.js";

/** The worker's bindings: the D1 database, the secrets, and the key server when there is one. */
export interface WorkerEnv {
  readonly DB: ConstructorParameters<typeof PrismaD1>[0];
  readonly MASTER_KEY: string;
  readonly INDEX_SECRET: string;
  readonly KEY_SERVER_URL?: string;
  readonly KEY_SERVER_TOKEN?: string;
}

export default {
  async fetch(_request: Request, env: WorkerEnv): Promise<Response> {
    return answer(() => runScenario(new PrismaClient({ adapter: new PrismaD1(env.DB) }), scenarioInput(env)));
  },
};

/** The scenario's input from the bindings. */
export function scenarioInput(env: WorkerEnv): ScenarioInput {
  const { KEY_SERVER_URL: url, KEY_SERVER_TOKEN: token } = env;
  return {
    schema: vaultSchema,
    masterKey: env.MASTER_KEY,
    indexSecret: env.INDEX_SECRET,
    ...(url !== undefined && token !== undefined && { keyServer: { url, token } }),
  };
}

/** `run`'s result as JSON, or what it threw, with status 500, for the test to show. */
export async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await run());
  } catch (error) {
    const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
    return Response.json({ error: message, stack }, { status: 500 });
  }
}
