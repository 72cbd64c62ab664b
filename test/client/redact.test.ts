import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encryptedFieldNames, redactError, secretsIn } from "../../src/client/redact.js";
import { testSchema } from "../support/datamodel.js";

const names = encryptedFieldNames(testSchema());
const ssn = "123-45-6789";
/** Base64 of 48 bytes: as long as a short envelope's key blob. */
const envelopeLike = Buffer.alloc(48, 0xab).toString("base64");

describe("encryptedFieldNames", () => {
  it("names every encrypted field of every model, and no plain field", () => {
    expect([...names].sort()).toEqual([
      "bio",
      "body",
      "email",
      "handle",
      "note",
      "notes",
      "phone",
      "secret",
      "ssn",
      "text",
    ]);
  });
});

describe("secretsIn", () => {
  it("finds values under an encrypted field's name in data, { set }, filters and nested writes", () => {
    const args = {
      where: { OR: [{ email: { equals: "a@x.io" } }, { ssn: { in: ["111", "222"] } }], name: "Ann" },
      data: {
        notes: { set: "a note" },
        posts: { create: [{ title: "Hello", body: "post body" }] },
      },
    };
    expect(new Set(secretsIn(args, names))).toEqual(new Set(["a@x.io", "111", "222", "a note", "post body"]));
  });

  it("ignores values of plain fields and values that are not strings", () => {
    expect(
      secretsIn({ data: { name: ssn, title: ssn, ssn: 42, email: null, notes: undefined } }, names),
    ).toEqual([]);
  });

  it("lists each secret once, longest first, and never the empty string", () => {
    const args = { data: [{ ssn: "123" }, { ssn }, { email: "" }, { notes: "123" }, { bio: "12345" }] };
    expect(secretsIn(args, names)).toEqual([ssn, "12345", "123"]);
  });

  it("is empty for arguments that are not objects", () => {
    for (const args of [undefined, null, ssn, 1]) expect(secretsIn(args, names)).toEqual([]);
  });

  it("returns on arguments nested far deeper than any Prisma query", () => {
    let args: Record<string, unknown> = { ssn: "deep" };
    for (let i = 0; i < 10_000; i++) args = { AND: args };
    expect(secretsIn(args, names)).toEqual([]);
  });

  it("for any arguments, every string under an encrypted name is found, and the list is sorted", () => {
    const key = fc.constantFrom("ssn", "email", "name", "title", "data", "where", "create", "OR", "set");
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.string({ maxLength: 8 }),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (args) => {
        const found = secretsIn(args, names);
        for (const value of stringsUnderNames(args, names, false))
          if (value !== "") expect(found).toContain(value);
        for (let i = 1; i < found.length; i++)
          expect((found[i - 1] as string).length).toBeGreaterThanOrEqual((found[i] as string).length);
        expect(found).not.toContain("");
      }),
      { numRuns: 300 },
    );
  });
});

describe("redactError", () => {
  it("replaces an encrypted value's JSON form in the message, stack and cause", () => {
    const cause = new Error(`Key (ssn)=("${ssn}") already exists`);
    const error = new Error(`Invalid \`prisma.user.create()\` invocation: { ssn: "${ssn}" }`, { cause });
    expect(redactError(error, [ssn])).toBe(error);
    expect(error.message).toBe('Invalid `prisma.user.create()` invocation: { ssn: "[redacted]" }');
    expect(error.stack).not.toContain(ssn);
    expect(error.stack).toContain('{ ssn: "[redacted]" }');
    expect(cause.message).toBe('Key (ssn)=("[redacted]") already exists');
  });

  it("cuts a secret of 3 characters or more wherever it appears, a shorter one only where it is quoted", () => {
    const long = new Error(`value 123abc, again: 123abc`);
    redactError(long, ["123abc"]);
    expect(long.message).toBe("value [redacted], again: [redacted]");
    const short = new Error('ssn: "42", take: 42');
    redactError(short, ["42"]);
    expect(short.message).toBe('ssn: "[redacted]", take: 42');
  });

  it("cuts the longest secret whole when a shorter one is part of it", () => {
    const error = new Error(`ssn ${ssn} prefix 123`);
    redactError(error, secretsIn({ data: { ssn, notes: "123" } }, names));
    expect(error.message).toBe("ssn [redacted] prefix [redacted]");
  });

  it("cuts envelope-like base64 runs even when no argument named them, but leaves stack frames alone", () => {
    const frame = `    at run (/srv/${"a".repeat(60)}/index.js:1:1)`;
    const error = new Error(
      `P2000: value ${envelopeLike} too long for column; short ${envelopeLike.slice(0, 39)}`,
    );
    error.stack = `Error: ${error.message}\n${frame}`;
    redactError(error, []);
    expect(error.message).toBe(
      `P2000: value [redacted] too long for column; short ${envelopeLike.slice(0, 39)}`,
    );
    expect(error.stack).toBe(`Error: ${error.message}\n${frame}`);
  });

  it("scrubs enumerable properties at any depth, keeping which of them are enumerable", () => {
    const error = Object.assign(new Error("P2002"), {
      code: "P2002",
      meta: { target: ["ssn"], values: [ssn, { quoted: `"${ssn}"` }], token: envelopeLike },
    });
    redactError(error, [ssn]);
    expect(error.meta).toEqual({
      target: ["ssn"],
      values: ["[redacted]", { quoted: '"[redacted]"' }],
      token: "[redacted]",
    });
    expect(error.code).toBe("P2002");
    expect(Object.keys(error).sort()).toEqual(["code", "meta"]);
    expect(Object.getOwnPropertyDescriptor(error, "message")?.enumerable).toBe(false);
  });

  it("rewrites a read-only but configurable property, and a getter", () => {
    const error = new Error("x");
    Object.defineProperty(error, "detail", {
      value: `got ${ssn}`,
      enumerable: true,
      writable: false,
      configurable: true,
    });
    Object.defineProperty(error, "query", {
      get: () => `WHERE ssn = '${ssn}'`,
      enumerable: true,
      configurable: true,
    });
    redactError(error, [ssn]);
    expect((error as unknown as { detail: string }).detail).toBe("got [redacted]");
    expect((error as unknown as { query: string }).query).toBe("WHERE ssn = '[redacted]'");
  });

  it("terminates on a cause chain that loops back, and scrubs each error once", () => {
    const first = new Error(`one ${ssn}`);
    const second = new Error(`two ${ssn}`, { cause: first });
    (first as { cause?: unknown }).cause = second;
    redactError(first, [ssn]);
    expect([first.message, second.message]).toEqual(["one [redacted]", "two [redacted]"]);
  });

  it("cleans a thrown string, and returns other values as they are", () => {
    expect(redactError(`bad value ${ssn}`, [ssn])).toBe("bad value [redacted]");
    for (const value of [undefined, null, 42]) expect(redactError(value, [ssn])).toBe(value);
  });

  it("never leaves a secret of 3 characters or more in any string of a random error-shaped object", () => {
    // Characters of the "[redacted]" marker are left out: a secret made of them would be found in the marker.
    const unit = fc.constantFrom(..."0123456789xyzXYZ-_@. \"'\\\né€🔐");
    const secretList = fc.uniqueArray(fc.string({ unit, minLength: 3, maxLength: 10 }), {
      minLength: 1,
      maxLength: 3,
    });
    const case_ = secretList.chain((secrets) => {
      const text = fc
        .array(
          fc.oneof(
            fc.constantFrom(...secrets),
            fc.constantFrom(...secrets.map((s) => JSON.stringify(s))),
            fc.string({ unit, maxLength: 6 }),
          ),
          { maxLength: 5 },
        )
        .map((parts) => parts.join(""));
      const shaped = fc.letrec((tie) => ({
        node: fc.oneof(
          { depthSize: "small", maxDepth: 3, withCrossShrink: true },
          text,
          fc.array(tie("node"), { maxLength: 3 }),
          fc.dictionary(fc.constantFrom("meta", "target", "detail", "values"), tie("node"), { maxKeys: 3 }),
          fc
            .tuple(
              text,
              fc.dictionary(fc.constantFrom("code", "meta", "sql"), tie("node"), { maxKeys: 2 }),
              tie("node"),
            )
            .map(([message, props, cause]) => Object.assign(new Error(message, { cause }), props)),
        ),
      })).node;
      return fc.tuple(fc.constant(secrets), shaped);
    });
    fc.assert(
      fc.property(case_, ([secrets, error]) => {
        const sorted = [...secrets].sort((a, b) => b.length - a.length);
        const out = redactError(error, sorted);
        for (const value of allStrings(out))
          for (const secret of secrets) expect(value).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });
});

/** The strings under a key in `names`, at any depth (`under` once an ancestor's key was one). */
function stringsUnderNames(value: unknown, names: ReadonlySet<string>, under: boolean): string[] {
  if (typeof value === "string") return under ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => stringsUnderNames(item, names, under));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    stringsUnderNames(item, names, under || names.has(key)),
  );
}

/** Every string reachable from `value` through own properties, enumerable or not (message, stack, cause). */
function allStrings(value: unknown, seen = new Set<object>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  return Object.getOwnPropertyNames(value).flatMap((key) =>
    allStrings((value as Record<string, unknown>)[key], seen),
  );
}

describe("redaction on hostile shapes", () => {
  it("secretsIn returns on looping arguments, with the secret found once", () => {
    const loop: Record<string, unknown> = { equals: ssn };
    loop["self"] = loop;
    expect(secretsIn({ where: { email: loop } }, names)).toEqual([ssn]);
  });

  it("secretsIn visits a shared object once: a 40-level diamond takes no time", () => {
    // Each level's children are read through counting getters: visited once each, 40 levels read 80
    // children; visited by path, 2^41. Past 1,000 reads the walk is stopped, rather than left to run.
    let reads = 0;
    const read = <T>(value: T): T => {
      if (++reads > 1_000) throw new Error("secretsIn read the diamond's children more than 1,000 times");
      return value;
    };
    let node: Record<string, unknown> = { email: ssn };
    for (let i = 0; i < 40; i++) {
      const child = node;
      node = {
        get a() {
          return read(child);
        },
        get b() {
          return read(child);
        },
      };
    }
    expect(secretsIn(node, names)).toEqual([ssn]);
    expect(reads).toBe(80);
  });

  it("redactError cleans a cause chain of 20 errors and a frozen property object", () => {
    let error = new Error(`deepest ${ssn}`);
    for (let i = 0; i < 19; i++) error = new Error(`level ${i}`, { cause: error });
    const frozen = Object.assign(new Error("P2002"), { meta: Object.freeze({ target: ssn }) });
    for (const e of [error, frozen]) {
      redactError(e, [ssn]);
      let current: unknown = e;
      while (current instanceof Error) {
        expect(current.message).not.toContain(ssn);
        expect(JSON.stringify((current as { meta?: unknown }).meta ?? {})).not.toContain(ssn);
        current = current.cause;
      }
    }
  });

  it('a secret that is part of "[redacted]" does not mangle the placeholder', () => {
    const error = new Error('value "red" and red');
    redactError(error, ["red"]);
    expect(error.message).toBe('value "[redacted]" and [redacted]');
  });
});
