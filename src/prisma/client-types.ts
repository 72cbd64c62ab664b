/**
 * The types `vault()` gives the extended client, computed from its options' literal type: what Prisma's
 * own types cannot know about encryption. Type-only: the runtime behaviour they describe is the
 * extension's (the `where` rewrite to the index column, the `onDecryptError` policy).
 *
 * - `findUnique`/`findUniqueOrThrow` take `where: { email }` for an encrypted field whose blind-index
 *   column is a unique key of the model (Prisma's own input wants `id` or `emailIndex`).
 * - With `onDecryptError: "null"`, encrypted fields read as `string | null`.
 * - A `models` map must name the client's models and their fields (the extension's parameter type).
 */
import type { Prisma } from "@prisma/client/extension";
import type { Types } from "@prisma/client/runtime/client";
import type { VaultClientApi } from "./vault-client-api.js";
import type { VaultOptions } from "./options.js";

/** The empty object type: no fields, no models. */
type None = Record<never, never>;

/**
 * The encrypted fields `options` declares: the generator's `encrypted` summary, with the models of a
 * `models` map replacing those of the schema (as at runtime). Nothing when they are not literal types.
 */
type EncryptedOf<O> = Literal<Omit<SchemaEncrypted<O>, keyof ModelsEncrypted<O>> & ModelsEncrypted<O>>;
type SchemaEncrypted<O> = O extends { readonly schema: { readonly encrypted: infer E } } ? Literal<E> : None;
type ModelsEncrypted<O> = O extends { readonly models: infer M }
  ? Literal<{ [K in keyof M]: M[K] extends { readonly fields: infer F } ? Literal<F> : None }>
  : None;
/** Nothing for a map typed with string keys (`ModelsOption`), which names no model in particular. */
type Literal<T> = string extends keyof T ? None : T;

/** The client property of a model (`Account` → `account`), as Prisma spells it. */
type Prop<M> = Uncapitalize<M & string>;

/** The types of the model delegate `T` (`prisma.account`): its operations' arguments and payload. */
type ModelTypes<T> = T extends { readonly [K: symbol]: { types: infer M } } ? M : never;
type OperationArgs<T, Op extends string> =
  ModelTypes<T> extends {
    operations: { [K in Op]: { args: infer A } };
  }
    ? A
    : never;
type WhereOf<Args> = Args extends { where?: infer W } ? W : never;

/** The encrypted fields of `Fields` whose index column is a unique key of `Where` on its own. */
type UniqueIndexed<Fields, Where> = {
  [F in keyof Fields]: Fields[F] extends { readonly index: infer I extends string }
    ? { [K in I]: string } extends Where
      ? F
      : never
    : never;
}[keyof Fields];

/** Prisma's `findUnique` arguments, whose `where` also takes one of the `Unique` encrypted fields. */
type FindUniqueArgs<T, Op extends string, Unique extends PropertyKey> =
  OperationArgs<T, Op> extends { where: infer W }
    ? Omit<OperationArgs<T, Op>, "where"> & {
        where:
          | W
          | (Unique extends unknown
              ? { [K in Unique & string]: string } & NonNullable<WhereOf<OperationArgs<T, "findFirst">>>
              : never);
      }
    : never;

/**
 * Prisma's own result for `findUnique` (global `omit`, fluent API), read from the delegate's type; with
 * a client whose runtime types are another module's (Prisma 6's `prisma-client-js`), `Prisma.Result`.
 */
type FindUniqueResult<T, A, Op extends "findUnique" | "findUniqueOrThrow"> =
  // The extension arguments are already inside TM; `any` only lets the alias match.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  T extends Types.Extensions.DynamicModelExtensionThis<infer TM, infer M extends PropertyKey, any>
    ? Types.Extensions.DynamicModelExtensionFnResult<TM, M, A, Op, Op extends "findUnique" ? null : never>
    : Prisma.PrismaPromise<Prisma.Result<T, A, Op>>;

type FindUnique<Op extends "findUnique" | "findUniqueOrThrow", Fields> = <T, A>(
  this: T,
  args: Prisma.Exact<A, FindUniqueArgs<T, Op, UniqueIndexed<Fields, WhereOf<OperationArgs<T, Op>>>>>,
) => FindUniqueResult<T, A, Op>;

/** The re-typed finders of each model with an indexed encrypted field. */
type ModelMethods<E> = {
  [M in keyof E as HasIndex<E[M]> extends true ? Prop<M> : never]: {
    findUnique: FindUnique<"findUnique", E[M]>;
    findUniqueOrThrow: FindUnique<"findUniqueOrThrow", E[M]>;
  };
};
type HasIndex<Fields> = true extends {
  [F in keyof Fields]: Fields[F] extends { readonly index: string } ? true : false;
}[keyof Fields]
  ? true
  : false;

/** With `onDecryptError: "null"`: every encrypted field read as `string | null` (a result "computed field"). */
type NullableFields<O, E> = O extends { readonly onDecryptError: "null" }
  ? { [M in keyof E as Prop<M>]: { [F in keyof E[M]]: { compute: () => string | null } } }
  : None;

/**
 * What a `models` map requires of the client: its models, each with the fields and index columns it
 * names; `unknown` (anything) without a literal map.
 */
export type VaultClientFor<O> = O extends { readonly models: infer M }
  ? string extends keyof M
    ? unknown
    : {
        [K in keyof M as Prop<K>]: {
          readonly fields: { readonly [F in FieldNames<M[K]>]: unknown };
        };
      }
  : unknown;
type FieldNames<Model> = Model extends { readonly fields: infer F }
  ? { [K in keyof F]: K | (F[K] extends { readonly index: infer I extends string } ? I : never) }[keyof F]
  : never;

/** The extension arguments Prisma merges into the client's types: result fields, model methods, `$vault`. */
export type VaultExtensionArgs<O> = Types.Extensions.InternalArgs<
  NullableFields<O, EncryptedOf<O>>,
  ModelMethods<EncryptedOf<O>>,
  None,
  { $vault: VaultClientApi }
>;

/**
 * What `vault(options)` returns: an extension for `prisma.$extends()`, typed from `options`. Its
 * parameter type is the check of a `models` map against the client's models and fields.
 *
 * @example
 * const prisma = new PrismaClient({ adapter, omit: vaultOmit }).$extends(vault({ keys, schema: vaultSchema }));
 * await prisma.account.findUnique({ where: { email } }); // through the unique index emailIndex
 */
export type VaultExtension<O extends VaultOptions = VaultOptions> = (client: VaultClientFor<O>) => {
  /** Where Prisma's `$extends` reads an extension's types. */
  $extends: {
    /** The types this extension adds. */
    extArgs: VaultExtensionArgs<O>;
  };
};

/**
 * Unknown keys of an options literal, each typed `never` so that a misspelt option does not compile.
 *
 * @example
 * vault({ keys, modles: {} }); // error: modles is never
 */
export type NoExtraKeys<O, Known> = { readonly [K in Exclude<keyof O, keyof Known>]: never };
