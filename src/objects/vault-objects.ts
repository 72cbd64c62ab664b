/**
 * What `prisma.$vault.objects` offers (`VaultObjects`, WorkOS Vault's object API) and the options of
 * `vault({ objects })`; store.ts implements it.
 */
import type {
  CreateObjectOptions,
  DeleteObjectOptions,
  ListObjectsOptions,
  UpdateObjectOptions,
} from "./input.js";
import type { ResealReport } from "./reseal.js";
import type { UnboundValues } from "./sealing.js";
import type { ObjectList, ObjectMetadata, ObjectVersion, PurgeReport, VaultObject } from "./shapes.js";

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

/** The `metadata.environmentId` of objects when `vault({ objects })` names none. */
export const DEFAULT_ENVIRONMENT_ID = "environment_prisma_vault";
