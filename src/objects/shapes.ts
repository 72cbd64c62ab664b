/**
 * The Vault object API's result shapes, named and shaped as `@workos-inc/node`'s `vault` module
 * returns them, and the mapping from a stored row to them. Pure.
 */
import type { KeyContext } from "../context/key-context.js";

/** Who last wrote an object. The store has no users: always {@link STORE_AUTHOR}. */
export interface ObjectUpdatedBy {
  readonly id: string;
  readonly name: string;
}

/** What `createObject` returns and every read carries as `metadata`. */
export interface ObjectMetadata {
  readonly context: KeyContext;
  readonly environmentId: string;
  readonly id: string;
  /** The id of the data key that sealed this version's value. */
  readonly keyId: string;
  readonly updatedAt: Date;
  readonly updatedBy: ObjectUpdatedBy;
  /** The version this metadata describes; pass it as `versionCheck` to update only that version. */
  readonly versionId: string;
}

/** An object: `value` is present from `readObject`/`readObjectByName`, absent from `describeObject` and `updateObject`. */
export interface VaultObject {
  readonly id: string;
  readonly name: string;
  readonly value?: string;
  readonly metadata: ObjectMetadata;
}

/** One entry of `listObjects`. */
export interface ObjectDigest {
  readonly id: string;
  readonly name: string;
  readonly updatedAt: Date;
}

/** A page of `listObjects`: cursors are present only where there is more to see that way. */
export interface ObjectList {
  readonly object: "list";
  readonly data: ObjectDigest[];
  readonly listMetadata: { readonly before?: string; readonly after?: string };
  /**
   * As SDK 12's: without a `limit` in the call, this page and all after it (read 100 at a time, with
   * the same filters); with one, this page alone.
   */
  autoPagination(): Promise<ObjectDigest[]>;
}

/** One entry of `listObjectVersions`, newest first. */
export interface ObjectVersion {
  readonly id: string;
  readonly createdAt: Date;
  readonly currentVersion: boolean;
  /** A digest of the stored envelope: it changes whenever the stored bytes do (SDK 10+ reads it). */
  readonly etag: string;
  /** The value's length in UTF-8 bytes (SDK 10+ reads it). */
  readonly size: number;
}

/** What `purgeDeleted` removed. */
export interface PurgeReport {
  readonly objects: number;
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
