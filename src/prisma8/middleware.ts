/**
 * The Prisma 8 shell: `vaultMiddleware(options)`, one `SqlMiddleware` that seals writes and opens reads
 * on the same core as `vault()` (DESIGN.md §14). `beforeCompile` rewrites the query (seals values,
 * points filters at blind indexes, makes each encrypted column carry its key context, refuses what
 * cannot run over ciphertext); `onRow` opens each raw row before Prisma decodes it; `afterQuery`
 * refuses results that skipped `onRow` and reports a guarded update that matched no row.
 */
import { coreOf, validateCoreOptions, type CoreOptions } from "../core/core-options.js";
import { resolveAead } from "../crypto/resolve-aead.js";
import { contextMissing } from "../error-messages.js";
import { VaultConfigError, VaultContextMissingError, VaultUnsupportedQueryError } from "../errors.js";
import type { VaultStats } from "../keys/vault-stats.js";
import { annotationsOf } from "../schema/annotations.js";
import { buildVaultSchema } from "../schema/build.js";
import { fieldRefs } from "../schema/field-ref.js";
import type { SqlMiddleware } from "@prisma/orm-postgres/family-runtime";
import type { AnyQueryAst, SelectAst } from "./ast.js";
import { contractDataModel } from "./contract-data-model.js";
import { tableScope, type AstNode } from "./encrypted-refs.js";
import { rewriteWhere } from "./filters.js";
import { sealInsert } from "./inserts.js";
import { openRow } from "./open-rows.js";
import { PreReadContexts } from "./pre-read-contexts.js";
import { refuseRawOverCiphertext } from "./raw-queries.js";
import { rememberPreRead } from "./remember-pre-read.js";
import { isEmptyLayout, layoutOf } from "./row-layout.js";
import { rewriteSelect, withReturning } from "./selects.js";
import { sealUpdate } from "./updates.js";
import { vaultTables, type VaultTable } from "./vault-tables.js";

/**
 * The options of {@link vaultMiddleware}: `vault()`'s (`keys`, `models`, `indexSecret`, `onDecryptError`,
 * `plaintext`, `cache`, `timeoutMs`, `aead`, `audit`), and the contract they are checked against.
 *
 * @example vaultMiddleware({ keys: LocalKeyProvider.fromEnv(), models, contract: contractJson })
 */
export interface VaultMiddlewareOptions extends CoreOptions {
  /**
   * The emitted `contract.json`: `models` is checked against it when the middleware is made (unknown
   * models and fields, non-String columns, missing index columns are a `VaultConfigError` then).
   * Without it, the check runs on the first query, against the contract Prisma 8 passes.
   */
  readonly contract?: unknown;
}

/** What `vaultMiddleware()` returns: a Prisma 8 `SqlMiddleware`, with prisma-vault's own two calls. */
export interface VaultMiddleware {
  /** `"prisma-vault"`, as Prisma 8's logs name the middleware. */
  readonly name: "prisma-vault";
  /** `"sql"`: a middleware of Prisma 8's SQL family. */
  readonly familyId: "sql";
  /** Rewrites each query before it is compiled: seals values, points filters at blind indexes, refuses. */
  readonly beforeCompile: NonNullable<SqlMiddleware["beforeCompile"]>;
  /** Opens the encrypted values of each raw row before Prisma 8 decodes it. */
  readonly onRow: NonNullable<SqlMiddleware["onRow"]>;
  /** Refuses results another middleware answered, and a guarded update that matched no row. */
  readonly afterQuery: NonNullable<SqlMiddleware["afterQuery"]>;
  /** The data-key cache's counters and the AES-GCM backend's name, as `prisma.$vault.stats()` on Prisma 7. */
  stats(): VaultStats & {
    /** The AES-256-GCM backend in use: `"node"` or `"native"`. */
    readonly aead: string;
  };
  /** Zeroes and releases the cached keys; later queries that need one fail with `VAULT_CONFIG`. */
  close(): Promise<void>;
}

/**
 * The SQL middleware that gives a Prisma 8 client prisma-vault's transparent encryption, with the
 * same envelopes and associated data as `vault()` on Prisma 7. Put it last in `middleware`, after any
 * middleware that rewrites queries, so it checks the query that is sent.
 *
 * @example
 * postgres<Contract>({ contractJson, url, middleware: [vaultMiddleware({ keys, models, contract: contractJson })] })
 */
export function vaultMiddleware(options: VaultMiddlewareOptions): VaultMiddleware {
  const settings = validateCoreOptions(options, "vaultMiddleware()");
  if (options.models === undefined) throw new VaultConfigError("vaultMiddleware() needs options.models");
  const aead = resolveAead(settings.aead);
  const { cache, core } = coreOf(options, settings, aead);
  const refs = new WeakMap<object, ReturnType<typeof fieldRefs>>();
  const openEnv = (plan: object) => {
    let refFor = refs.get(plan);
    if (refFor === undefined) refs.set(plan, (refFor = fieldRefs()));
    return { core, refFor, policy: settings.onDecryptError, audit: settings.audit };
  };
  const preReads = new PreReadContexts();
  const guarded = new WeakSet<object>();
  // Built once: from options.contract when given (checked now), else from the first query's contract.
  // A middleware serves one client, whose contract does not change.
  let tables: ReadonlyMap<string, VaultTable> | undefined;
  const tablesOf = (candidate: unknown): ReadonlyMap<string, VaultTable> => {
    if (tables !== undefined) return tables;
    const { datamodel, tables: contractTables } = contractDataModel(candidate);
    const models = { ...annotationsOf(datamodel), ...options.models };
    const schema = buildVaultSchema(datamodel, models, {
      plaintext: settings.plaintext,
      indexSecret: settings.indexSecret,
    });
    return (tables = vaultTables(schema, contractTables));
  };
  if (options.contract !== undefined) tablesOf(options.contract);

  const rewrite = async (ast: AnyQueryAst, all: ReadonlyMap<string, VaultTable>): Promise<AnyQueryAst> => {
    const node = ast as unknown as AstNode;
    if (node.kind === "raw-query") {
      refuseRawOverCiphertext(node, all);
      return ast;
    }
    const scope = tableScope(ast, all);
    if (scope.size === 0) return ast;
    const select = (query: SelectAst) => rewriteSelect(query, { scope, core }, true);
    switch (ast.kind) {
      case "select":
        return rewriteSelect(ast, { scope, core }, false);
      case "insert": {
        const table = all.get(ast.table.name);
        const sealed = table ? await sealInsert(ast, table, core) : ast;
        return withReturning(sealed, { scope, core });
      }
      case "update": {
        const where = rewriteWhere(ast.where, { scope, core, select });
        let out = where === ast.where ? ast : ast.withWhere(where);
        const table = all.get(ast.table.name);
        if (table) {
          const sealed = await sealUpdate(out, table, { core, scope, preReads });
          out = sealed.ast;
          if (sealed.guarded) guarded.add(out);
        }
        return withReturning(out, { scope, core });
      }
      case "delete": {
        const where = rewriteWhere(ast.where, { scope, core, select });
        const out = where === ast.where ? ast : ast.withWhere(where);
        return withReturning(out, { scope, core });
      }
      default:
        return ast;
    }
  };

  const close = (): Promise<void> => {
    core.dispose();
    return Promise.resolve();
  };
  return {
    name: "prisma-vault",
    familyId: "sql",
    async beforeCompile(draft, ctx) {
      const ast = await rewrite(draft.ast, tablesOf(ctx.contract));
      if (ast === draft.ast) return undefined;
      return { ...draft, ast };
    },
    async onRow(row, plan, ctx) {
      const all = tablesOf(ctx.contract);
      rememberPreRead(row, plan.ast, all, preReads);
      const layout = layoutOf(plan.ast, all);
      if (!isEmptyLayout(layout)) await openRow(row, layout, openEnv(plan));
    },
    afterQuery(plan, result, ctx) {
      if (result.source === "middleware" && !isEmptyLayout(layoutOf(plan.ast, tablesOf(ctx.contract)))) {
        return Promise.reject(
          new VaultUnsupportedQueryError(
            "another middleware answered a query that reads encrypted fields, so prisma-vault could not open them",
          ),
        );
      }
      if (guarded.has(plan.ast) && result.completed && result.rowCount === 0) {
        return Promise.reject(new VaultContextMissingError(contextMissing.noRowMatches));
      }
      return Promise.resolve();
    },
    stats: () => ({ ...cache.stats(), aead: aead.name }),
    close,
  };
}
