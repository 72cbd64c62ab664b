import { versionsSuite } from "./versions-suite.js";

versionsSuite("postgres");
