import { migrateSuite } from "./suite.js";

migrateSuite("postgres");
