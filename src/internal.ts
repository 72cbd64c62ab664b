/**
 * The CommonJS build's one bundle (tsup.config.ts): every value the three entries export, from the
 * modules behind them. `index.cjs`, `workos.cjs` and `key-server.cjs` are a few lines each that
 * re-export from `internal.cjs`, so a CommonJS app holds one copy of every class whichever entries it
 * requires (DESIGN.md §9). Not an entry of the package (the exports map does not name it), and not in
 * the ES module build, whose entries share chunks instead. Types are the entries' own.
 * `test/package/entries.test.ts` fails on a value an entry exports that is missing here.
 */
export * from "./index.js";
export * from "./key-server/index.js";
