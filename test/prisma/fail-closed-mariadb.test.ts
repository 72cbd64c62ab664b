import { failClosedSuite } from "./fail-closed-suite.js";

failClosedSuite("mariadb");
