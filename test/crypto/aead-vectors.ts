/**
 * The known-answer vector pinned in test/format/envelope.test.ts, made by @workos-inc/node's
 * SubtleCryptoProvider: key 01..20, IV 00..0b, blob "WOS.EKM.v1\0kat-blob".
 */
export const KAT = {
  key: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  aad: Buffer.from('prisma-vault:v1|User.ssn|{"organizationId":"org_1"}', "utf8"),
  plaintext: "prisma-vault KAT ✓",
  envelope: "AAECAwQFBgcICQoLuCJ7vSD8GAmcPF2//+dbShNXT1MuRUtNLnYxAGthdC1ibG9iAUJo5KW8TH1uXt41RNO22Ql1IQY=",
} as const;
