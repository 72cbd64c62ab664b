import { extensionSuite } from "./suite.js";

extensionSuite("postgres");
