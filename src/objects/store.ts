/**
 * `prisma.$vault.objects`: WorkOS Vault's object API (the seeds' named, versioned, encrypted
 * key-value objects) on the user's own database, through the Prisma client under the extension and
 * the two models of models.ts (the API itself is vault-objects.ts). With object-update.ts, listing.ts
 * and reseal.ts, the I/O of objects/; the rules are in the pure modules beside them.
 *
 * Writes and their failures: a create is one nested write (the object and its first version); an
 * update is one interactive transaction (a conditional update of the object, which takes its row
 * lock, then the new version, timed after the one it replaces: version-order.ts), so of concurrent
 * updaters checking the same version exactly one wins and versions list in commit order; a delete is
 * one conditional update. A write that arrives again after its reply was lost changes nothing twice
 * (replayed-writes.ts). A thrown error means nothing was written.
 */
import { canonicalContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { VaultNotFoundError } from "../errors.js";
import { newObjectId, newVersionId } from "./ids.js";
import {
  readCreate,
  readDelete,
  readIdOption,
  readNameOption,
  readPurge,
  readId,
  type CreateObjectOptions,
  type DeleteObjectOptions,
  type ListObjectsOptions,
  type UpdateObjectOptions,
} from "./input.js";
import { listObjects } from "./listing.js";
import {
  contextOf,
  LIVE_ROW,
  liveObject,
  liveWhere,
  objectNotFound,
  placeOf,
  versionConflict,
} from "./live-object.js";
import { OBJECT_MODEL, VERSION_MODEL } from "./models.js";
import { objectRows, versionRows, type ObjectClient } from "./object-client.js";
import { runObjectQuery } from "./object-query.js";
import { updateObject, type ObjectStoreParts } from "./object-update.js";
import { isDeleteDone } from "./replayed-writes.js";
import { resealObjects, type ResealReport } from "./reseal.js";
import { openValue, sealValue, type UnboundValues } from "./sealing.js";
import { versionDigest } from "./version-digest.js";
import { NEWEST_FIRST } from "./version-order.js";
import type { VaultObjects } from "./vault-objects.js";
import {
  metadataOf,
  type ObjectList,
  type ObjectMetadata,
  type ObjectRow,
  type ObjectVersion,
  type PurgeReport,
  type VaultObject,
} from "./shapes.js";

// Versions whose envelopes listObjectVersions reads at once, for their etag and size.
const DIGEST_PAGE = 50;

/** The store behind {@link VaultObjects}, on `client` (the Prisma client under the extension). */
export class ObjectStore implements VaultObjects {
  readonly #parts: ObjectStoreParts;

  constructor(
    client: unknown,
    cipher: VaultCore,
    options: { readonly environmentId: string; readonly unboundValues: UnboundValues },
  ) {
    this.#parts = {
      client: client as ObjectClient,
      cipher,
      environmentId: options.environmentId,
      unbound: options.unboundValues,
    };
  }

  async createObject(options: CreateObjectOptions): Promise<ObjectMetadata> {
    const { name, value, context } = readCreate(options);
    const now = new Date();
    const id = newObjectId(now.getTime());
    const versionId = newVersionId(now.getTime());
    const { envelope, keyId } = await sealValue(this.#parts.cipher, value, { id, versionId, name, context });
    const row = { id, keyId, versionId, value: envelope, updatedAt: now };
    await runObjectQuery([value], () =>
      objectRows(this.#parts.client)["create"]!({
        data: {
          ...row,
          name,
          liveName: name,
          context: canonicalContext(context),
          createdAt: now,
          versions: { create: { id: versionId, keyId, value: envelope, createdAt: now } },
        },
        select: { id: true },
      }),
    );
    return metadataOf(row, context, this.#parts.environmentId);
  }

  async readObject(options: { readonly id: string }): Promise<VaultObject> {
    const row = await liveObject(this.#parts.client, readIdOption(options, "readObject"));
    return this.#opened(row);
  }

  async readObjectByName(name: string | { readonly name: string }): Promise<VaultObject> {
    const wanted = readNameOption(name);
    const row = (await runObjectQuery([], () =>
      objectRows(this.#parts.client)["findUnique"]!({ where: { liveName: wanted }, select: LIVE_ROW }),
    )) as ObjectRow | null;
    // Exactly: MySQL's default collation would match "Stripe" to "stripe".
    if (row === null || row.name !== wanted)
      throw new VaultNotFoundError("no live Vault object has this name", { model: OBJECT_MODEL });
    return this.#opened(row);
  }

  async describeObject(options: { readonly id: string }): Promise<VaultObject> {
    const row = await liveObject(this.#parts.client, readIdOption(options, "describeObject"));
    return {
      id: row.id,
      name: row.name,
      metadata: metadataOf(row, contextOf(row), this.#parts.environmentId),
    };
  }

  updateObject(options: UpdateObjectOptions): Promise<VaultObject> {
    return updateObject(this.#parts, options);
  }

  async deleteObject(options: DeleteObjectOptions): Promise<void> {
    const { id, versionCheck } = readDelete(options);
    const where = liveWhere(id, versionCheck);
    const { count } = (await runObjectQuery([], () =>
      objectRows(this.#parts.client)["updateMany"]!({
        where,
        data: { deletedAt: new Date(), liveName: null },
      }),
    )) as { count: number };
    if (count > 0) return;
    const row = (await runObjectQuery([], () =>
      objectRows(this.#parts.client)["findUnique"]!({
        where: { id },
        select: { id: true, versionId: true, deletedAt: true },
      }),
    )) as { id: string; versionId: string; deletedAt: Date | null } | null;
    if (row === null || row.id !== id) throw objectNotFound(id);
    if (row.deletedAt === null) throw versionConflict(id);
    if (!isDeleteDone(versionCheck, { deleted: true, versionId: row.versionId })) throw objectNotFound(id);
  }

  listObjects(options?: ListObjectsOptions): Promise<ObjectList> {
    return listObjects(this.#parts.client, (query) => runObjectQuery([], query), options);
  }

  async listObjectVersions(options: { readonly id: string }): Promise<ObjectVersion[]> {
    const id = readIdOption(options, "listObjectVersions");
    const row = (await runObjectQuery([], () =>
      objectRows(this.#parts.client)["findFirst"]!({
        where: liveWhere(id),
        select: {
          id: true,
          versionId: true,
          versions: { select: { id: true, createdAt: true }, orderBy: NEWEST_FIRST },
        },
      }),
    )) as { id: string; versionId: string; versions: { id: string; createdAt: Date }[] } | null;
    if (row === null || row.id !== id) throw objectNotFound(id);
    // Envelopes are read a page at a time: an object may have many versions of up to 256 KiB each.
    const digests = new Map<string, { etag: string; size: number }>();
    for (let start = 0; start < row.versions.length; start += DIGEST_PAGE) {
      const ids = row.versions.slice(start, start + DIGEST_PAGE).map((version) => version.id);
      const stored = (await runObjectQuery([], () =>
        versionRows(this.#parts.client)["findMany"]!({
          where: { objectId: id, id: { in: ids } },
          select: { id: true, value: true },
        }),
      )) as { id: string; value: string }[];
      for (const version of stored) digests.set(version.id, versionDigest(version.value));
    }
    return row.versions.map((version) => ({
      id: version.id,
      createdAt: version.createdAt,
      currentVersion: version.id === row.versionId,
      ...(digests.get(version.id) ?? { etag: "", size: 0 }),
    }));
  }

  async readObjectVersion(options: {
    readonly id: string;
    readonly versionId: string;
  }): Promise<VaultObject> {
    const id = readIdOption(options, "readObjectVersion");
    const versionId = readId((options as { versionId?: unknown }).versionId, "versionId");
    const row = await liveObject(this.#parts.client, id);
    const version = (await runObjectQuery([], () =>
      versionRows(this.#parts.client)["findFirst"]!({
        where: { id: versionId, objectId: id },
        select: { id: true, keyId: true, value: true, createdAt: true },
      }),
    )) as { id: string; keyId: string; value: string; createdAt: Date } | null;
    if (version === null || version.id !== versionId)
      throw new VaultNotFoundError("the Vault object has no such version", { model: VERSION_MODEL, id });
    return this.#opened({
      ...row,
      versionId,
      keyId: version.keyId,
      value: version.value,
      updatedAt: version.createdAt,
    });
  }

  async purgeDeleted(options: { readonly olderThan: Date }): Promise<PurgeReport> {
    const olderThan = readPurge(options);
    const deleted = { deletedAt: { lt: olderThan } };
    const [versions, objects] = (await runObjectQuery([], () =>
      this.#parts.client.$transaction([
        versionRows(this.#parts.client)["deleteMany"]!({ where: { object: deleted } }),
        objectRows(this.#parts.client)["deleteMany"]!({ where: deleted }),
      ]),
    )) as [{ count: number }, { count: number }];
    return { objects: objects.count, versions: versions.count };
  }

  resealObjects(): Promise<ResealReport> {
    return resealObjects(this.#parts.client, this.#parts.cipher, (run) => runObjectQuery([], run));
  }

  async #opened(row: ObjectRow): Promise<VaultObject> {
    const context = contextOf(row);
    const value = await openValue(this.#parts.cipher, row.value, placeOf(row, context), this.#parts.unbound);
    return {
      id: row.id,
      name: row.name,
      value,
      metadata: metadataOf(row, context, this.#parts.environmentId),
    };
  }
}
