/**
 * The Vault object API's result shapes, named and shaped as `@workos-inc/node`'s `vault` module
 * returns them, and the mapping from a stored row to them. Pure.
 */
import type { KeyContext } from "../context/key-context.js";

/** Who last wrote an object. The store has no users: always `{ id: "prisma-vault", name: "prisma-vault" }`. */
export interface ObjectUpdatedBy {
  /** Always `"prisma-vault"`. */
  readonly id: string;
  /** Always `"prisma-vault"`. */
  readonly name: string;
}

/** What `createObject` returns and every read carries as `metadata`. */
export interface ObjectMetadata {
  /** The key context the object's values are sealed under. */
  readonly context: KeyContext;
  /** The `environmentId` of `vault({ objects })`; default `"environment_prisma_vault"`. */
  readonly environmentId: string;
  /** The object's id (`secret_…`). */
  readonly id: string;
  /** The id of the data key that sealed this version's value. */
  readonly keyId: string;
  /** When the current version was written. */
  readonly updatedAt: Date;
  /** Who wrote the current version: always prisma-vault itself. */
  readonly updatedBy: ObjectUpdatedBy;
  /** The version this metadata describes; pass it as `versionCheck` to update only that version. */
  readonly versionId: string;
}

/** An object: `value` is present from `readObject`/`readObjectByName`, absent from `describeObject` and `updateObject`. */
export interface VaultObject {
  /** The object's id (`secret_…`), which sorts by creation time. */
  readonly id: string;
  /** The object's name, unique among live objects. */
  readonly name: string;
  /** The decrypted value, where the method reads it. */
  readonly value?: string;
  /** The object's current (or, from `readObjectVersion`, the read) version. */
  readonly metadata: ObjectMetadata;
}

/** One entry of `listObjects`. */
export interface ObjectDigest {
  /** The object's id (`secret_…`). */
  readonly id: string;
  /** The object's name. */
  readonly name: string;
  /** When the object's current version was written. */
  readonly updatedAt: Date;
}

/** A page of `listObjects`: cursors are present only where there is more to see that way. */
export interface ObjectList {
  /** Always `"list"`, as in WorkOS's list responses. */
  readonly object: "list";
  /** This page's objects, in the order asked for (by creation, newest first by default). */
  readonly data: ObjectDigest[];
  /** The cursors to pass back as `before` or `after` in {@link ListObjectsOptions}. */
  readonly listMetadata: {
    /** Present when there are objects before this page: pass it as `before`. */
    readonly before?: string;
    /** Present when there are objects after this page: pass it as `after`. */
    readonly after?: string;
  };
  /**
   * As SDK 12's: without a `limit` in the call, this page and all after it (read 100 at a time, with
   * the same filters); with one, this page alone.
   */
  autoPagination(): Promise<ObjectDigest[]>;
}

/** One entry of `listObjectVersions`, newest first. */
export interface ObjectVersion {
  /** The version's id (`version_…`), the `versionId` of its metadata. */
  readonly id: string;
  /** When the version was written. */
  readonly createdAt: Date;
  /** True for the object's current version (the first in the list). */
  readonly currentVersion: boolean;
  /** A digest of the stored envelope: it changes whenever the stored bytes do (SDK 10+ reads it). */
  readonly etag: string;
  /** The value's length in UTF-8 bytes (SDK 10+ reads it). */
  readonly size: number;
}

/** What `purgeDeleted` removed. */
export interface PurgeReport {
  /** Deleted objects removed. */
  readonly objects: number;
  /** Versions removed with them. */
  readonly versions: number;
}

export const STORE_AUTHOR: ObjectUpdatedBy = Object.freeze({ id: "prisma-vault", name: "prisma-vault" });

/** A `VaultObject` row as the store reads it (the fields of src/objects/models.ts). */
export interface ObjectRow {
  readonly id: string;
  readonly name: string;
  readonly context: string;
  readonly keyId: string;
  readonly versionId: string;
  readonly value: string;
  readonly updatedAt: Date;
}

/**
 * The metadata of `row`'s current version, its context already parsed.
 *
 * @example metadataOf(row, context, "environment_local").versionId
 */
export function metadataOf(
  row: Pick<ObjectRow, "id" | "keyId" | "versionId" | "updatedAt">,
  context: KeyContext,
  environmentId: string,
): ObjectMetadata {
  return {
    context: { ...context },
    environmentId,
    id: row.id,
    keyId: row.keyId,
    updatedAt: row.updatedAt,
    updatedBy: { ...STORE_AUTHOR },
    versionId: row.versionId,
  };
}
