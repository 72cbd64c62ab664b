export * from "./plan/args.js";
