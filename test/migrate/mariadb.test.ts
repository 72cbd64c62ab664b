import { migrateSuite } from "./suite.js";

migrateSuite("mariadb");
