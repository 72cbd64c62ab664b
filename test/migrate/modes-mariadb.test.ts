import { modesSuite } from "./modes-suite.js";

modesSuite("mariadb");
