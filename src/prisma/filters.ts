export * from "./plan/filters.js";
