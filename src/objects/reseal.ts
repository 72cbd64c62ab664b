/**
 * `resealObjects()`: the documented step after upgrading from prisma-vault 0.2, whose object values
 * were not bound to their object's name (sealing.ts). Every stored version is opened: one bound to its
 * name is left alone; one that opens as a 0.2 value is sealed again, bound, under a fresh data key of
 * its context; one that opens neither way is reported, never written. I/O, like store.ts.
 *
 * Safe on a live database and safe to run again: each version is replaced only if it still holds the
 * envelope that was read (a conditional update), together with its object's current value when that
 * is the same envelope, in one transaction. A key provider's failure stops the run and is thrown;
 * what was resealed before it stays resealed.
 */
import { parseCanonicalContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { isVaultError } from "../errors.js";
import { objectRows, versionRows, type ObjectClient, type RunQuery } from "./object-client.js";
import { openStored, sealValue, type ValuePlace } from "./sealing.js";

/** What `resealObjects()` did. */
export interface ResealReport {
  /** Versions read, of live and deleted objects alike. */
  readonly scanned: number;
  /** Versions sealed again, bound to their object's name. */
  readonly resealed: number;
  /** Versions that open neither bound nor as 0.2 values (tampered, or not envelopes): left as they are. */
  readonly failed: readonly {
    /** The object's id. */
    readonly id: string;
    /** The version's id. */
    readonly versionId: string;
  }[];
  /** How many failed; `failed` lists the first 1,000. */
  readonly failedTotal: number;
}

export const MAX_LISTED = 1_000;
const PAGE = 100;

interface StoredVersion {
  readonly id: string;
  readonly value: string;
  readonly object: {
    readonly id: string;
    readonly name: string;
    readonly context: string;
    readonly versionId: string;
    readonly value: string;
  };
}

/**
 * Reseals every unbound version on `client` (the Prisma client under the extension). `run` wraps each
 * query (the store's error handling).
 *
 * @example const { resealed, failedTotal } = await prisma.$vault.objects.resealObjects();
 */
export async function resealObjects(client: unknown, core: VaultCore, run: RunQuery): Promise<ResealReport> {
  const db = client as ObjectClient;
  let scanned = 0;
  let resealed = 0;
  let failedTotal = 0;
  const failed: { id: string; versionId: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = (await run(() =>
      versionRows(db)["findMany"]!({
        ...(after !== undefined && { where: { id: { gt: after } } }),
        orderBy: { id: "asc" },
        take: PAGE,
        select: {
          id: true,
          value: true,
          object: { select: { id: true, name: true, context: true, versionId: true, value: true } },
        },
      }),
    )) as StoredVersion[];
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    for (const version of page) {
      scanned++;
      const outcome = await resealOne(db, core, run, version);
      if (outcome === "resealed") resealed++;
      if (outcome === "failed") {
        failedTotal++;
        if (failed.length < MAX_LISTED) failed.push({ id: version.object.id, versionId: version.id });
      }
    }
  }
  return { scanned, resealed, failed, failedTotal };
}

async function resealOne(
  db: ObjectClient,
  core: VaultCore,
  run: RunQuery,
  version: StoredVersion,
): Promise<"bound" | "resealed" | "failed"> {
  const { object } = version;
  let place: ValuePlace;
  try {
    place = {
      id: object.id,
      versionId: version.id,
      name: object.name,
      context: parseCanonicalContext(object.context),
    };
  } catch {
    return "failed";
  }
  const opened = await openStored(core, version.value, place);
  if ("failed" in opened) {
    if (isVaultError(opened.failed, "VAULT_KEY_PROVIDER")) throw opened.failed;
    return "failed";
  }
  if (opened.bound) return "bound";
  const { envelope, keyId } = await sealValue(core, opened.value, place);
  const isCurrent = object.versionId === version.id && object.value === version.value;
  await run(() =>
    db.$transaction(async (tx) => {
      const { count } = (await versionRows(tx)["updateMany"]!({
        where: { id: version.id, value: version.value },
        data: { value: envelope, keyId },
      })) as { count: number };
      if (count === 0 || !isCurrent) return;
      await objectRows(tx)["updateMany"]!({
        where: { id: object.id, versionId: version.id, value: version.value },
        data: { value: envelope, keyId },
      });
    }),
  );
  return "resealed";
}
