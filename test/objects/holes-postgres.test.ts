import { holesSuite } from "./holes-suite.js";

holesSuite("postgres");
