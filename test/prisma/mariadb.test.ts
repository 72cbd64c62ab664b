import { extensionSuite } from "./suite.js";

extensionSuite("mariadb");
