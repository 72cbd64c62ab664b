import { extensionSuite } from "./suite.js";

extensionSuite("sqlite");
