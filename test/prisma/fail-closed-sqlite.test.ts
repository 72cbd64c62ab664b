import { failClosedSuite } from "./fail-closed-suite.js";

failClosedSuite("sqlite");
