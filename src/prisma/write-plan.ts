export * from "./plan/write.js";
