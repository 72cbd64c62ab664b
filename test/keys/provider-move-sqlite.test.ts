import { providerMoveSuite } from "./provider-move-suite.js";

// 1,000 rows over 10 tenants moved from a local ring to WorkOS beside 100 updates and 30 creates.
providerMoveSuite("sqlite");
