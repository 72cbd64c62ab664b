import { modesSuite } from "./modes-suite.js";

modesSuite("postgres");
