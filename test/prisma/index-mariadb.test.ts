import { indexSuite } from "./index-suite.js";

indexSuite("mariadb");
