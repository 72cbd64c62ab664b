{
  "variables": {
    # For CI, not for installs: `node-gyp rebuild -- -Dprisma_vault_strict=true` makes every warning an error
    # (npm run build:strict), `-Dprisma_vault_asan=true` builds for AddressSanitizer (fuzz/asan.sh). A user's
    # compiler may warn where CI's does not; that must not stop an install. Prefixed: Node's config.gypi,
    # which node-gyp includes, defines `asan` itself and would override a plain -Dasan.
    "prisma_vault_strict%": "false",
    "prisma_vault_asan%": "false",
  },
  "targets": [
    {
      "target_name": "prisma_vault_aead",
      "sources": ["src/aead.c"],
      # The N-API version the code is compiled against, so that a call newer than it fails to compile
      # instead of failing to load on an older Node. 6 is the lowest that has what aead.c calls:
      # napi_set_instance_data and napi_get_instance_data (6); everything else is in 1. Every Node
      # prisma-vault supports (20.19 and later) has N-API 9 or more.
      "defines": ["NAPI_VERSION=6"],
      "cflags": [
        "-std=c11",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror=implicit-function-declaration",
        "-fstack-protector-strong",
        # Undefined first: some compilers (Ubuntu's) predefine it, and a redefinition warns.
        "-U_FORTIFY_SOURCE",
        "-D_FORTIFY_SOURCE=2",
      ],
      "xcode_settings": {
        "OTHER_CFLAGS": [
          "-std=c11",
          "-O2",
          "-Wall",
          "-Wextra",
          "-fstack-protector-strong",
          "-U_FORTIFY_SOURCE",
          "-D_FORTIFY_SOURCE=2",
        ],
      },
      "conditions": [
        [
          "prisma_vault_strict=='true'",
          {
            "cflags": ["-Werror"],
            "xcode_settings": { "GCC_TREAT_WARNINGS_AS_ERRORS": "YES" },
          },
        ],
        [
          "prisma_vault_asan=='true'",
          {
            # The fortified string functions hide accesses from ASan's interceptors: off for this build.
            "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-U_FORTIFY_SOURCE"],
            "ldflags": ["-fsanitize=address"],
          },
        ],
      ],
    }
  ]
}
