import { lostReplySuite } from "./lost-reply-suite.js";

lostReplySuite("postgres");
