/**
 * prisma-vault-native under attack from other threads and from offsets chosen to wrap: spans rewritten by a
 * worker during open(), offsets whose 32-bit sums wrap, the addon loaded by 8 threads at once, and seeded
 * malformed-input fuzzing. The parts that could crash run in a child process (native/fuzz/*.js), so a crash
 * is a failed test, not a dead run; native/fuzz/asan.sh runs the same drivers under AddressSanitizer.
 * Skipped when the addon is not built, but a failure under PRISMA_VAULT_REQUIRE_NATIVE=1.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nativeBackend } from "../support/native.js";

const { binding, skip } = nativeBackend();
const require = createRequire(import.meta.url);
const fuzzDir = fileURLToPath(new URL("../../native/fuzz/", import.meta.url));

describe.skipIf(skip !== undefined)("the native AEAD backend, hardened", () => {
  if (skip !== undefined) console.warn(`skipping the hardened native AEAD backend: ${skip}`);
  const raw = binding as NativeBinding;
  const addon = require.resolve("prisma-vault-native");

  it("spans rewritten by another thread during open() give the texts or a RangeError, never a crash", () => {
    const tally = JSON.parse(runDriver("shared-spans.js", [addon, "3000"])) as {
      opened: number;
      refused: number;
    };
    expect(tally.opened + tally.refused).toBe(3000);
  });

  describe("offsets whose sums wrap in 32 bits are refused", () => {
    const key = new Uint8Array(32);
    const bytes = new Uint8Array(64);
    const aads = new Uint8Array(8);
    const span = (...offsets: number[]) => Uint32Array.from(offsets);
    it.each([
      // IV end + 16 wraps to 8: a tag "before" a ciphertext at 8.
      ["an IV ending at 2^32 - 8", span(0xffffffec, 0xfffffff8, 8, 33, 0, 0)],
      ["an IV ending at 2^32 - 16 (its tag ends at 2^32, i.e. 0)", span(0xffffffe4, 0xfffffff0, 0, 0, 0, 0)],
      // End - start taken mod 2^32 would give a 32-byte, then a 12-byte IV.
      ["an IV from 2^32 - 32 to 0", span(0xffffffe0, 0, 16, 33, 0, 0)],
      ["an IV from 2^32 - 12 to 0", span(0xfffffff4, 0, 16, 33, 0, 0)],
      ["a ciphertext from 2^32 - 1 to 2^32 - 1", span(0, 12, 0xffffffff, 0xffffffff, 0, 0)],
      ["a ciphertext from 40 to 2^32 - 1", span(0, 12, 40, 0xffffffff, 0, 0)],
      ["an aad from 2^32 - 4 to 4", span(0, 12, 28, 33, 0xfffffffc, 4)],
      ["an aad from 4 to 2^32 - 1", span(0, 12, 28, 33, 4, 0xffffffff)],
      ["an aad from 2^32 - 1 to 2^32 - 1", span(0, 12, 28, 33, 0xffffffff, 0xffffffff)],
    ])("%s", (_what, spans) => {
      expect(() => raw.open(key, bytes, aads, spans)).toThrow(RangeError);
    });

    it("a batch of 2^32 - 1 texts, whose 12-byte IVs would need 12 * (2^32 - 1) bytes, is refused", () => {
      const texts = new Array<string>(0xffffffff);
      expect(() => raw.seal(key, new Uint8Array(12), texts, new Array(0xffffffff))).toThrow(RangeError);
      // 12 * (2^32 - 1) mod 2^32 = 2^32 - 12: IVs of that length must not pass for that many texts either.
      expect(() => raw.seal(key, new Uint8Array(0), texts, new Array(0xffffffff))).toThrow(RangeError);
    });
  });

  it("8 worker threads loading the addon at the same instant each seal and open like node:crypto", () => {
    runDriver("workers-load.js", [addon, "4"]);
  });

  it("seeded malformed input (keys, IVs, texts, AADs, spans, counts) gives a result or a TypeError/RangeError", () => {
    const { fuzz } = require(`${fuzzDir}fuzz.js`) as { fuzz: Fuzz };
    for (const seed of [1, 2, 3, 4]) {
      const tally = fuzz(raw, { iterations: 2_000, seed });
      expect(tally.results + tally.refusals).toBe(2_000);
    }
  });
});

/** Runs a driver of native/fuzz in a child process: its crash is this test's failure, not the run's end. */
/** Runs a driver of native/fuzz/ in a child process, which must exit 0 with no signal and no stderr; its stdout. */
function runDriver(script: string, args: string[]): string {
  const child = spawnSync(process.execPath, [`${fuzzDir}${script}`, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect({ signal: child.signal, status: child.status, stderr: child.stderr }).toEqual({
    signal: null,
    status: 0,
    stderr: "",
  });
  return child.stdout;
}

/** The addon called directly: every argument typed as anything. */
interface NativeBinding {
  seal(...args: unknown[]): unknown;
  open(...args: unknown[]): unknown;
}

type Fuzz = (
  binding: NativeBinding,
  options: { iterations: number; seed: number },
) => { results: number; refusals: number };
