#!/usr/bin/env bash
# The package as a new user gets it: `npm pack` from this tree (prepack builds dist/), the tarball installed
# into a fresh app from the npm registry (its dependencies and peers too) beside Prisma 8's
# @prisma/orm-postgres, every entry loaded in ESM and in CommonJS (prisma-vault/prisma8: ESM only), and the
# bin run. @prisma/client is an optional peer, so the app has none: nothing here needs Prisma 7. Used by
# .ci/run; needs the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
app=$(mktemp -d)
trap 'rm -rf "$app"' EXIT
tarball=$(npm pack --silent --pack-destination "$app" | tail -n 1)
listing=$(tar -tzf "$app/$tarball")
for file in dist/index.js dist/index.cjs dist/index.d.ts dist/index.d.cts dist/cli.js dist/workos.js dist/key-server.cjs \
  dist/prisma8.js dist/prisma8.d.ts; do
  grep -qx "package/$file" <<<"$listing" || { echo "the packed tarball lacks $file" >&2; exit 1; }
done
prisma8=$(node -p 'require("./package.json").devDependencies["@prisma/orm-postgres"]')
cd "$app"
echo '{ "name": "fresh-app", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --loglevel=error "./$tarball" "@prisma/orm-postgres@$prisma8" >/dev/null
[ ! -e node_modules/@prisma/client ] || { echo "npm installed @prisma/client, an optional peer" >&2; exit 1; }
node --input-type=module -e '
  for (const entry of ["prisma-vault", "prisma-vault/workos", "prisma-vault/key-server", "prisma-vault/prisma8"]) {
    const loaded = await import(entry);
    if (Object.keys(loaded).length === 0) throw new Error(`${entry} exports nothing`);
  }
  const { vault, LocalKeyProvider, migrate, isVaultError } = await import("prisma-vault");
  for (const [name, value] of Object.entries({ vault, LocalKeyProvider, migrate, isVaultError }))
    if (typeof value !== "function") throw new Error(`prisma-vault has no ${name}`);
  const { vaultMiddleware } = await import("prisma-vault/prisma8");
  if (typeof vaultMiddleware !== "function") throw new Error("prisma-vault/prisma8 has no vaultMiddleware");
'
node -e '
  for (const entry of ["prisma-vault", "prisma-vault/workos", "prisma-vault/key-server"]) {
    if (Object.keys(require(entry)).length === 0) throw new Error(`${entry} exports nothing in CommonJS`);
  }
'
npx --no-install prisma-vault --help >/dev/null
npx --no-install prisma-vault keygen --id fresh | grep -Eq '^fresh:[A-Za-z0-9+/]{43}=$' ||
  { echo "prisma-vault keygen printed no key ring" >&2; exit 1; }
echo "fresh app: $tarball installed from the registry's point of view, beside Prisma 8 and without Prisma 7; entries load in ESM and CJS; the bin runs"
