/**
 * The Deno leg's program (bun-deno.test.ts), as a Deno user writes it: npm packages by `npm:` specifiers
 * (prisma-vault and the WorkOS SDK through the app's deno.json imports), resolved from the app's
 * node_modules (`"nodeModulesDir": "manual"`), the environment through `Deno.env`. It reads the leg's
 * input from PRISMA_VAULT_LEG and prints one line of JSON: the scenario's report and the aead probe.
 * JavaScript, not TypeScript: its imports resolve in the app it is copied into, not in this repo.
 */
/* global Deno, console */
import { PrismaLibSql } from "npm:@prisma/adapter-libsql@^7.10.0";
import { PrismaClient } from "./generated/prisma/client.ts";
import { vaultSchema } from "./generated/vault/index.js";
import { probeAead } from "./aead-probe.ts";
import { runScenario } from "./scenario.ts";

const leg = JSON.parse(Deno.env.get("PRISMA_VAULT_LEG"));
const base = new PrismaClient({ adapter: new PrismaLibSql({ url: leg.databaseUrl }) });
const input = { ...leg.input, schema: vaultSchema };
const report = await runScenario(base, input);
console.log(JSON.stringify({ ...report, aead: probeAead(base, input) }));
await base.$disconnect();
