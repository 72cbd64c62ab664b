/**
 * Key hygiene (issue 25, item 6): every copy of key material the local key ring makes on the way —
 * the key-encryption key it derives with HKDF for each wrap and unwrap, the random bytes of a new data
 * key, the plaintext pieces a decipher hands back — is zeroed once used. The test watches the buffers:
 * `node:crypto` is wrapped so that each buffer it returns is recorded, and after the call every
 * recorded buffer is all zeros, except the data key handed to the caller (which the cache zeroes when
 * it drops it).
 */
import * as crypto from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";

const seen: { what: string; bytes: Uint8Array }[] = [];
const record = (what: string, value: ArrayBuffer | Uint8Array) => {
  seen.push({ what, bytes: value instanceof Uint8Array ? value : new Uint8Array(value) });
  return value;
};

vi.mock("node:crypto", async (original) => {
  const real = await original<typeof crypto>();
  return {
    ...real,
    hkdfSync: (...args: Parameters<typeof real.hkdfSync>) => record("hkdf", real.hkdfSync(...args)),
    randomBytes: (size: number) => {
      const bytes = real.randomBytes(size);
      // Only key-sized draws: IVs (12 bytes) are not secret.
      return size === 32 ? record("randomBytes", bytes) : bytes;
    },
    createDecipheriv: (...args: Parameters<typeof real.createDecipheriv>) => {
      const decipher = real.createDecipheriv(...args);
      const update = decipher.update.bind(decipher) as (data: Uint8Array) => Buffer;
      const final = decipher.final.bind(decipher) as () => Buffer;
      return Object.assign(decipher, {
        update: (data: Uint8Array) => record("decipher.update", update(data)),
        final: () => record("decipher.final", final()),
      });
    },
  };
});

const { LocalKeyProvider } = await import("../../src/keys/local.js");
const { useKeyServerRig } = await import("../support/key-server.js");

const zeroed = (bytes: Uint8Array) => bytes.every((b) => b === 0);
const leftovers = (except: readonly Uint8Array[] = []) =>
  seen
    .filter(({ bytes }) => bytes.length > 0 && !zeroed(bytes))
    .filter(({ bytes }) => !except.some((kept) => kept.buffer === bytes.buffer))
    .map(({ what }) => what);

describe("the local key ring zeroes every copy of key material it makes", () => {
  const ring = new LocalKeyProvider({
    keys: [{ id: "k1", key: crypto.webcrypto.getRandomValues(new Uint8Array(32)) }],
  });
  const context = { organizationId: "org_1" };
  beforeEach(() => {
    seen.length = 0;
  });

  it("createDataKey: the derived KEK and the random bytes are zeroed; only the returned key holds the data key", async () => {
    const created = await ring.createDataKey(context);
    expect(seen.map((s) => s.what)).toContain("hkdf");
    expect(leftovers([created.key])).toEqual([]);
  });

  it("decryptDataKey: the derived KEK and what the decipher returned are zeroed; only the returned key holds it", async () => {
    const { encryptedKeys } = await ring.createDataKey(context);
    seen.length = 0;
    const opened = await ring.decryptDataKey(encryptedKeys);
    expect(seen.map((s) => s.what)).toEqual(expect.arrayContaining(["hkdf", "decipher.update"]));
    expect(leftovers([opened.key])).toEqual([]);
  });

  it("rekey: both KEKs and the unwrapped key's pieces are zeroed", async () => {
    const { encryptedKeys } = await ring.createDataKey(context);
    seen.length = 0;
    const rekeyed = await ring.rekey(encryptedKeys, { organizationId: "org_2" });
    expect(seen.filter((s) => s.what === "hkdf")).toHaveLength(2);
    expect(leftovers([rekeyed.key])).toEqual([]);
  });

  it("owns (a KeyRouter's question) zeroes what it unwrapped to answer", async () => {
    const { encryptedKeys } = await ring.createDataKey(context);
    seen.length = 0;
    expect(ring.owns(encryptedKeys)).toBe(true);
    expect(leftovers()).toEqual([]);
  });
});

describe("WorkOSKeyProvider leaves no copy of a data key it decodes", () => {
  const rig = useKeyServerRig();
  const context = { organizationId: "org_1" };

  it("the base64 decode of each data key (a slice of Node's shared pool) is zeroed; only the returned key holds it", async () => {
    const decoded: Buffer[] = [];
    const from = Buffer.from.bind(Buffer) as (...args: unknown[]) => Buffer;
    const spy = vi.spyOn(Buffer, "from").mockImplementation(((...args: unknown[]) => {
      const result = from(...args);
      if (args[1] === "base64" && result.length === 32) decoded.push(result);
      return result;
    }) as typeof Buffer.from);
    try {
      const created = await rig.provider.createDataKey(context);
      const opened = await rig.provider.decryptDataKey(created.encryptedKeys);
      expect(decoded.length).toBeGreaterThanOrEqual(2);
      for (const copy of decoded) {
        const kept = [created.key, opened.key].some(
          (key) => key.buffer === copy.buffer && key.byteOffset === copy.byteOffset,
        );
        if (!kept) expect(copy.every((b) => b === 0)).toBe(true);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
