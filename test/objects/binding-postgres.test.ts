import { bindingSuite } from "./binding-suite.js";

bindingSuite("postgres");
