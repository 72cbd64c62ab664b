/**
 * A Prisma 8 contract (`contract.json`, emitted by `prisma contract emit`) read as the {@link DataModel}
 * prisma-vault builds its schema from: models, their fields' types and columns, relations and primary
 * keys. Pure: only the JSON is read, and anything it does not understand is a `VaultConfigError`.
 */
import { VaultConfigError } from "../errors.js";
import type { DataModel, DataModelField, DataModelModel } from "../schema/datamodel.js";

/** Where a model lives in the database, beside its data model: its namespace (schema) and table. */
export interface ContractTable {
  readonly model: string;
  readonly namespace: string;
  readonly table: string;
  /** Each column's codec, as ParamRefs carry it: `{ codecId: "pg/text@1" }`. */
  readonly codecs: ReadonlyMap<string, { readonly codecId: string }>;
}

/** The data model of `contract` and each model's table, by model name. */
export interface ContractDataModel {
  readonly datamodel: DataModel;
  readonly tables: ReadonlyMap<string, ContractTable>;
}

/** Prisma 7's scalar type of a Prisma 8 codec: `pg/text@1` is `String`. Unknown codecs are `Unsupported`. */
const TYPES: Readonly<Record<string, string>> = {
  text: "String",
  varchar: "String",
  char: "String",
  bpchar: "String",
  uuid: "String",
  citext: "String",
  int2: "Int",
  int4: "Int",
  int8: "BigInt",
  bool: "Boolean",
  float4: "Float",
  float8: "Float",
  numeric: "Decimal",
  timestamp: "DateTime",
  timestamptz: "DateTime",
  date: "DateTime",
  json: "Json",
  jsonb: "Json",
  bytea: "Bytes",
};

interface ContractField {
  readonly nullable?: boolean;
  readonly type?: { readonly codecId?: string; readonly kind?: string };
}
interface ContractRelation {
  readonly cardinality?: string;
  readonly on?: { readonly localFields?: readonly string[]; readonly targetFields?: readonly string[] };
  readonly to?: { readonly model?: string };
}
interface ContractModel {
  readonly fields?: Readonly<Record<string, ContractField>>;
  readonly relations?: Readonly<Record<string, ContractRelation>>;
  readonly storage?: {
    readonly fields?: Readonly<Record<string, { readonly column?: string }>>;
    readonly namespaceId?: string;
    readonly table?: string;
  };
}
interface ContractColumn {
  readonly codecId?: string;
  readonly nativeType?: string;
  readonly typeParams?: { readonly length?: number };
}
interface ContractTableEntry {
  readonly columns?: Readonly<Record<string, ContractColumn>>;
  readonly primaryKey?: { readonly columns?: readonly string[] };
}
interface Contract {
  readonly targetFamily?: string;
  readonly target?: string;
  readonly domain?: {
    readonly namespaces?: Readonly<
      Record<string, { readonly models?: Readonly<Record<string, ContractModel>> }>
    >;
  };
  readonly storage?: {
    readonly namespaces?: Readonly<
      Record<string, { readonly entries?: { readonly table?: Readonly<Record<string, ContractTableEntry>> } }>
    >;
  };
}

/**
 * The data model of a Prisma 8 SQL contract. Model names are the contract's; a name two namespaces
 * share is a `VaultConfigError` (the `models` map could not say which it means).
 *
 * @example const { datamodel } = contractDataModel(contractJson);
 */
export function contractDataModel(contractJson: unknown): ContractDataModel {
  const contract = contractJson as Contract | null;
  if (typeof contract !== "object" || contract === null || contract.targetFamily !== "sql") {
    throw new VaultConfigError("the Prisma 8 contract must be the contract.json of a SQL target");
  }
  const models: Record<string, DataModelModel> = {};
  const tables = new Map<string, ContractTable>();
  for (const [namespace, space] of Object.entries(contract.domain?.namespaces ?? {})) {
    for (const [name, model] of Object.entries(space.models ?? {})) {
      if (Object.hasOwn(models, name)) {
        throw new VaultConfigError("two namespaces of the Prisma 8 contract have a model of this name", {
          model: name,
        });
      }
      const storage = model.storage ?? {};
      const tableName = storage.table ?? name;
      const entry =
        contract.storage?.namespaces?.[storage.namespaceId ?? namespace]?.entries?.table?.[tableName];
      models[name] = modelOf(name, model, tableName, entry);
      const codecs = new Map<string, { codecId: string }>();
      for (const [column, info] of Object.entries(entry?.columns ?? {})) {
        if (info.codecId !== undefined) codecs.set(column, { codecId: info.codecId });
      }
      tables.set(name, {
        model: name,
        namespace: storage.namespaceId ?? namespace,
        table: tableName,
        codecs,
      });
    }
  }
  return { datamodel: { provider: providerOf(contract.target), models }, tables };
}

function modelOf(
  name: string,
  model: ContractModel,
  table: string,
  entry: ContractTableEntry | undefined,
): DataModelModel {
  const columnOf = (field: string): string => model.storage?.fields?.[field]?.column ?? field;
  const keyColumns = entry?.primaryKey?.columns ?? [];
  const fields: DataModelField[] = [];
  const byColumn = new Map<string, string>();
  for (const [field, info] of Object.entries(model.fields ?? {})) {
    const column = columnOf(field);
    byColumn.set(column, field);
    const stored = entry?.columns?.[column];
    const codec = /^[a-z]+\/([a-z0-9]+)@/.exec(info.type?.codecId ?? stored?.codecId ?? "")?.[1] ?? "";
    const length = stored?.typeParams?.length;
    fields.push({
      name: field,
      kind: info.type?.kind === "scalar" || info.type?.kind === undefined ? "scalar" : "unsupported",
      type: TYPES[codec] ?? "Unsupported",
      isRequired: info.nullable !== true,
      ...(keyColumns.length === 1 && keyColumns[0] === column && { isId: true }),
      ...(column !== field && { dbName: column }),
      ...(length !== undefined && {
        nativeType: [codec === "varchar" ? "VarChar" : "Char", [String(length)]],
      }),
    });
  }
  for (const [relation, info] of Object.entries(model.relations ?? {})) {
    const target = info.to?.model;
    if (target === undefined) continue;
    const local = info.on?.localFields ?? [];
    // The key lives on this side when the local fields are not the primary key (N:1, 1:1 owner).
    const owns =
      info.cardinality === "N:1" || (info.cardinality === "1:1" && !sameColumns(local, keyColumns, columnOf));
    fields.push({
      name: relation,
      kind: "object",
      type: target,
      isList: info.cardinality === "1:N" || info.cardinality === "N:M",
      relationFromFields: owns ? local : [],
      relationToFields: owns ? (info.on?.targetFields ?? []) : [],
    });
  }
  const primaryKey = keyColumns.length > 1 ? keyColumns.map((c) => byColumn.get(c) ?? c) : null;
  return { name, fields, primaryKey, ...(table !== name && { dbName: table }) };
}

function sameColumns(
  fields: readonly string[],
  columns: readonly string[],
  columnOf: (f: string) => string,
): boolean {
  return fields.length === columns.length && fields.every((f, i) => columnOf(f) === columns[i]);
}

/** Prisma 7's datasource provider of a Prisma 8 target: `postgres` is `postgresql`. */
function providerOf(target: string | undefined): string | undefined {
  return target === "postgres" ? "postgresql" : target;
}
