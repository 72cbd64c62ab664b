import { timeoutsSuite } from "./timeouts-suite.js";

timeoutsSuite("sqlite");
