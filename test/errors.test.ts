import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as errors from "../src/errors.js";
import {
  isVaultError,
  VaultConfigError,
  VaultContextInvalidError,
  VaultContextMissingError,
  VaultDecryptError,
  VaultEnvelopeInvalidError,
  VaultError,
  VaultKeyProviderError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
  VaultUnsupportedQueryError,
  VaultNotFoundError,
  VaultConflictError,
  VaultInvalidArgumentError,
} from "../src/errors.js";
import { markCommitted } from "../src/mark-committed.js";
import { VAULT_ERROR_CODES, type VaultErrorCode } from "../src/error-codes.js";
import * as api from "../src/index.js";

const ssn = "123-45-6789";

describe("VaultError", () => {
  it.each(VAULT_ERROR_CODES)("can be constructed with code %s, which isVaultError matches", (code) => {
    const error = new VaultError(code, "something failed");
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe("VaultError");
    expect(error.message).toBe("something failed");
    expect(isVaultError(error)).toBe(true);
    expect(isVaultError(error, code)).toBe(true);
    for (const other of VAULT_ERROR_CODES.filter((c) => c !== code))
      expect(isVaultError(error, other)).toBe(false);
  });

  it("names model, field and primary key in front of the message", () => {
    expect(new VaultError("VAULT_CONFIG", "bad", { model: "User" }).message).toBe("User: bad");
    expect(new VaultError("VAULT_CONFIG", "bad", { model: "User", field: "ssn" }).message).toBe(
      "User.ssn: bad",
    );
    expect(new VaultError("VAULT_CONFIG", "bad", { model: "User", field: "ssn", id: 42 }).message).toBe(
      "User.ssn (id 42): bad",
    );
    expect(new VaultError("VAULT_CONFIG", "bad", { model: "User", id: "usr_1" }).message).toBe(
      'User (id "usr_1"): bad',
    );
  });

  it("shows bigint and compound primary keys, and a key it cannot show as ?", () => {
    const at = (id: unknown) => new VaultError("VAULT_DECRYPT_FAILED", "x", { model: "M", id }).message;
    expect(at(12n)).toBe("M (id 12): x");
    expect(at({ orgId: "o", n: 3, big: 9n })).toBe('M (id {"orgId":"o","n":3,"big":"9"}): x');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    expect(at(cyclic)).toBe("M (id ?): x");
  });

  it("without a model says nothing of a field or id, even when they are given", () => {
    const error = new VaultError("VAULT_CONFIG", "bad", { field: "ssn", id: 1 });
    expect(error.message).toBe("bad");
    expect(error.field).toBe("ssn");
    expect(error.id).toBe(1);
  });

  it("keeps model, field and id as properties", () => {
    const error = new VaultError("VAULT_CONTEXT_MISSING", "x", {
      model: "User",
      field: "email",
      id: { a: 1 },
    });
    expect([error.model, error.field, error.id]).toEqual(["User", "email", { a: 1 }]);
    const bare = new VaultError("VAULT_CONFIG", "x");
    expect([bare.model, bare.field, bare.id]).toEqual([undefined, undefined, undefined]);
  });

  it("passes a cause through without putting the cause's value in its message", () => {
    const causes = [ssn, new Error(`the value ${ssn} is too long`), { value: ssn }];
    for (const cause of causes) {
      const error = new VaultError("VAULT_KEY_PROVIDER", "the provider failed", {
        model: "User",
        field: "ssn",
        cause,
      });
      expect(error.cause).toBe(cause);
      expect(error.message).not.toContain(ssn);
      expect(String(error)).not.toContain(ssn);
    }
    expect("cause" in new VaultError("VAULT_CONFIG", "x")).toBe(false);
  });

  it("for any place and cause, the message is place then text, and never shows the cause", () => {
    const name = fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/);
    fc.assert(
      fc.property(
        name,
        name,
        fc.oneof(fc.nat(), fc.stringMatching(/^[a-z0-9_]{1,10}$/)),
        fc.string({ minLength: 1, maxLength: 20 }),
        (model, field, id, secret) => {
          const cause = new Error(`SECRET:${secret}`);
          const error = new VaultError("VAULT_DECRYPT_FAILED", "decryption failed", {
            model,
            field,
            id,
            cause,
          });
          const shown = typeof id === "string" ? JSON.stringify(id) : String(id);
          expect(error.message).toBe(`${model}.${field} (id ${shown}): decryption failed`);
          expect(error.message).not.toContain("SECRET:");
        },
      ),
    );
  });

  it("is committed only when the details say committed: true", () => {
    expect(new VaultError("VAULT_DECRYPT_FAILED", "x").committed).toBe(false);
    expect(new VaultError("VAULT_DECRYPT_FAILED", "x", { committed: true }).committed).toBe(true);
    const truthy = { committed: "yes" } as unknown as { committed: boolean };
    expect(new VaultError("VAULT_DECRYPT_FAILED", "x", truthy).committed).toBe(false);
  });
});

describe("the VaultError subclasses", () => {
  it("each carry their code and name, and are VaultErrors", () => {
    const cases: [VaultError, VaultErrorCode, string][] = [
      [new VaultConfigError("bad option"), "VAULT_CONFIG", "VaultConfigError"],
      [new VaultDecryptError(), "VAULT_DECRYPT_FAILED", "VaultDecryptError"],
      [new VaultKeyRejectedError("refused"), "VAULT_KEY_PROVIDER", "VaultKeyRejectedError"],
      [new VaultKeyUnavailableError("missing"), "VAULT_KEY_UNAVAILABLE", "VaultKeyUnavailableError"],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(VaultError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(String(error).startsWith(`${name}: `)).toBe(true);
      expect(isVaultError(error, code)).toBe(true);
    }
  });

  it("a decryption failure has one opaque message, whatever its cause", () => {
    const plain = new VaultDecryptError({ model: "User", field: "ssn", id: 7 });
    const caused = new VaultDecryptError({
      model: "User",
      field: "ssn",
      id: 7,
      cause: new Error(`bad tag for ${ssn}`),
    });
    expect(plain.message).toBe("User.ssn (id 7): decryption failed");
    expect(caused.message).toBe(plain.message);
  });

  it("VaultKeyUnavailableError keeps the missing key's id, and place details", () => {
    const error = new VaultKeyUnavailableError('master key "k9" is not configured', {
      keyId: "k9",
      model: "User",
      field: "ssn",
    });
    expect(error.keyId).toBe("k9");
    expect(error.message).toBe('User.ssn: master key "k9" is not configured');
    expect(new VaultKeyUnavailableError("missing").keyId).toBeUndefined();
  });
});

describe("markCommitted", () => {
  it("marks a VaultError as committed, and returns it", () => {
    const error = new VaultDecryptError({ model: "User" });
    expect(markCommitted(error)).toBe(error);
    expect(error.committed).toBe(true);
    expect(Object.keys(error)).toContain("committed");
  });

  it("leaves other errors and values as they are", () => {
    const prismaLike = Object.assign(new Error("P2002"), { code: "P2002" });
    expect(markCommitted(prismaLike)).toBe(prismaLike);
    expect("committed" in prismaLike).toBe(false);
    const vaultLookalike = { code: "VAULT_DECRYPT_FAILED", committed: false };
    markCommitted(vaultLookalike);
    expect(vaultLookalike.committed).toBe(false);
    for (const value of [undefined, null, "x", 1]) expect(markCommitted(value)).toBe(value);
  });
});

describe("isVaultError", () => {
  const brand = Symbol.for("prisma-vault.VaultError");

  it("holds for a branded error from the package's other module copy, not only for instances", () => {
    const fromOtherCopy = Object.defineProperty(
      Object.assign(new Error("x"), { code: "VAULT_CONFIG" }),
      brand,
      {
        value: true,
      },
    );
    expect(fromOtherCopy instanceof VaultError).toBe(false);
    expect(isVaultError(fromOtherCopy)).toBe(true);
    expect(isVaultError(fromOtherCopy, "VAULT_CONFIG")).toBe(true);
    expect(isVaultError(fromOtherCopy, "VAULT_DECRYPT_FAILED")).toBe(false);
  });

  it("refuses an error that only has a Vault code, or a brand that is not true", () => {
    expect(isVaultError(Object.assign(new Error("x"), { code: "VAULT_CONFIG" }))).toBe(false);
    expect(isVaultError({ code: "VAULT_DECRYPT_FAILED" })).toBe(false);
    expect(isVaultError({ code: "VAULT_CONFIG", [brand]: "yes" })).toBe(false);
    expect(isVaultError({ code: "VAULT_CONFIG", [Symbol("prisma-vault.VaultError")]: true })).toBe(false);
  });

  it("refuses a branded error whose code is not one of VAULT_ERROR_CODES", () => {
    expect(isVaultError({ code: "VAULT_SOMETHING", [brand]: true })).toBe(false);
    expect(isVaultError({ [brand]: true })).toBe(false);
    const error = new VaultConfigError("x");
    Object.defineProperty(error, "code", { value: "P2002" });
    expect(isVaultError(error)).toBe(false);
  });

  it("is false for null, undefined and primitives", () => {
    for (const value of [null, undefined, "VAULT_CONFIG", 0, true]) expect(isVaultError(value)).toBe(false);
  });
});

/** A VaultError class, whatever its constructor takes. */
type ErrorClass = (abstract new (...args: never[]) => VaultError) & { readonly code?: VaultErrorCode };

/** One error of each code, made as prisma-vault makes it. */
const OF_CODE: Record<VaultErrorCode, { readonly Class: ErrorClass; readonly make: () => VaultError }> = {
  VAULT_CONFIG: { Class: VaultConfigError, make: () => new VaultConfigError("bad option") },
  VAULT_CONTEXT_MISSING: {
    Class: VaultContextMissingError,
    make: () => new VaultContextMissingError("the row's key context field is not known"),
  },
  VAULT_CONTEXT_INVALID: {
    Class: VaultContextInvalidError,
    make: () => new VaultContextInvalidError("a key context needs at least one pair"),
  },
  VAULT_DECRYPT_FAILED: { Class: VaultDecryptError, make: () => new VaultDecryptError() },
  VAULT_KEY_PROVIDER: {
    Class: VaultKeyProviderError,
    make: () => new VaultKeyProviderError('key provider "p" failed in decryptDataKey()'),
  },
  VAULT_KEY_UNAVAILABLE: {
    Class: VaultKeyUnavailableError,
    make: () => new VaultKeyUnavailableError('master key "k9" is not configured', { keyId: "k9" }),
  },
  VAULT_UNSUPPORTED_QUERY: {
    Class: VaultUnsupportedQueryError,
    make: () =>
      new VaultUnsupportedQueryError("orderBy on an encrypted field cannot be answered over ciphertext"),
  },
  VAULT_ENVELOPE_INVALID: {
    Class: VaultEnvelopeInvalidError,
    make: () => new VaultEnvelopeInvalidError("the value is not a Vault envelope: it is not base64"),
  },
  VAULT_NOT_FOUND: {
    Class: VaultNotFoundError,
    make: () => new VaultNotFoundError('no Vault object has the id "secret_01"'),
  },
  VAULT_CONFLICT: {
    Class: VaultConflictError,
    make: () => new VaultConflictError("the object's current version is not the version checked"),
  },
  VAULT_INVALID_ARGUMENT: {
    Class: VaultInvalidArgumentError,
    make: () => new VaultInvalidArgumentError("limit must be a whole number, 1-100"),
  },
};

/** Every class errors.ts exports that is a VaultError (the base excluded). */
const ERROR_CLASSES = Object.values(errors as Record<string, unknown>).filter(
  (value): value is ErrorClass => typeof value === "function" && value.prototype instanceof VaultError,
);

const place = { model: "User", field: "ssn", id: 42 };

describe("one subclass per code", () => {
  it("every code in VAULT_ERROR_CODES has exactly one class, a direct subclass of VaultError with a static code", () => {
    const perCode = ERROR_CLASSES.filter((Class) => Object.getPrototypeOf(Class) === VaultError);
    expect(perCode.map((Class) => Class.code).sort()).toEqual([...VAULT_ERROR_CODES].sort());
    for (const code of VAULT_ERROR_CODES)
      expect(perCode.filter((Class) => Class.code === code)).toEqual([OF_CODE[code].Class]);
  });

  it("a class below a code's class is a refinement with the same code (VaultKeyRejectedError)", () => {
    const refinements = ERROR_CLASSES.filter((Class) => Object.getPrototypeOf(Class) !== VaultError);
    expect(refinements).toEqual([VaultKeyRejectedError]);
    const rejected = new VaultKeyRejectedError("refused");
    expect(rejected).toBeInstanceOf(VaultKeyProviderError);
    expect([rejected.code, rejected.name, VaultKeyRejectedError.code]).toEqual([
      "VAULT_KEY_PROVIDER",
      "VaultKeyRejectedError",
      "VAULT_KEY_PROVIDER",
    ]);
  });

  it("every error class is exported from the package root", () => {
    for (const Class of [VaultError, ...ERROR_CLASSES])
      expect(api[Class.name as keyof typeof api]).toBe(Class);
  });

  it.each(VAULT_ERROR_CODES)(
    "%s: its class, instanceof VaultError, code, name and isVaultError agree",
    (code) => {
      const { Class, make } = OF_CODE[code];
      const error = make();
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(VaultError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(Class.name);
      expect(String(error).startsWith(`${Class.name}: `)).toBe(true);
      for (const other of VAULT_ERROR_CODES) {
        expect(isVaultError(error, other)).toBe(other === code);
        if (other !== code) expect(error).not.toBeInstanceOf(OF_CODE[other].Class);
      }
    },
  );

  it.each(VAULT_ERROR_CODES)(
    "%s: a located copy keeps its class, code, text and fields, with the original as cause",
    (code) => {
      const { Class, make } = OF_CODE[code];
      const error = make();
      const located = error.locatedAt(place);
      expect(located).not.toBe(error);
      expect(located.constructor).toBe(Class);
      expect([located.code, located.name]).toEqual([code, Class.name]);
      expect([located.model, located.field, located.id]).toEqual(["User", "ssn", 42]);
      expect(located.message).toBe(`User.ssn (id 42): ${error.message}`);
      expect(located.cause).toBe(error);
      expect(isVaultError(located, code)).toBe(true);
    },
  );

  it("a located copy of VaultKeyRejectedError is still one (the cipher, not the copy, makes it opaque)", () => {
    const located = new VaultKeyRejectedError("refused").locatedAt(place);
    expect(located.constructor).toBe(VaultKeyRejectedError);
    expect(located.message).toBe("User.ssn (id 42): refused");
  });

  it("a located copy keeps keyId, an existing cause and committed", () => {
    const cause = new Error("ECONNRESET");
    const unavailable = new VaultKeyUnavailableError("missing", { keyId: "k9", cause }).locatedAt(place);
    expect(unavailable.keyId).toBe("k9");
    expect(unavailable.cause).toBe(cause);
    const committed = markCommitted(new VaultDecryptError()) as VaultDecryptError;
    expect(committed.locatedAt(place).committed).toBe(true);
    expect(new VaultDecryptError().locatedAt(place).committed).toBe(false);
  });

  it("locating a located error again replaces its place rather than adding a second one", () => {
    const once = new VaultUnsupportedQueryError("cannot run findMany").locatedAt(place);
    const twice = once.locatedAt({ model: "Post", field: "body" });
    expect(twice.message).toBe("Post.body: cannot run findMany");
    expect([twice.model, twice.field, twice.id]).toEqual(["Post", "body", undefined]);
  });

  it("a located decryption failure keeps the one opaque message", () => {
    const located = new VaultDecryptError({ cause: new Error("bad tag") }).locatedAt(place);
    expect(located.message).toBe("User.ssn (id 42): decryption failed");
  });

  it("prisma-vault throws only the subclasses: no module but errors.ts constructs a bare VaultError", async () => {
    const src = fileURLToPath(new URL("../src", import.meta.url));
    const files = (await readdir(src, { recursive: true })).filter(
      (file) => file.endsWith(".ts") && file !== "errors.ts",
    );
    const bare: string[] = [];
    for (const file of files)
      if ((await readFile(join(src, file), "utf8")).includes("new VaultError(")) bare.push(file);
    expect(bare).toEqual([]);
  });
});
