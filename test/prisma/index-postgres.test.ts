import { indexSuite } from "./index-suite.js";

indexSuite("postgres");
