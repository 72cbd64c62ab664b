/*
 * prisma-vault-native: AES-256-GCM over a batch of values in one call, through OpenSSL's EVP interface
 * (the OpenSSL that Node ships and exports; nothing else is linked).
 *
 *   seal(key, ivs, texts, aads) -> Uint8Array[]      each ciphertext || tag(16), views of one ArrayBuffer
 *   open(key, bytes, aads, spans) -> (string | null)[] null where the tag does not verify
 *
 * One EVP_CIPHER_CTX per call with the key schedule set once; per value only the IV changes. Every
 * argument's type and length is checked before memory is touched, and pointers into JS memory are
 * taken only after the last call that can run JS for that value (a getter could detach a buffer).
 * Offsets that memory is read at are copied out of JS memory once and checked on the copy: a typed array
 * may lie over a SharedArrayBuffer that another thread changes during the call. Bounds are checked by
 * comparisons and by differences taken in order, never by sums that could wrap where size_t is 32 bits.
 * The key is never copied here (the context holds its schedule and is cleansed when freed); plaintext
 * scratch memory is cleansed before it is freed. No error message carries key bytes or plaintext.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define KEY_BYTES 32
#define IV_BYTES 12
#define LEGACY_IV_BYTES 32
#define TAG_BYTES 16
/* Values are bounded so that every length handed to OpenSSL (an int) and every sum below fits. */
#define MAX_VALUE_BYTES ((size_t)INT_MAX - 64)
/* A sealed batch is one ArrayBuffer: at most 2 GiB in all. */
#define MAX_BATCH_BYTES ((size_t)INT_MAX)

typedef struct {
  const uint8_t *data;
  size_t length;
} bytes_t;

/* OpenSSL runs inside Node, uninstrumented: AddressSanitizer does not see the reads and writes it makes
   where this file points it. In a -fsanitize=address build (fuzz/asan.sh) each such range is checked
   before it is handed over, and its first poisoned byte is read here so that ASan reports where; in any
   other build this is nothing. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRISMA_VAULT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(PRISMA_VAULT_ASAN)
#include <sanitizer/asan_interface.h>
static void asan_check_range(const void *start, size_t length) {
  const volatile char *poisoned = __asan_region_is_poisoned((void *)start, length);
  if (poisoned != NULL) (void)*poisoned;
}
#define ASAN_CHECK_RANGE(start, length) asan_check_range((start), (length))
#else
#define ASAN_CHECK_RANGE(start, length) ((void)0)
#endif

/* AES-256-GCM is fetched from OpenSSL's default provider once per Node environment (the main thread and
   each worker that loads the addon), in init: passing EVP_aes_256_gcm() to each init would look the
   implementation up again on every call. It is the environment's instance data, so no state is shared
   between threads (worker threads can run init at the same time) and the environment frees it when it
   ends. OpenSSL's fetch and EVP_CIPHER's reference count are thread-safe. */
static void free_cipher(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_CIPHER_free(data);
}

/* A failed N-API call: its own exception when one is pending, else a generic Error. */
static napi_value fail_napi(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_PRISMA_VAULT_NATIVE", "prisma-vault-native: an N-API call failed");
  return NULL;
}

/* This environment's AES-256-GCM (set by init); NULL and an Error thrown when there is none. */
static const EVP_CIPHER *aes_256_gcm(napi_env env) {
  void *cipher = NULL;
  if (napi_get_instance_data(env, &cipher) != napi_ok || cipher == NULL) {
    fail_napi(env);
    return NULL;
  }
  return cipher;
}

#define NAPI_OK(call)                  \
  do {                                 \
    if ((call) != napi_ok) goto napi;  \
  } while (0)

/* Bytes of a Uint8Array (a Buffer is one); false and a TypeError thrown when `value` is not one. */
static bool uint8_bytes(napi_env env, napi_value value, const char *what, bytes_t *out) {
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  /* napi_get_typedarray_info refuses (napi_invalid_arg, nothing thrown) anything but a typed array. */
  if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
    return false;
  }
  /* A zero-length view may have no backing store; point it at something valid. */
  static const uint8_t empty[1] = {0};
  out->data = length == 0 || data == NULL ? empty : (const uint8_t *)data;
  out->length = length;
  return true;
}

/* Length of a JS array; false and a TypeError when `value` is not an array. */
static bool array_length(napi_env env, napi_value value, const char *what, uint32_t *out) {
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
    return false;
  }
  if (napi_get_array_length(env, value, out) != napi_ok) {
    fail_napi(env);
    return false;
  }
  return true;
}

/* An AAD element: null/undefined (none) or a Uint8Array; its bytes are taken later (see aad_bytes). */
static bool aad_is_none(napi_env env, napi_value value, bool *none) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return false;
  *none = type == napi_null || type == napi_undefined;
  return true;
}

static bool check_key(napi_env env, napi_value value, bytes_t *key) {
  if (!uint8_bytes(env, value, "the key must be a Uint8Array", key)) return false;
  /* Precondition: a 32-byte AES-256 key. */
  if (key->length != KEY_BYTES) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "the key must be 32 bytes");
    return false;
  }
  return true;
}

/* True when `bytes` is well-formed UTF-8 (as TextDecoder's fatal mode requires); sets *ascii. */
static bool valid_utf8(const uint8_t *s, size_t n, bool *ascii) {
  size_t i = 0;
  bool all_ascii = true;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    all_ascii = false;
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0;     /* no overlong forms */
      if (c == 0xed) hi = 0x9f;     /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;     /* no overlong forms */
      if (c == 0xf4) hi = 0x8f;     /* nothing above U+10FFFF */
    } else {
      return false;
    }
    if (n - i <= need) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k <= need; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
    i += need + 1;
  }
  *ascii = all_ascii;
  return true;
}

/* True when `length` bytes are one 12-byte IV per text. Divided, not multiplied: count * IV_BYTES can
   wrap where size_t is 32 bits (2^32 - 1 texts would need 2^32 - 12 bytes mod 2^32). */
static bool ivs_fit(size_t length, uint32_t count) {
  return length % IV_BYTES == 0 && length / IV_BYTES == count;
}

/* seal(key, ivs, texts, aads) */
static napi_value seal(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_value result = NULL, buffer = NULL;
  EVP_CIPHER_CTX *ctx = NULL;
  napi_value *texts = NULL, *aads = NULL;
  size_t *lengths = NULL;
  uint8_t *out = NULL;
  size_t total = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail_napi(env);
  if (argc < 4) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "seal(key, ivs, texts, aads) takes 4 arguments");
    return NULL;
  }
  const EVP_CIPHER *cipher = aes_256_gcm(env);
  if (cipher == NULL) return NULL;
  bytes_t key, ivs;
  uint32_t count = 0, aad_count = 0;
  if (!check_key(env, argv[0], &key)) return NULL;
  if (!uint8_bytes(env, argv[1], "ivs must be a Uint8Array", &ivs)) return NULL;
  if (!array_length(env, argv[2], "texts must be an array", &count)) return NULL;
  if (!array_length(env, argv[3], "aads must be an array", &aad_count)) return NULL;
  /* Precondition: one AAD and one 12-byte IV per text. */
  if (aad_count != count) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "texts and aads must have the same length");
    return NULL;
  }
  if (!ivs_fit(ivs.length, count)) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "ivs must hold 12 bytes per text");
    return NULL;
  }

  /* Pass 1, the only one that can run JS (element getters): every text and AAD, and the output size. */
  size_t slots = count == 0 ? 1 : count;
  texts = calloc(slots, sizeof *texts);
  aads = calloc(slots, sizeof *aads);
  lengths = calloc(slots, sizeof *lengths);
  if (texts == NULL || aads == NULL || lengths == NULL) goto oom;
  for (uint32_t i = 0; i < count; i++) {
    napi_valuetype type;
    bool none = true;
    NAPI_OK(napi_get_element(env, argv[2], i, &texts[i]));
    NAPI_OK(napi_get_element(env, argv[3], i, &aads[i]));
    NAPI_OK(napi_typeof(env, texts[i], &type));
    if (type != napi_string) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "every text must be a string");
      goto failed;
    }
    if (!aad_is_none(env, aads[i], &none)) goto napi;
    if (none) aads[i] = NULL;
    NAPI_OK(napi_get_value_string_utf8(env, texts[i], NULL, 0, &lengths[i]));
    /* Precondition: each value, and all of them with their tags, fit an int and one ArrayBuffer. The
       first test bounds lengths[i], so MAX_BATCH_BYTES - lengths[i] - TAG_BYTES cannot wrap. */
    if (lengths[i] > MAX_VALUE_BYTES || total > MAX_BATCH_BYTES - lengths[i] - TAG_BYTES) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "the texts are too long for one call");
      goto failed;
    }
    total += lengths[i] + TAG_BYTES;
  }

  /* One ArrayBuffer holds every ciphertext || tag; each result is a view of it. Each plaintext (and
     N-API's NUL) is written into its slot and encrypted in place, so no plaintext copy is left. */
  void *raw = NULL;
  NAPI_OK(napi_create_arraybuffer(env, total + 1, &raw, &buffer));
  out = raw;
  NAPI_OK(napi_create_array_with_length(env, count, &result));
  /* Pass 1 may have run JS (a getter could have detached the key's buffer): take the key again. */
  if (!check_key(env, argv[0], &key)) goto failed;
  ctx = EVP_CIPHER_CTX_new();
  ASAN_CHECK_RANGE(key.data, KEY_BYTES);
  if (ctx == NULL || EVP_EncryptInit_ex(ctx, cipher, NULL, key.data, NULL) != 1) goto crypto;

  /* Pass 2 runs no JS: pointers into JS memory are taken here and used at once. */
  NAPI_OK(napi_get_typedarray_info(env, argv[1], &(napi_typedarray_type){0}, &ivs.length, (void **)&ivs.data, NULL, NULL));
  if (!ivs_fit(ivs.length, count)) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "ivs changed length");
    goto failed;
  }
  size_t offset = 0;
  for (uint32_t i = 0; i < count; i++) {
    size_t length = lengths[i], written = 0;
    uint8_t *slot = out + offset;
    bytes_t aad = {NULL, 0};
    if (aads[i] != NULL && !uint8_bytes(env, aads[i], "every aad must be a Uint8Array or null", &aad)) goto failed;
    if (aad.length > MAX_VALUE_BYTES) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "an aad is too long");
      goto failed;
    }
    NAPI_OK(napi_get_value_string_utf8(env, texts[i], (char *)slot, length + 1, &written));
    if (written != length) {
      napi_throw_error(env, "ERR_PRISMA_VAULT_NATIVE", "a text changed length while being read");
      goto failed;
    }
    int outl = 0;
    ASAN_CHECK_RANGE(ivs.data + (size_t)i * IV_BYTES, IV_BYTES);
    ASAN_CHECK_RANGE(aad.data, aad.length);
    ASAN_CHECK_RANGE(slot, length + TAG_BYTES);
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, ivs.data + (size_t)i * IV_BYTES) != 1) goto crypto;
    if (aad.length > 0 && EVP_EncryptUpdate(ctx, NULL, &outl, aad.data, (int)aad.length) != 1) goto crypto;
    if (length > 0 && EVP_EncryptUpdate(ctx, slot, &outl, slot, (int)length) != 1) goto crypto;
    if (EVP_EncryptFinal_ex(ctx, slot + length, &outl) != 1) goto crypto;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, slot + length) != 1) goto crypto;
    /* The view takes the text's slot: the text is not needed again. */
    NAPI_OK(napi_create_typedarray(env, napi_uint8_array, length + TAG_BYTES, buffer, offset, &texts[i]));
    offset += length + TAG_BYTES;
  }
  /* Every slot now holds ciphertext, nothing is left to cleanse. Setting elements can run JS (a setter
     on Array.prototype could detach the results' buffer), so it comes after the last write into it. */
  out = NULL;
  for (uint32_t i = 0; i < count; i++) NAPI_OK(napi_set_element(env, result, i, texts[i]));
  EVP_CIPHER_CTX_free(ctx);
  free(texts);
  free(aads);
  free(lengths);
  return result;

oom:
  napi_throw_error(env, "ERR_PRISMA_VAULT_NATIVE", "prisma-vault-native: out of memory");
  goto failed;
crypto:
  napi_throw_error(env, "ERR_PRISMA_VAULT_CRYPTO", "prisma-vault-native: AES-256-GCM failed");
  goto failed;
napi:
  fail_napi(env);
failed:
  /* Whatever plaintext was written and not yet encrypted goes. */
  if (out != NULL) OPENSSL_cleanse(out, total + 1);
  EVP_CIPHER_CTX_free(ctx); /* NULL-safe; cleanses the key schedule */
  free(texts);
  free(aads);
  free(lengths);
  return NULL;
}

/* Grows the scratch buffer to `need` bytes, cleansing what it held. */
static bool scratch_reserve(uint8_t **scratch, size_t *capacity, size_t need) {
  if (need <= *capacity) return true;
  size_t grown = need < 256 ? 256 : need;
  uint8_t *fresh = malloc(grown);
  if (fresh == NULL) return false;
  if (*scratch != NULL) {
    OPENSSL_cleanse(*scratch, *capacity);
    free(*scratch);
  }
  *scratch = fresh;
  *capacity = grown;
  return true;
}

/* A Uint32Array's elements, copied once into fresh memory (*copy: free it); false and a TypeError
   thrown when `value` is not one. The array may lie over a SharedArrayBuffer that another thread
   rewrites: everything after this reads and checks the copy, never JS memory again. */
static bool uint32_copy(napi_env env, napi_value value, const char *what, uint32_t **copy, size_t *count) {
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, count, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint32_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
    return false;
  }
  /* calloc refuses a count * 4 that does not fit a size_t; one slot at least, so NULL means no memory. */
  *copy = calloc(*count == 0 ? 1 : *count, sizeof **copy);
  if (*copy == NULL) {
    napi_throw_error(env, "ERR_PRISMA_VAULT_NATIVE", "prisma-vault-native: out of memory");
    return false;
  }
  if (*count > 0 && raw != NULL) memcpy(*copy, raw, *count * sizeof **copy);
  return true;
}

/* Offsets per value in open()'s spans: IV start and end (the tag follows it), ciphertext start and end,
   AAD start and end (equal: none). */
#define SPAN_WORDS 6

/* Why open() refuses a span: an error code and message. */
typedef struct {
  const char *code;
  const char *message;
} refusal_t;

static const refusal_t BAD_IV = {"ERR_INVALID_ARG_VALUE", "an IV must be 12 or 32 bytes"};
static const refusal_t OUTSIDE_BYTES = {"ERR_INVALID_ARG_VALUE", "a span lies outside the bytes"};
static const refusal_t OUTSIDE_AADS = {"ERR_INVALID_ARG_VALUE", "an aad span lies outside the aads"};
static const refusal_t TOO_LONG = {"ERR_OUT_OF_RANGE", "a ciphertext or aad is too long"};

/* NULL when `span` lies inside its buffers, else why not. No sum is formed: each difference is taken
   only after its order is checked, so nothing wraps whatever the width of size_t (32 bits on some
   targets, where iv_end + TAG_BYTES could wrap past a ciphertext start). Together the checks give
   iv_start <= iv_end <= iv_end + 16 <= ct_start <= ct_end <= bytes_length: IV, tag and ciphertext lie
   inside the bytes. */
static const refusal_t *span_refusal(const uint32_t *span, size_t bytes_length, size_t aads_length) {
  size_t iv_start = span[0], iv_end = span[1], ct_start = span[2], ct_end = span[3];
  size_t aad_start = span[4], aad_end = span[5];
  if (iv_end < iv_start || (iv_end - iv_start != IV_BYTES && iv_end - iv_start != LEGACY_IV_BYTES))
    return &BAD_IV;
  if (ct_start < iv_end || ct_start - iv_end < TAG_BYTES || ct_end < ct_start || ct_end > bytes_length)
    return &OUTSIDE_BYTES;
  if (aad_end < aad_start || aad_end > aads_length) return &OUTSIDE_AADS;
  if (ct_end - ct_start > MAX_VALUE_BYTES || aad_end - aad_start > MAX_VALUE_BYTES)
    return &TOO_LONG;
  return NULL;
}

/* open(key, bytes, aads, spans): the batch's envelopes laid end to end in `bytes`, their associated data in
   `aads`, and where each value's parts lie. Nothing here runs JS: the pointers taken at the start stay
   valid to the end, and the results are set into the array only after the last use of them. The spans
   are copied once and only the copy is checked and used: over a SharedArrayBuffer another thread could
   change them between a check and a use. The bytes and aads are read where the checked copy points;
   another thread changing them can spoil a result, never move a read out of bounds. */
static napi_value open_all(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_value result = NULL, null_value = NULL, *texts = NULL;
  EVP_CIPHER_CTX *ctx = NULL;
  uint8_t *scratch = NULL;
  uint32_t *spans = NULL;
  size_t capacity = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail_napi(env);
  if (argc < 4) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "open(key, bytes, aads, spans) takes 4 arguments");
    return NULL;
  }
  const EVP_CIPHER *cipher = aes_256_gcm(env);
  if (cipher == NULL) return NULL;
  bytes_t key, bytes, aads;
  size_t words = 0;
  if (!check_key(env, argv[0], &key)) return NULL;
  if (!uint8_bytes(env, argv[1], "bytes must be a Uint8Array", &bytes)) return NULL;
  if (!uint8_bytes(env, argv[2], "aads must be a Uint8Array", &aads)) return NULL;
  if (!uint32_copy(env, argv[3], "spans must be a Uint32Array", &spans, &words)) return NULL;
  /* Precondition: whole spans, each inside its buffer, a 12-byte IV (32 in legacy envelopes) followed by
     a 16-byte tag before the ciphertext, and lengths that fit an int. Checked for all before any work. */
  if (words % SPAN_WORDS != 0) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "spans must hold 6 offsets per value");
    goto failed;
  }
  size_t count = words / SPAN_WORDS;
  for (size_t i = 0; i < count; i++) {
    const refusal_t *refusal = span_refusal(spans + i * SPAN_WORDS, bytes.length, aads.length);
    if (refusal != NULL) {
      napi_throw_range_error(env, refusal->code, refusal->message);
      goto failed;
    }
  }

  texts = calloc(count == 0 ? 1 : count, sizeof *texts);
  if (texts == NULL) goto oom;
  NAPI_OK(napi_get_null(env, &null_value));
  NAPI_OK(napi_create_array_with_length(env, count, &result));
  ctx = EVP_CIPHER_CTX_new();
  ASAN_CHECK_RANGE(key.data, KEY_BYTES);
  if (ctx == NULL || EVP_DecryptInit_ex(ctx, cipher, NULL, key.data, NULL) != 1) goto crypto;
  int iv_length = IV_BYTES;
  for (size_t i = 0; i < count; i++) {
    /* The checked copy: each difference is non-negative and at most MAX_VALUE_BYTES (span_refusal). */
    const uint32_t *span = spans + i * SPAN_WORDS;
    const uint8_t *iv = bytes.data + span[0], *tag = bytes.data + span[1], *ct = bytes.data + span[2];
    int length = (int)(span[1] - span[0]), ct_length = (int)(span[3] - span[2]);
    int aad_length = (int)(span[5] - span[4]);
    texts[i] = null_value;
    if (!scratch_reserve(&scratch, &capacity, (size_t)ct_length + TAG_BYTES)) goto oom;
    if (length != iv_length) {
      if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, length, NULL) != 1) goto crypto;
      iv_length = length;
    }
    int outl = 0, tail = 0;
    ASAN_CHECK_RANGE(iv, (size_t)length + TAG_BYTES); /* the IV and the tag after it */
    ASAN_CHECK_RANGE(ct, (size_t)ct_length);
    ASAN_CHECK_RANGE(aads.data + span[4], (size_t)aad_length);
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) goto crypto;
    if (aad_length > 0 && EVP_DecryptUpdate(ctx, NULL, &outl, aads.data + span[4], aad_length) != 1) goto crypto;
    outl = 0;
    if (ct_length > 0 && EVP_DecryptUpdate(ctx, scratch, &outl, ct, ct_length) != 1) goto crypto;
    /* EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it. */
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, (void *)tag) != 1) goto crypto;
    /* Precondition: the tag verifies before any plaintext is used. */
    bool opened = EVP_DecryptFinal_ex(ctx, scratch + outl, &tail) == 1;
    size_t plain = (size_t)outl + (size_t)tail;
    bool ascii = false;
    /* Invalid UTF-8 fails like a bad tag: the node:crypto path decodes with a fatal TextDecoder. */
    if (opened && valid_utf8(scratch, plain, &ascii)) {
      napi_status made = ascii ? napi_create_string_latin1(env, (const char *)scratch, plain, &texts[i])
                               : napi_create_string_utf8(env, (const char *)scratch, plain, &texts[i]);
      if (made != napi_ok) {
        OPENSSL_cleanse(scratch, plain);
        goto napi;
      }
    }
    OPENSSL_cleanse(scratch, plain);
  }
  EVP_CIPHER_CTX_free(ctx);
  ctx = NULL;
  if (scratch != NULL) {
    OPENSSL_cleanse(scratch, capacity);
    free(scratch);
    scratch = NULL;
  }
  /* Setting elements can run JS (a setter on Array.prototype): it comes after the last use of the inputs. */
  for (size_t i = 0; i < count; i++) NAPI_OK(napi_set_element(env, result, (uint32_t)i, texts[i]));
  free(texts);
  free(spans);
  return result;

oom:
  napi_throw_error(env, "ERR_PRISMA_VAULT_NATIVE", "prisma-vault-native: out of memory");
  goto failed;
crypto:
  napi_throw_error(env, "ERR_PRISMA_VAULT_CRYPTO", "prisma-vault-native: AES-256-GCM failed");
  goto failed;
napi:
  fail_napi(env);
failed:
  EVP_CIPHER_CTX_free(ctx);
  if (scratch != NULL) {
    OPENSSL_cleanse(scratch, capacity);
    free(scratch);
  }
  free(texts);
  free(spans);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
  if (cipher == NULL) {
    napi_throw_error(env, "ERR_PRISMA_VAULT_CRYPTO", "prisma-vault-native: OpenSSL has no AES-256-GCM");
    return NULL;
  }
  if (napi_set_instance_data(env, cipher, free_cipher, NULL) != napi_ok) {
    EVP_CIPHER_free(cipher);
    return fail_napi(env);
  }
  napi_property_descriptor methods[] = {
      {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_all, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, methods) != napi_ok) return fail_napi(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
