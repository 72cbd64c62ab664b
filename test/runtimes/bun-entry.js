/**
 * The Bun leg's program (bun-deno.test.ts), as a Bun user writes it: packages by their bare names from
 * the app's node_modules, the generated client's TypeScript run as is, libsql for SQLite. It reads the
 * leg's input from PRISMA_VAULT_LEG and prints one line of JSON: the scenario's report and the aead probe.
 * JavaScript, not TypeScript: its imports resolve in the app it is copied into, not in this repo.
 */
/* global process, console */
import { PrismaLibSql } from "@prisma/adapter-libsql";
import { PrismaClient } from "./generated/prisma/client.ts";
import { vaultSchema } from "./generated/vault/index.js";
import { probeAead } from "./aead-probe.ts";
import { runScenario } from "./scenario.ts";

const leg = JSON.parse(process.env.PRISMA_VAULT_LEG);
const base = new PrismaClient({ adapter: new PrismaLibSql({ url: leg.databaseUrl }) });
const input = { ...leg.input, schema: vaultSchema };
const report = await runScenario(base, input);
console.log(JSON.stringify({ ...report, aead: probeAead(base, input) }));
await base.$disconnect();
