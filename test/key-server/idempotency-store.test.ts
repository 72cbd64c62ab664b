import { afterEach, describe, expect, it } from "vitest";
import {
  fingerprint,
  IdempotencyStore,
  readIdempotencyKey,
  scopedKey,
} from "../../src/key-server/idempotency.js";
import type { Reply } from "../../src/key-server/http.js";
import { tracked, until } from "../support/until.js";

class FakeClock {
  time = 1_000;
  now = () => this.time;
}

const print = fingerprint("POST", "/vault/v1/keys/data-key", Buffer.from('{"context":{"a":"b"}}'));

describe("IdempotencyStore", () => {
  const stores: IdempotencyStore[] = [];
  const store = (options: { max?: number; ttlMs?: number; clock?: FakeClock } = {}) => {
    const made = new IdempotencyStore({ max: 100, ttlMs: 60_000, ...options });
    stores.push(made);
    return made;
  };
  afterEach(() => {
    stores.splice(0).forEach((made) => made.close());
  });
  let runs = 0;
  const reply = (status: number, json: unknown = { n: ++runs }): (() => Promise<Reply>) => {
    return () => Promise.resolve({ status, json, headers: { "X-Extra": "1" } });
  };

  it("a key seen before with the same fingerprint gets the stored reply; execute does not run again", async () => {
    const keys = store();
    const first = await keys.serve("k", print, reply(200, { id: "one" }));
    expect(first).toEqual({
      outcome: "ran",
      reply: { status: 200, json: { id: "one" }, headers: { "X-Extra": "1" } },
    });
    let ranAgain = false;
    const second = await keys.serve("k", print, () => {
      ranAgain = true;
      return reply(200)();
    });
    expect(second).toEqual({ outcome: "replayed", reply: first.reply });
    expect(ranAgain).toBe(false);
  });

  it("the same key with another fingerprint is 422 idempotency_key_reused, stored or still running", async () => {
    const keys = store();
    await keys.serve("k", print, reply(200));
    const other = fingerprint("POST", "/vault/v1/keys/data-key", Buffer.from('{"context":{"a":"c"}}'));
    const refused = await keys.serve("k", other, reply(200));
    expect(refused.outcome).toBe("refused");
    expect(refused.reply).toMatchObject({ status: 422, json: { code: "idempotency_key_reused" } });
    expect(JSON.stringify(refused.reply)).not.toContain('"c"');
    let open: () => void = () => undefined;
    const running = keys.serve("r", print, async () => {
      await new Promise<void>((resolve) => (open = resolve));
      return { status: 200, json: {} };
    });
    expect((await keys.serve("r", other, reply(200))).outcome).toBe("refused");
    open();
    expect((await running).outcome).toBe("ran");
  });

  it("a request that comes while the first with its key runs waits for it and gets its reply", async () => {
    const keys = store();
    let open: () => void = () => undefined;
    let calls = 0;
    const execute = async (): Promise<Reply> => {
      calls++;
      await new Promise<void>((resolve) => (open = resolve));
      return { status: 201, json: { id: "made-once" } };
    };
    const first = keys.serve("k", print, execute);
    const waiting = Array.from({ length: 5 }, () => tracked(keys.serve("k", print, execute)));
    await until("the first request runs", () => calls === 1);
    expect(waiting.some((w) => w.settled)).toBe(false);
    open();
    expect((await first).outcome).toBe("ran");
    for (const w of waiting)
      expect(await w.promise).toEqual({ outcome: "replayed", reply: (await first).reply });
    expect(calls).toBe(1);
  });

  it("a 5xx is not stored: the next request with the key runs again, and so does one that was waiting", async () => {
    const keys = store();
    let open: () => void = () => undefined;
    const failing = keys.serve("k", print, async () => {
      await new Promise<void>((resolve) => (open = resolve));
      return { status: 503, json: { code: "key_provider_unavailable" } };
    });
    const waiting = keys.serve("k", print, reply(200, { id: "second" }));
    open();
    expect((await failing).reply.status).toBe(503);
    expect(await waiting).toMatchObject({ outcome: "ran", reply: { status: 200, json: { id: "second" } } });
    expect(await keys.serve("k", print, reply(200))).toMatchObject({
      outcome: "replayed",
      reply: { json: { id: "second" } },
    });
  });

  it("every status below 500 is stored, 4xx included; a 204's empty body replays empty", async () => {
    const keys = store();
    for (const status of [200, 201, 204, 400, 404, 409, 422, 499]) {
      const json = status === 204 ? undefined : { status };
      await keys.serve(`k${status}`, print, () =>
        Promise.resolve({ status, json, headers: { "X-Extra": "1" } }),
      );
      expect(await keys.serve(`k${status}`, print, reply(200))).toEqual({
        outcome: "replayed",
        reply: { status, json, headers: { "X-Extra": "1" } },
      });
    }
    for (const status of [500, 502, 503, 504]) {
      await keys.serve(`k${status}`, print, reply(status));
      expect((await keys.serve(`k${status}`, print, reply(200))).outcome).toBe("ran");
    }
  });

  it("a request whose execute throws is not stored; the error reaches the caller and the key is free again", async () => {
    const keys = store();
    await expect(keys.serve("k", print, () => Promise.reject(new Error("handler broke")))).rejects.toThrow(
      "handler broke",
    );
    expect((await keys.serve("k", print, reply(200))).outcome).toBe("ran");
  });

  it("keeps at most max keys, dropping the least recently used", async () => {
    const keys = store({ max: 2 });
    await keys.serve("a", print, reply(200));
    await keys.serve("b", print, reply(200));
    await keys.serve("c", print, reply(200));
    expect(keys.size).toBe(2);
    expect((await keys.serve("a", print, reply(200))).outcome).toBe("ran");
    expect((await keys.serve("c", print, reply(200))).outcome).toBe("replayed");
  });

  it("an entry lives ttlMs from when it was stored; a millisecond later the key runs again", async () => {
    const clock = new FakeClock();
    const keys = store({ ttlMs: 1_000, clock });
    await keys.serve("k", print, reply(200));
    clock.time += 1_000;
    expect((await keys.serve("k", print, reply(200))).outcome).toBe("replayed");
    clock.time += 1;
    expect((await keys.serve("k", print, reply(200))).outcome).toBe("ran");
  });

  it("a stored body is zeroed when its entry leaves the store; close() forgets every key", async () => {
    const keys = store({ max: 1 });
    await keys.serve("a", print, reply(200, { data_key: "secret-bytes" }));
    const stored = keys.storedBody("a");
    expect(stored?.toString()).toContain("secret-bytes");
    await keys.serve("b", print, reply(200));
    expect(stored?.every((byte) => byte === 0)).toBe(true);
    keys.close();
    expect(keys.size).toBe(0);
  });
});

describe("readIdempotencyKey", () => {
  it("no header is no key; 1-255 characters is a key", () => {
    expect(readIdempotencyKey(undefined)).toEqual({ ok: true, key: undefined });
    expect(readIdempotencyKey("retry-1")).toEqual({ ok: true, key: "retry-1" });
    expect(readIdempotencyKey("k".repeat(255))).toEqual({ ok: true, key: "k".repeat(255) });
  });

  it("an empty key or one longer than 255 characters is 400 invalid_idempotency_key", () => {
    for (const header of ["", "k".repeat(256)]) {
      const read = readIdempotencyKey(header);
      expect(read).toMatchObject({
        ok: false,
        reply: { status: 400, json: { code: "invalid_idempotency_key" } },
      });
    }
  });
});

describe("scopedKey and fingerprint", () => {
  it("scopes a key by a digest of the token, never the token itself", () => {
    const scoped = scopedKey("sk_test_secret_token", "retry-1");
    expect(scoped).not.toContain("sk_test_secret_token");
    expect(scoped).toMatch(/^[0-9a-f]{64}:retry-1$/);
    expect(scopedKey("sk_other", "retry-1")).not.toBe(scoped);
  });

  it("a fingerprint changes with the method, the path and query, and every body byte", () => {
    const body = Buffer.from("{}");
    const base = fingerprint("PUT", "/vault/v1/kv/x", body);
    expect(fingerprint("PUT", "/vault/v1/kv/x", Buffer.from("{}"))).toBe(base);
    expect(fingerprint("POST", "/vault/v1/kv/x", body)).not.toBe(base);
    expect(fingerprint("PUT", "/vault/v1/kv/y", body)).not.toBe(base);
    expect(fingerprint("PUT", "/vault/v1/kv/x?version_check=v", body)).not.toBe(base);
    expect(fingerprint("PUT", "/vault/v1/kv/x", Buffer.from("{ }"))).not.toBe(base);
    // The parts are delimited: moving a byte from the path to the body is another request.
    expect(fingerprint("PUT", "/a", Buffer.from("b"))).not.toBe(fingerprint("PUT", "/ab", Buffer.from("")));
  });
});
