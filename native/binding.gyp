{
  "targets": [
    {
      "target_name": "prisma_vault_aead",
      "sources": ["src/aead.c"],
      "cflags": ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "xcode_settings": { "OTHER_CFLAGS": ["-std=c11", "-O2", "-Wall", "-Wextra"] }
    }
  ]
}
