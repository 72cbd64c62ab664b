import { providerMoveSuite } from "./provider-move-suite.js";

// 10,000 rows over 10 tenants moved from a local ring to WorkOS beside 500 updates and 30 creates.
providerMoveSuite("sqlite", {
  rows: 10_000,
  writes: 500,
  writtenRows: 300,
  creates: 30,
  small: 2_000,
  batchSize: 500,
});
