"use strict";
// prepack: the freshly built binary goes to prebuilds/<platform>-<arch>/, so the tarball carries it.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const built = path.join(root, "build", "Release", "prisma_vault_aead.node");
const dir = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(built, path.join(dir, "prisma_vault_aead.node"));
console.log(`prebuild: ${path.relative(root, path.join(dir, "prisma_vault_aead.node"))}`);
