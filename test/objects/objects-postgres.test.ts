import { objectsSuite } from "./objects-suite.js";

objectsSuite("postgres");
