import { indexOracleSuite } from "./index-oracle.js";

indexOracleSuite("postgres");
