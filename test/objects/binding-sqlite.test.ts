import { bindingSuite } from "./binding-suite.js";

bindingSuite("sqlite");
