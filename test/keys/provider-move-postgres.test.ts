import { providerMoveSuite } from "./provider-move-suite.js";

// The same move at the same volume as on SQLite.
providerMoveSuite("postgres", {
  rows: 10_000,
  writes: 500,
  writtenRows: 300,
  creates: 30,
  small: 2_000,
  batchSize: 500,
});
