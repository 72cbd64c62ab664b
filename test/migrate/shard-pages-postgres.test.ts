import { shardPagesSuite } from "./shard-pages-suite.js";

shardPagesSuite("postgres");
