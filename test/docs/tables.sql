-- schema.prisma's tables on SQLite, as a migration would make them (the schema engine cannot run here).
CREATE TABLE "User" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL, "name" TEXT,
  "email" TEXT NOT NULL, "emailIndex" TEXT UNIQUE, "phone" TEXT, "phoneIndex" TEXT, "ssn" TEXT);
CREATE TABLE "VaultObject" (
  "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "liveName" TEXT UNIQUE, "context" TEXT NOT NULL,
  "keyId" TEXT NOT NULL, "versionId" TEXT NOT NULL, "value" TEXT NOT NULL, "createdAt" DATETIME NOT NULL,
  "updatedAt" DATETIME NOT NULL, "deletedAt" DATETIME);
CREATE INDEX "VaultObject_deletedAt_idx" ON "VaultObject" ("deletedAt");
CREATE TABLE "VaultObjectVersion" (
  "id" TEXT PRIMARY KEY, "objectId" TEXT NOT NULL REFERENCES "VaultObject" ("id") ON DELETE CASCADE,
  "keyId" TEXT NOT NULL, "value" TEXT NOT NULL, "createdAt" DATETIME NOT NULL);
CREATE INDEX "VaultObjectVersion_objectId_idx" ON "VaultObjectVersion" ("objectId");
