/**
 * The sides of the comparison, on one Prisma 6.15 client over one SQLite file: plain Prisma,
 * prisma-field-encryption, prisma-vault on node:crypto and, when prisma-vault-native loads, on it. Each
 * extends the same base client and has its own table of the same shape, so it reads back what it wrote.
 *
 * @example const { sides } = await openSides(join(dir, "peers.db")); await sides[2]!.account.findMany();
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import internals from "@prisma/internals"; // CommonJS whose named exports Node cannot see
import { fieldEncryptionExtension } from "prisma-field-encryption";
import { LocalKeyProvider, VaultConfigError, vault } from "../../src/index.js";
import { PrismaClient } from "./generated/client/index.js";

export const SIDES = ["plain", "peer", "vault", "native"] as const;
/** `vault` is prisma-vault on node:crypto; `native` the same on prisma-vault-native, when it loads. */
export type SideName = (typeof SIDES)[number];

/** One account row as the application sees it. */
export interface AccountData {
  readonly organizationId: string;
  readonly email: string;
  readonly phone: string;
  readonly handle: string;
}

export interface AccountRow extends AccountData {
  readonly id: number;
}

/** The subset of a model delegate the cases use, identical in shape on every side. */
export interface AccountTable {
  findMany(): Promise<AccountRow[]>;
  findMany(args: {
    select: { id: true; organizationId: true };
  }): Promise<Pick<AccountRow, "id" | "organizationId">[]>;
  findUnique(args: { where: { id: number } }): Promise<AccountRow | null>;
  createMany(args: { data: readonly AccountData[] }): Promise<{ count: number }>;
  update(args: {
    where: { id: number; organizationId?: string };
    data: Partial<AccountData>;
  }): Promise<AccountRow>;
}

export interface Side {
  readonly name: SideName;
  /** The SQL table this side owns. */
  readonly table: string;
  readonly account: AccountTable;
}

export interface Sides {
  readonly base: PrismaClient;
  readonly sides: readonly Side[];
  /** Empties one side's table, outside any timing. */
  readonly empty: (side: Side) => Promise<void>;
}

const TABLES: Readonly<Record<SideName, string>> = {
  plain: "PlainAccount",
  peer: "PeerAccount",
  vault: "Account",
  native: "NativeAccount",
};

/** Creates the database, its tables (plain DDL: no schema engine offline) and a client per side. */
export async function openSides(file: string): Promise<Sides> {
  const base = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
  // Without these every update waits for an fsync of the journal, milliseconds that would bury what
  // the extensions cost; WAL with synchronous=NORMAL is the usual production setting for SQLite.
  await base.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await base.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  for (const table of Object.values(TABLES)) {
    await base.$executeRawUnsafe(
      `CREATE TABLE "${table}" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL, ` +
        `"email" TEXT NOT NULL, "phone" TEXT NOT NULL, "handle" TEXT NOT NULL)`,
    );
  }

  // Prisma 6.15's Rust-free client (queryCompiler) carries a slim DMMF: no `///` comments, no isId or
  // isList, so prisma-field-encryption's check of `Prisma.dmmf` throws at $extends. Its `dmmf` option
  // takes the full document instead, which Prisma's own getDMMF builds from the schema.
  const dmmf = await internals.getDMMF({
    datamodel: readFileSync(new URL("schema.prisma", import.meta.url), "utf8"),
  });
  const peer = base.$extends(
    fieldEncryptionExtension({
      encryptionKey: `k1.aesgcm256.${randomBytes(32).toString("base64url")}=`,
      dmmf,
    }),
  );

  const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
  // No blind indexes: prisma-field-encryption's hash fields are not used either, like for like.
  const fields = { context: ["organizationId"], fields: { email: {}, phone: {}, handle: {} } };
  // node:crypto pinned, so that the figures do not change meaning when the native package is installed.
  const onNode = base.$extends(vault({ keys, aead: "node", models: { Account: fields } }));

  const sides: Side[] = [
    { name: "plain", table: TABLES.plain, account: base.plainAccount as unknown as AccountTable },
    { name: "peer", table: TABLES.peer, account: peer.peerAccount as unknown as AccountTable },
    { name: "vault", table: TABLES.vault, account: onNode.account as unknown as AccountTable },
  ];
  const onNative = nativeVault(() =>
    base.$extends(vault({ keys, aead: "native", models: { NativeAccount: fields } })),
  );
  if (onNative !== undefined) {
    sides.push({
      name: "native",
      table: TABLES.native,
      account: onNative.nativeAccount as unknown as AccountTable,
    });
  }
  return {
    base,
    sides,
    empty: async (side) => {
      await base.$executeRawUnsafe(`DELETE FROM "${side.table}"`);
    },
  };
}

/** The client on prisma-vault-native, or undefined (and a note why) when the package does not load. */
function nativeVault<T>(extend: () => T): T | undefined {
  try {
    return extend();
  } catch (error) {
    if (!(error instanceof VaultConfigError)) throw error;
    console.log(`prisma-vault-native does not load, its columns are left out: ${error.message}\n`);
    return undefined;
  }
}
