import { migrateSuite } from "./suite.js";

migrateSuite("sqlite");
