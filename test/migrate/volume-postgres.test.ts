import { volumeSuite } from "./volume-suite.js";

// Small volume, so CI stays short: volume-sqlite.test.ts runs the full one.
volumeSuite("postgres", { rows: 2_000, writes: 200, writtenRows: 120, small: 1_000, batchSize: 100 });
