/**
 * The workerd leg's build and run, shared by test/runtimes/workers.test.ts and bench/workers.ts: a
 * worker from test/runtimes (or bench/) copied into the workerd app, bundled with esbuild as a user's
 * build does it for Workers, and run in Miniflare (compat/runtimes) with a local D1 database.
 */
import { build, type Plugin } from "esbuild";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { makeRuntimeApp, RUNTIME_MODULES } from "./runtime-app.js";

/**
 * What the worker sources import to type-check in this repository, and what the app's copy imports
 * instead: its own workerd client and vaultSchema, generated from the same models.
 */
const APP_IMPORTS = {
  "../../examples/quickstart/generated/client/client.js": "./generated/prisma/client.ts",
  "../../examples/quickstart/generated/vault/index.js": "./generated/vault/index.js",
} as const;

/** The worker sources the workerd app holds: test/runtimes' two, and any the caller adds (bench/). */
const WORKERS = ["worker.ts", "module-scope-worker.ts"].map((name) => new URL(name, import.meta.url));

/** Makes the workerd app in `dir` (makeRuntimeApp) with the worker sources, and `extra` ones, beside it. */
export async function makeWorkerApp(
  dir: string,
  tarball: string,
  extra: readonly URL[] = [],
): Promise<string> {
  await makeRuntimeApp(dir, "workerd", tarball);
  for (const source of [...WORKERS, ...extra]) {
    let text = await readFile(source, "utf8");
    for (const [from, to] of Object.entries(APP_IMPORTS)) text = text.replaceAll(`"${from}"`, `"${to}"`);
    await writeFile(join(dir, basename(fileURLToPath(source))), text);
  }
  return dir;
}

/** A bundled worker: its module and the query compiler's Wasm module beside it. */
export interface WorkerBundle {
  /** The folder holding the bundle's modules. */
  readonly root: string;
  /** The bundle's modules, for Miniflare's `modules`. */
  readonly modules: readonly { type: "ESModule" | "CompiledWasm"; path: string }[];
  /** The ES module's size, and gzipped, in bytes (the Wasm module apart). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The Wasm module's size, and gzipped. */
  readonly wasmBytes: number;
  readonly wasmGzipBytes: number;
  /** The runtime's modules the bundle imports (`node:…`, `cloudflare:…`), sorted. */
  readonly builtIns: readonly string[];
  /** The ES module's bytes by the package they come from ("prisma-vault", "@prisma/client", "app"). */
  readonly packages: Readonly<Record<string, number>>;
}

/**
 * Bundles the app's `entry` (e.g. "worker.ts") into `<app>/dist/<name>.js` as Wrangler would: one ES
 * module for the browser platform with the workerd conditions, Node's modules left to nodejs_compat, and
 * the Prisma query compiler (`*.wasm?module`) a separate CompiledWasm module.
 */
export async function bundleWorker(
  app: string,
  entry: string,
  options: { minify?: boolean } = {},
): Promise<WorkerBundle> {
  const name = entry.replace(/\.ts$/, "");
  const outfile = join(app, "dist", `${name}${options.minify === true ? ".min" : ""}.js`);
  const wasm: string[] = [];
  const result = await build({
    entryPoints: [join(app, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    external: ["node:*", "cloudflare:*", ...builtinModules],
    plugins: [wasmModules(wasm)],
    minify: options.minify === true,
    metafile: true,
    logLevel: "silent",
  });
  const modules: { type: "ESModule" | "CompiledWasm"; path: string }[] = [
    { type: "ESModule", path: outfile },
  ];
  let wasmBytes = 0;
  let wasmGzipBytes = 0;
  for (const file of new Set(wasm)) {
    const to = join(app, "dist", basename(file));
    await copyFile(file, to);
    modules.push({ type: "CompiledWasm", path: to });
    const bytes = await readFile(to);
    wasmBytes += bytes.length;
    wasmGzipBytes += gzipSync(bytes).length;
  }
  const code = await readFile(outfile);
  const output = Object.values(result.metafile.outputs)[0];
  const builtIns = (output?.imports ?? [])
    .filter((i) => i.external && !i.path.endsWith(".wasm"))
    .map((i) => i.path);
  const packages: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const from = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "app";
    packages[from] = (packages[from] ?? 0) + bytesInOutput;
  }
  return {
    root: join(app, "dist"),
    modules,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    wasmBytes,
    wasmGzipBytes,
    builtIns: [...new Set(builtIns)].sort(),
    packages,
  };
}

/**
 * `import("./query_compiler_fast_bg.wasm?module")`, as Prisma's workerd client loads its query compiler:
 * left to the runtime as the module `./<file>.wasm` beside the bundle, the file collected into `found`.
 */
function wasmModules(found: string[]): Plugin {
  return {
    name: "wasm-modules",
    setup(plugin) {
      plugin.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
        const file = join(args.resolveDir, args.path.replace(/\?module$/, ""));
        found.push(file);
        return { path: `./${basename(file)}`, external: true };
      });
    },
  };
}

/** The bindings a worker of the leg reads (WorkerEnv), D1 apart. */
export type WorkerBindings = Record<string, string>;

/** What the tests use of Miniflare, whose types are in compat/runtimes. */
export interface WorkerInstance {
  readonly ready: Promise<URL>;
  dispatchFetch(url: string): Promise<{ status: number; text(): Promise<string> }>;
  /** The D1 binding, from Node.js: to set a database up without running the worker. */
  getD1Database(binding: string): Promise<{ exec(sql: string): Promise<unknown> }>;
  dispose(): Promise<void>;
}

interface MiniflareModule {
  Miniflare: new (options: Record<string, unknown>) => WorkerInstance;
  /** The newest compatibility date this workerd supports (not later than today). */
  supportedCompatibilityDate: string;
}

let miniflare: Promise<MiniflareModule> | undefined;

/** compat/runtimes' Miniflare. */
export function loadMiniflare(): Promise<MiniflareModule> {
  miniflare ??= import(
    pathToFileURL(join(RUNTIME_MODULES, "miniflare", "dist", "src", "index.js")).href
  ) as Promise<MiniflareModule>;
  return miniflare;
}

/**
 * Starts `bundle` in a fresh Miniflare (a new workerd process, an empty in-memory D1 database `DB`) on
 * `compatibilityDate` with nodejs_compat, and `bindings`.
 */
export async function startWorker(
  bundle: WorkerBundle,
  compatibilityDate: string,
  bindings: WorkerBindings = {},
): Promise<WorkerInstance> {
  const { Miniflare } = await loadMiniflare();
  const worker = new Miniflare({
    modules: bundle.modules,
    // Module names are paths from here; from the working directory, workerd refuses their "../".
    modulesRoot: bundle.root,
    compatibilityDate,
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "prisma-vault-d1" },
    bindings,
  });
  try {
    // A worker whose module scope throws fails here, with workerd's message (Miniflare's "Runtime stderr").
    await worker.ready;
  } catch (error) {
    // dispose() rethrows the same failure.
    await worker.dispose().catch(() => undefined);
    throw error;
  }
  return worker;
}
