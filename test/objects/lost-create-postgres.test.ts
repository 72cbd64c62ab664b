import { lostCreateSuite } from "./lost-create-suite.js";

lostCreateSuite("postgres");
