/**
 * `prisma.$vault.objects`: WorkOS Vault's object API (the seeds' named, versioned, encrypted
 * key-value objects) on the user's own database, through the Prisma client under the extension and
 * the two models of models.ts. With listing.ts and reseal.ts, the I/O of objects/; the rules are in
 * the pure modules beside them.
 *
 * Writes and their failures: a create is one nested write (the object and its first version); an
 * update is one interactive transaction (a conditional update of the object, which takes its row
 * lock, then the new version, timed after the one it replaces: version-order.ts), so of concurrent
 * updaters checking the same version exactly one wins and versions list in commit order; a delete is
 * one conditional update. A write that arrives again after its reply was lost changes nothing twice
 * (replayed-writes.ts). A thrown error means nothing was written.
 */
import { canonicalContext, parseCanonicalContext, type KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { isVaultError, VaultConflictError, VaultDecryptError, VaultNotFoundError } from "../errors.js";
import { redactError } from "../prisma/redact.js";
import { sameText } from "../crypto/same-text.js";
import { newObjectId, newVersionId } from "./ids.js";
import {
  readCreate,
  readDelete,
  readIdOption,
  readNameOption,
  readPurge,
  readUpdate,
  readId,
  type CreateObjectOptions,
  type DeleteObjectOptions,
  type ListObjectsOptions,
  type UpdateObjectOptions,
} from "./input.js";
import { OBJECT_MODEL, VERSION_MODEL } from "./models.js";
import { listObjects } from "./listing.js";
import { objectRows, versionRows, type ObjectClient } from "./object-client.js";
import { isDeleteDone, isReplayedUpdate } from "./replayed-writes.js";
import { resealObjects, type ResealReport } from "./reseal.js";
import { openValue, sealValue, type UnboundValues, type ValuePlace } from "./sealing.js";
import { versionDigest } from "./version-digest.js";
import { NEWEST_FIRST, versionTime } from "./version-order.js";
import {
  metadataOf,
  type ObjectList,
  type ObjectMetadata,
  type ObjectRow,
  type ObjectVersion,
  type PurgeReport,
  type VaultObject,
} from "./shapes.js";

/**
 * The object API, with `@workos-inc/node`'s method names and result shapes. Errors: `VAULT_NOT_FOUND`
 * (no live object has that id or name), `VAULT_CONFLICT` (the name is taken, or `versionCheck` is not
 * the current version), `VAULT_INVALID_ARGUMENT` / `VAULT_CONTEXT_INVALID` (bad arguments, before any
 * I/O), and the key and decryption errors of fields.
 *
 * @example
 * const meta = await prisma.$vault.objects.createObject({ name: "stripe", value: "sk_live_…", context: { organizationId: "org_1" } });
 * const { value } = await prisma.$vault.objects.readObject({ id: meta.id });
 */
export interface VaultObjects {
  /** A new object sealed under `context`; its name must not be taken by a live object (`VAULT_CONFLICT`). */
  createObject(options: CreateObjectOptions): Promise<ObjectMetadata>;
  /** The live object with this id, its current value decrypted; `VAULT_NOT_FOUND` if there is none. */
  readObject(options: { readonly id: string }): Promise<VaultObject>;
  /** The live object of this name: the name itself, or `{ name }` as SDK 12 takes it. */
  readObjectByName(name: string | { readonly name: string }): Promise<VaultObject>;
  /** The object without its value: nothing is decrypted. */
  describeObject(options: { readonly id: string }): Promise<VaultObject>;
  /**
   * A new version with `value`; the context stays the one the object was created with. An update that
   * changes nothing writes nothing: without `versionCheck`, `value` is already the current value; with
   * it, the current version is the one this very update made from `versionCheck` (a retry whose reply
   * was lost). Both return the current version.
   */
  updateObject(options: UpdateObjectOptions): Promise<VaultObject>;
  /**
   * Soft delete: unavailable to every method at once, its name free again, its data kept until
   * {@link purgeDeleted}. Deleting an object already deleted succeeds and changes nothing.
   */
  deleteObject(options: DeleteObjectOptions): Promise<void>;
  /** A page of live objects; `autoPagination()` on it reads the pages after it, as SDK 12's. */
  listObjects(options?: ListObjectsOptions): Promise<ObjectList>;
  /** Every version of a live object, in commit order, newest (the current one) first. */
  listObjectVersions(options: { readonly id: string }): Promise<ObjectVersion[]>;
  /** One version of a live object, current or not, with its value (not in WorkOS's SDK 8). */
  readObjectVersion(options: { readonly id: string; readonly versionId: string }): Promise<VaultObject>;
  /** Removes the objects deleted before `olderThan`, with all their versions, and nothing else. */
  purgeDeleted(options: { readonly olderThan: Date }): Promise<PurgeReport>;
  /**
   * Binds every value sealed by prisma-vault 0.2 (before values were bound to their object's name) to
   * its name, in place, on a live database; values already bound are left alone. Run it once after
   * upgrading, before (or while, with `unboundValues: "open"`) reading them.
   */
  resealObjects(): Promise<ResealReport>;
}

/** `vault({ objects })`: `true`, or these. */
export interface ObjectsOptions {
  /** `metadata.environmentId` of every object. Default `"environment_prisma_vault"`. */
  readonly environmentId?: string;
  /**
   * Values sealed by prisma-vault 0.2, which did not bind an object's name: `"refuse"` (default) fails
   * them as `VAULT_DECRYPT_FAILED`; `"open"` reads them until `resealObjects()` has bound them.
   */
  readonly unboundValues?: UnboundValues;
}

export const DEFAULT_ENVIRONMENT_ID = "environment_prisma_vault";

const LIVE_ROW = {
  id: true,
  name: true,
  context: true,
  keyId: true,
  versionId: true,
  value: true,
  updatedAt: true,
} as const;

// Versions whose envelopes listObjectVersions reads at once, for their etag and size.
const DIGEST_PAGE = 50;

// Generous bounds for an update's short transaction, which waits for a connection and for the row
// lock of every updater ahead of it.
const UPDATE_TRANSACTION = { maxWait: 30_000, timeout: 30_000 };

/** The store behind {@link VaultObjects}, on `client` (the Prisma client under the extension). */
export class ObjectStore implements VaultObjects {
  readonly #client: ObjectClient;
  readonly #cipher: VaultCore;
  readonly #environmentId: string;
  readonly #unbound: UnboundValues;

  constructor(
    client: unknown,
    cipher: VaultCore,
    options: { readonly environmentId: string; readonly unboundValues: UnboundValues },
  ) {
    this.#client = client as ObjectClient;
    this.#cipher = cipher;
    this.#environmentId = options.environmentId;
    this.#unbound = options.unboundValues;
  }

  async createObject(options: CreateObjectOptions): Promise<ObjectMetadata> {
    const { name, value, context } = readCreate(options);
    const now = new Date();
    const id = newObjectId(now.getTime());
    const versionId = newVersionId(now.getTime());
    const { envelope, keyId } = await sealValue(this.#cipher, value, { id, versionId, name, context });
    const row = { id, keyId, versionId, value: envelope, updatedAt: now };
    await this.#run([value], () =>
      objectRows(this.#client)["create"]!({
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
    return metadataOf(row, context, this.#environmentId);
  }

  async readObject(options: { readonly id: string }): Promise<VaultObject> {
    const row = await this.#liveById(readIdOption(options, "readObject"));
    return this.#opened(row);
  }

  async readObjectByName(name: string | { readonly name: string }): Promise<VaultObject> {
    const wanted = readNameOption(name);
    const row = (await this.#run([], () =>
      objectRows(this.#client)["findUnique"]!({ where: { liveName: wanted }, select: LIVE_ROW }),
    )) as ObjectRow | null;
    // Exactly: MySQL's default collation would match "Stripe" to "stripe".
    if (row === null || row.name !== wanted)
      throw new VaultNotFoundError("no live Vault object has this name", { model: OBJECT_MODEL });
    return this.#opened(row);
  }

  async describeObject(options: { readonly id: string }): Promise<VaultObject> {
    const row = await this.#liveById(readIdOption(options, "describeObject"));
    return { id: row.id, name: row.name, metadata: metadataOf(row, contextOf(row), this.#environmentId) };
  }

  async updateObject(options: UpdateObjectOptions): Promise<VaultObject> {
    const { id, value, versionCheck } = readUpdate(options);
    const current = await this.#liveById(id);
    const context = contextOf(current);
    if (versionCheck === undefined ? await this.#holds(current, value) : versionCheck !== current.versionId) {
      if (versionCheck === undefined || (await this.#replayed(current, versionCheck, value)))
        return this.#described(current, context);
      throw conflict(id);
    }
    const versionId = newVersionId();
    const place = { id, versionId, name: current.name, context };
    const { envelope, keyId } = await sealValue(this.#cipher, value, place);
    let updatedAt: Date;
    try {
      updatedAt = await this.#run([value], () =>
        this.#client.$transaction(async (tx) => {
          // Takes the row lock: every updater ahead of this one has committed when it returns.
          const { count } = (await objectRows(tx)["updateMany"]!({
            where: live(id, versionCheck),
            data: { keyId, versionId, value: envelope },
          })) as { count: number };
          if (count === 0) throw await this.#lost(tx, id);
          // The row as this transaction left it: the time is still the replaced version's.
          const replaced = (await objectRows(tx)["findUnique"]!({
            where: { id },
            select: { updatedAt: true },
          })) as { updatedAt: Date };
          const at = versionTime(replaced.updatedAt, new Date());
          await objectRows(tx)["updateMany"]!({ where: { id }, data: { updatedAt: at } });
          await versionRows(tx)["create"]!({
            data: { id: versionId, objectId: id, keyId, value: envelope, createdAt: at },
            select: { id: true },
          });
          return at;
        }, UPDATE_TRANSACTION),
      );
    } catch (error) {
      // A retry that met its own first attempt still holding the lock finds that attempt's version.
      if (versionCheck === undefined || !isVaultError(error, "VAULT_CONFLICT")) throw error;
      const now = await this.#liveById(id);
      if (await this.#replayed(now, versionCheck, value)) return this.#described(now, context);
      throw error;
    }
    const row = { id, keyId, versionId, updatedAt };
    return { id, name: current.name, metadata: metadataOf(row, context, this.#environmentId) };
  }

  async deleteObject(options: DeleteObjectOptions): Promise<void> {
    const { id, versionCheck } = readDelete(options);
    const where = live(id, versionCheck);
    const { count } = (await this.#run([], () =>
      objectRows(this.#client)["updateMany"]!({
        where,
        data: { deletedAt: new Date(), liveName: null },
      }),
    )) as { count: number };
    if (count > 0) return;
    const row = (await this.#run([], () =>
      objectRows(this.#client)["findUnique"]!({
        where: { id },
        select: { id: true, versionId: true, deletedAt: true },
      }),
    )) as { id: string; versionId: string; deletedAt: Date | null } | null;
    if (row === null || row.id !== id) throw notFound(id);
    if (row.deletedAt === null) throw conflict(id);
    if (!isDeleteDone(versionCheck, { deleted: true, versionId: row.versionId })) throw notFound(id);
  }

  listObjects(options?: ListObjectsOptions): Promise<ObjectList> {
    return listObjects(this.#client, (query) => this.#run([], query), options);
  }

  async listObjectVersions(options: { readonly id: string }): Promise<ObjectVersion[]> {
    const id = readIdOption(options, "listObjectVersions");
    const row = (await this.#run([], () =>
      objectRows(this.#client)["findFirst"]!({
        where: live(id),
        select: {
          id: true,
          versionId: true,
          versions: { select: { id: true, createdAt: true }, orderBy: NEWEST_FIRST },
        },
      }),
    )) as { id: string; versionId: string; versions: { id: string; createdAt: Date }[] } | null;
    if (row === null || row.id !== id) throw notFound(id);
    // Envelopes are read a page at a time: an object may have many versions of up to 256 KiB each.
    const digests = new Map<string, { etag: string; size: number }>();
    for (let start = 0; start < row.versions.length; start += DIGEST_PAGE) {
      const ids = row.versions.slice(start, start + DIGEST_PAGE).map((version) => version.id);
      const stored = (await this.#run([], () =>
        versionRows(this.#client)["findMany"]!({
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
    const row = await this.#liveById(id);
    const version = (await this.#run([], () =>
      versionRows(this.#client)["findFirst"]!({
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
    const [versions, objects] = (await this.#run([], () =>
      this.#client.$transaction([
        versionRows(this.#client)["deleteMany"]!({ where: { object: deleted } }),
        objectRows(this.#client)["deleteMany"]!({ where: deleted }),
      ]),
    )) as [{ count: number }, { count: number }];
    return { objects: objects.count, versions: versions.count };
  }

  resealObjects(): Promise<ResealReport> {
    return resealObjects(this.#client, this.#cipher, (run) => this.#run([], run));
  }

  /** The live object `id`; `VAULT_NOT_FOUND` if there is none. */
  async #liveById(id: string): Promise<ObjectRow> {
    const row = (await this.#run([], () =>
      objectRows(this.#client)["findFirst"]!({ where: live(id), select: LIVE_ROW }),
    )) as ObjectRow | null;
    // Exactly: MySQL's default collation compares ids without case.
    if (row === null || row.id !== id) throw notFound(id);
    return row;
  }

  async #opened(row: ObjectRow): Promise<VaultObject> {
    const context = contextOf(row);
    const value = await openValue(this.#cipher, row.value, placeOf(row, context), this.#unbound);
    return { id: row.id, name: row.name, value, metadata: metadataOf(row, context, this.#environmentId) };
  }

  /** `row` without its value, as describeObject and updateObject return it. */
  #described(row: ObjectRow, context: KeyContext): VaultObject {
    return { id: row.id, name: row.name, metadata: metadataOf(row, context, this.#environmentId) };
  }

  /**
   * Whether `row`'s current value is `value`. A current value that does not open is not: the update
   * replaces it. A key provider's failure is thrown.
   */
  async #holds(row: ObjectRow, value: string): Promise<boolean> {
    let current: string;
    try {
      current = await openValue(this.#cipher, row.value, placeOf(row, contextOf(row)), this.#unbound);
    } catch (error) {
      if (isVaultError(error, "VAULT_DECRYPT_FAILED")) return false;
      throw error;
    }
    return sameText(current, value);
  }

  /** Whether a checked update that found `row` moved past `versionCheck` is the update that moved it. */
  async #replayed(row: ObjectRow, versionCheck: string, value: string): Promise<boolean> {
    const newest = (await this.#run([], () =>
      versionRows(this.#client)["findMany"]!({
        where: { objectId: row.id },
        orderBy: NEWEST_FIRST,
        take: 2,
        select: { id: true },
      }),
    )) as { id: string }[];
    const ids = newest.map((version) => version.id);
    if (ids[0] !== row.versionId || ids[1] !== versionCheck) return false;
    const sameValue = await this.#holds(row, value);
    return isReplayedUpdate({ versionCheck, currentVersionId: row.versionId, newest: ids, sameValue });
  }

  /** Why a conditional write of `id` changed nothing: the object is gone, or its version moved on. */
  async #lost(client: ObjectClient, id: string): Promise<Error> {
    const found = await objectRows(client)["findFirst"]!({ where: live(id), select: { id: true } });
    return found === null ? notFound(id) : conflict(id);
  }

  /** Runs Prisma queries; a taken name is `VAULT_CONFLICT`, other errors leave without `secrets` or envelopes. */
  async #run<T>(secrets: readonly string[], run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isVaultError(error)) throw error;
      if ((error as { code?: unknown } | null)?.code === "P2002")
        throw new VaultConflictError("a live Vault object already has this name", { model: OBJECT_MODEL });
      throw redactError(error, secrets);
    }
  }
}

/** The context a row was created with; a stored context that is not one cannot be trusted: `VAULT_DECRYPT_FAILED`. */
function contextOf(row: Pick<ObjectRow, "id" | "context">): KeyContext {
  try {
    return parseCanonicalContext(row.context);
  } catch {
    throw new VaultDecryptError({ model: OBJECT_MODEL, field: "context", id: row.id });
  }
}

/** Where `row`'s current value was sealed. */
function placeOf(row: Pick<ObjectRow, "id" | "versionId" | "name">, context: KeyContext): ValuePlace {
  return { id: row.id, versionId: row.versionId, name: row.name, context };
}

/** The `where` of the live object `id`, at version `versionCheck` when given. */
function live(id: string, versionCheck?: string): object {
  return { id, deletedAt: null, ...(versionCheck !== undefined && { versionId: versionCheck }) };
}

function conflict(id: string): VaultConflictError {
  return new VaultConflictError(
    "versionCheck is not the object's current version: another write came first; read it again",
    { model: OBJECT_MODEL, id },
  );
}

function notFound(id: string): VaultNotFoundError {
  return new VaultNotFoundError("no live Vault object has this id", { model: OBJECT_MODEL, id });
}
