import { providerMoveSuite } from "./provider-move-suite.js";

// The same move at the same volume as on SQLite.
providerMoveSuite("postgres");
