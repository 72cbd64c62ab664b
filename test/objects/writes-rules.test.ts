/** The pure rules of issue 24: version times, replayed writes, version digests, the bound associated data. */
import { describe, expect, it } from "vitest";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { isDeleteDone, isReplayedUpdate } from "../../src/objects/replayed-writes.js";
import { legacyObjectAad, objectAad } from "../../src/objects/sealing.js";
import { versionDigest } from "../../src/objects/version-digest.js";
import { versionTime } from "../../src/objects/version-order.js";

describe("versionTime", () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 7) + ms);
  it("is now when the clock moved on, and 1 ms after the replaced version when it did not", () => {
    expect(versionTime(at(0), at(5))).toEqual(at(5));
    expect(versionTime(at(5), at(5))).toEqual(at(6));
    expect(versionTime(at(9), at(5))).toEqual(at(10));
  });
});

describe("isReplayedUpdate", () => {
  const stale = {
    versionCheck: "version_A",
    currentVersionId: "version_B",
    newest: ["version_B", "version_A"],
    sameValue: true,
  };
  it("is the update that made the current version only with the same value, from the version just before it", () => {
    expect(isReplayedUpdate(stale)).toBe(true);
    expect(isReplayedUpdate({ ...stale, sameValue: false })).toBe(false);
    expect(isReplayedUpdate({ ...stale, newest: ["version_C", "version_B"] })).toBe(false);
    expect(isReplayedUpdate({ ...stale, currentVersionId: "version_C" })).toBe(false);
    expect(isReplayedUpdate({ ...stale, newest: ["version_B"] })).toBe(false);
  });
});

describe("isDeleteDone", () => {
  it("holds for a deleted object, at the version checked when one is given", () => {
    expect(isDeleteDone(undefined, { deleted: true, versionId: "v1" })).toBe(true);
    expect(isDeleteDone("v1", { deleted: true, versionId: "v1" })).toBe(true);
    expect(isDeleteDone("v0", { deleted: true, versionId: "v1" })).toBe(false);
    expect(isDeleteDone(undefined, { deleted: false, versionId: "v1" })).toBe(false);
  });
});

describe("versionDigest", () => {
  it("measures the value from the envelope without its key, and digests the stored text", () => {
    const envelope = sealEnvelope(new Uint8Array(32), new Uint8Array([1, 2, 3]), "héllo");
    const digest = versionDigest(envelope);
    expect(digest.size).toBe(6);
    expect(digest.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(versionDigest(envelope).etag).not.toBe(versionDigest(`${envelope} `).etag);
    expect(versionDigest("not an envelope").size).toBe(0);
  });
});

describe("objectAad", () => {
  const place = {
    id: "secret_1",
    versionId: "version_1",
    name: "stripe",
    context: { organizationId: "org_1" },
  };
  it("binds the name, keeps the parts apart whatever a name holds, and differs from 0.2's", () => {
    expect(objectAad(place)).toBe(
      'prisma-vault:v2|object:["secret_1","version_1","stripe"]|{"organizationId":"org_1"}',
    );
    expect(objectAad({ ...place, name: "stripe2" })).not.toBe(objectAad(place));
    // A name cannot borrow the next part's text.
    expect(objectAad({ ...place, id: "a", versionId: 'b","c' })).not.toBe(
      objectAad({ ...place, id: 'a","b', versionId: "c" }),
    );
    expect(legacyObjectAad(place)).toBe(
      'prisma-vault:v1|object:secret_1@version_1|{"organizationId":"org_1"}',
    );
  });
});
