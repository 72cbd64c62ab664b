/**
 * Issue 26: nothing starts a timer when it is made (workerd refuses a timer in a module's global scope),
 * and a timer is never required to have `unref()` (workerd's timers are numbers).
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import { vaultSchema } from "../generated/sqlite/vault/index.js";

const keys = new LocalKeyProvider({ keys: [{ id: "k", key: LocalKeyProvider.generateKey() }] });
const ref = { model: "User", field: "ssn", context: { organizationId: "org_t" } };

let db: TestDatabase | undefined;
beforeAll(async () => {
  const opened = await openDatabase("sqlite");
  if (!("skip" in opened)) db = opened;
});
afterAll(async () => {
  await db?.close();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("timers", () => {
  it("vault() and $extends start no timer; the cache's sweep starts with its first key and stops on clear()", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const cache = new DataKeyCache(keys, {});
    expect(vi.getTimerCount()).toBe(0);
    if (db) db.plain.$extends(vault({ keys, schema: vaultSchema, indexSecret: randomBytes(32) }));
    expect(vi.getTimerCount()).toBe(0);

    const fields = new FieldCipher(cache);
    const envelope = await fields.encrypt("123-45-6789", ref);
    // lru-cache's own 1 ms timer (its cached clock) ends; the sweep is what stays.
    vi.advanceTimersByTime(1);
    expect(vi.getTimerCount()).toBe(1);
    cache.clear();
    expect(vi.getTimerCount()).toBe(0);
    expect(await fields.decrypt(envelope, ref)).toBe("123-45-6789");
    vi.advanceTimersByTime(1);
    expect(vi.getTimerCount()).toBe(1);
    cache.clear();
  });

  it("timers that are plain numbers, as workerd's are, serve a cached key and a guarded provider call", async () => {
    const { setTimeout: realTimeout, setInterval: realInterval } = globalThis;
    const made: unknown[] = [];
    const numbered =
      <A extends unknown[]>(start: (...args: A) => NodeJS.Timeout) =>
      (...args: A) => {
        const id = Number(start(...args));
        made.push(id);
        return id;
      };
    vi.stubGlobal("setTimeout", numbered(realTimeout as (...args: unknown[]) => NodeJS.Timeout));
    vi.stubGlobal("setInterval", numbered(realInterval as (...args: unknown[]) => NodeJS.Timeout));
    const cache = new DataKeyCache(keys, {}, { timeoutMs: 5_000 });
    const fields = new FieldCipher(cache);
    const envelope = await fields.encrypt("987-65-4321", ref);
    expect(await fields.decrypt(envelope, ref)).toBe("987-65-4321");
    // The guard's time bound and the cache's sweep both ran on numbered timers.
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(made.every((id) => typeof id === "number")).toBe(true);
    cache.clear();
  });
});
