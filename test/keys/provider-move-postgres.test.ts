import { providerMoveSuite } from "./provider-move-suite.js";

// The same move at the same size as on SQLite.
providerMoveSuite("postgres");
