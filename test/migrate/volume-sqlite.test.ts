import { volumeSuite } from "./volume-suite.js";

// Full volume: 20,000 rows, 1,000 concurrent updates.
volumeSuite("sqlite", { rows: 20_000, writes: 1_000, writtenRows: 600, small: 4_000, batchSize: 500 });
