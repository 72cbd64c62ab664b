/** schemaLine: the line of a Prisma schema a generator error points at. */
import { describe, expect, it } from "vitest";
import { schemaLine } from "../../src/cli/schema-line.js";

const TEXT = [
  "datasource db {", //                      1
  '  provider = "sqlite"', //                 2
  "}", //                                     3
  "", //                                      4
  "/// Notes of a tenant.", //                5
  "/// @vault.context(tenantId)", //          6
  "model Note {", //                          7
  "  id        Int    @id", //                8
  "  tenantId  String", //                    9
  "  /// Free text.", //                      10
  "  /// @encrypted(add: none)", //           11
  "  body      String", //                    12
  "  bodyIndex String?", //                   13
  "}", //                                     14
  "", //                                      15
  "view Memo {", //                           16
  "  id   Int    @id", //                     17
  "  /// not an annotation", //               18
  "  body String", //                         19
  "}", //                                     20
].join("\n");
const files = [{ path: "prisma/schema.prisma", text: TEXT }];

describe("schemaLine", () => {
  it("points at an encrypted field's @encrypted line, among its other /// lines", () => {
    expect(schemaLine(files, "Note", "body")).toEqual({ path: "prisma/schema.prisma", line: 11 });
  });

  it("points at the model's @vault.context line for the model, a field it names that does not exist, or one without @encrypted", () => {
    expect(schemaLine(files, "Note")).toEqual({ path: "prisma/schema.prisma", line: 6 });
    expect(schemaLine(files, "Note", "orgId")).toEqual({ path: "prisma/schema.prisma", line: 6 });
    expect(schemaLine(files, "Note", "bodyIndex")).toEqual({ path: "prisma/schema.prisma", line: 6 });
  });

  it("without annotations, points at the field's declaration, else the model's (views too)", () => {
    expect(schemaLine(files, "Memo", "body")).toEqual({ path: "prisma/schema.prisma", line: 19 });
    expect(schemaLine(files, "Memo", "value")).toEqual({ path: "prisma/schema.prisma", line: 16 });
  });

  it("finds the model's file among several and reads CRLF line ends; undefined when no file declares it", () => {
    const other = { path: "prisma/schema/other.prisma", text: "model Other {\r\n  id Int @id\r\n}\r\n" };
    const note = { path: "prisma/schema/note.prisma", text: TEXT.replaceAll("\n", "\r\n") };
    expect(schemaLine([other, note], "Note", "body")).toEqual({
      path: "prisma/schema/note.prisma",
      line: 11,
    });
    expect(schemaLine([other, note], "Missing")).toBeUndefined();
    expect(schemaLine([], "Note")).toBeUndefined();
  });
});
