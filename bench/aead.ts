/**
 * The AEAD backends side by side: 30,000 short values (3 fields x 10,000 rows, 20-40 bytes each) sealed
 * and opened under one data key by `node:crypto` and by prisma-vault-native, through the AeadBackend
 * interface FieldCipher calls (one call per field's group; opening in the read path's flat form,
 * `openBatch`, the envelopes' bytes laid end to end as a result's are), rounds interleaved. Prints the median µs per
 * value (wall clock, its best round, and this process's CPU time, which a busy machine disturbs less)
 * and the ratios.
 *
 *   npm run build --prefix native && npx tsx --expose-gc bench/aead.ts [--rounds 15]
 */
import { randomBytes } from "node:crypto";
import { associatedData } from "../src/context/key-context.js";
import { nodeAead } from "../src/crypto/node-aead.js";
import { packOpenItems } from "../src/crypto/pack-open-items.js";
import { resolveAead } from "../src/crypto/resolve-aead.js";
import { type AeadBackend, type OpenItem, type SealItem, type Sealed } from "../src/crypto/aead.js";
import { freshIvs } from "../src/crypto/fresh-ivs.js";

const ROWS = 10_000;
const FIELDS = ["email", "phone", "address"] as const;
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 15;

const key = randomBytes(32);
const groups: SealItem[][] = FIELDS.map((field) => {
  const aad = Buffer.from(associatedData("User", field, { organizationId: "org_1" }), "utf8");
  const ivs = freshIvs(ROWS);
  return Array.from({ length: ROWS }, (_, row) => ({
    iv: ivs[row] as Buffer,
    text: valueOf(field, row),
    aad,
  }));
});
const values = ROWS * FIELDS.length;

function valueOf(field: (typeof FIELDS)[number], row: number): string {
  const text =
    field === "email"
      ? `user.${row}@example-company.io`
      : field === "phone"
        ? `+1 (555) ${String(row).padStart(4, "0")}-${row % 97} ext`
        : `${row} Rue de l'Église, Zürich`;
  return text.padEnd(20 + (row % 21), ".").slice(0, 40);
}

interface Timing {
  wall: number[];
  cpu: number[];
}

/** `--expose-gc` lets each measurement start with no garbage left by the other backend. */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function timed(run: () => void, into: Timing): void {
  collect();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  run();
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  const used = process.cpuUsage(cpu);
  into.wall.push(wall / values);
  into.cpu.push((used.user + used.system) / values);
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const backends: AeadBackend[] = [nodeAead];
const native = resolveAead("auto");
if (native.name === "native") backends.push(native);
else console.log("prisma-vault-native does not load: run `npm run build --prefix native` to compare it");

const results = new Map(
  backends.map((b) => [b, { seal: { wall: [], cpu: [] }, open: { wall: [], cpu: [] } }]),
);
for (let round = 0; round <= rounds; round++) {
  for (const backend of backends) {
    const timing = results.get(backend) as { seal: Timing; open: Timing };
    // Round 0 warms up and is not counted.
    const seal = round === 0 ? { wall: [], cpu: [] } : timing.seal;
    const open = round === 0 ? { wall: [], cpu: [] } : timing.open;
    let out: Sealed[][] = [];
    timed(() => {
      out = groups.map((items) => backend.seal(key, items));
    }, seal);
    const sealed: OpenItem[][] = out.map((group, g) =>
      group.map((s, i) => {
        const { iv, aad } = (groups[g] as SealItem[])[i] as SealItem;
        return { ...s, iv, aad };
      }),
    );
    const batches = sealed.map(packOpenItems);
    let opened: (string | null)[][] = [];
    timed(() => {
      opened = batches.map((batch) => backend.openBatch(key, batch));
    }, open);
    // Precondition: every value came back (a backend that drops values would look fast).
    if (opened.some((texts, g) => texts.some((t, i) => t !== (groups[g] as SealItem[])[i]?.text)))
      throw new Error(`${backend.name} did not open what it sealed`);
  }
}

const line = (t: Timing) =>
  `${median(t.wall).toFixed(2).padStart(6)} µs/value wall (best ${Math.min(...t.wall).toFixed(2)}), ` +
  `${median(t.cpu).toFixed(2).padStart(6)} µs/value CPU`;
console.log(
  `${values} values (${FIELDS.length} fields x ${ROWS} rows, 20-40 bytes), one key, ${rounds} rounds, median`,
);
for (const [backend, timing] of results) {
  console.log(`${backend.name.padEnd(6)} seal ${line(timing.seal)}`);
  console.log(`${backend.name.padEnd(6)} open ${line(timing.open)}`);
}
const node = results.get(nodeAead);
const fast = results.get(native);
if (node && fast && native !== nodeAead) {
  for (const op of ["seal", "open"] as const) {
    console.log(
      `native/node ${op}: ${(median(node[op].wall) / median(fast[op].wall)).toFixed(1)}x faster wall, ` +
        `${(median(node[op].cpu) / median(fast[op].cpu)).toFixed(1)}x CPU`,
    );
  }
}
