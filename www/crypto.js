// The cryptography DKIM and ARC verify with in the Message view: the browser's WebCrypto, handed
// to the wasm core as the `crypto` option of analyzeMessage (src/wasm/subtle.rs calls its
// importKey, verify and digest, as on crypto.subtle). The core reads and checks every key and
// decides every verdict; this file only carries bytes to WebCrypto and back.
//
// Where WebCrypto cannot answer (no crypto.subtle outside a secure context, an algorithm this
// browser lacks such as Ed25519 before Chromium 113, a key it refuses that the core accepted),
// the same call goes to the audit module's Rust code (cryptoDigest, cryptoVerify), the code the
// CLI verifies with, so that a verdict never depends on the browser. Only when that module
// cannot be loaded either does the promise reject, and the core reports the signature as
// temperror ("could not be checked") with both reasons, never as fail.

const subtle = () => globalThis.crypto?.subtle;

/** How often this page has used the fallback, for the tests and for bug reports. */
export const fallbackUse = { digest: 0, verify: 0 };

const reasonOf = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

// The audit module's loader is itself imported on first need: the first paint fetches nothing
// of the audit module, not even its 1 KB loader.
async function audit(why) {
  try {
    const { loadAudit } = await import('./audit.js');
    return await loadAudit();
  } catch (error) {
    throw new Error(`${why}; the fallback could not be loaded (${reasonOf(error)})`);
  }
}

const algorithmName = (algorithm) => (typeof algorithm === 'string' ? algorithm : algorithm.name);
const hashName = (algorithm) => {
  const hash = typeof algorithm === 'string' ? undefined : algorithm.hash;
  return (typeof hash === 'string' ? hash : hash?.name) ?? '';
};

/**
 * The object the core verifies with: `importKey`, `verify` and `digest` as on crypto.subtle.
 * Keys it imports are its own objects, holding the browser's CryptoKey when WebCrypto took the
 * key, and the key's bytes for the fallback.
 */
export const pageCrypto = {
  async digest(algorithm, data) {
    let why = 'this page has no WebCrypto';
    if (subtle()) {
      try {
        return await subtle().digest(algorithm, data);
      } catch (error) {
        why = reasonOf(error);
      }
    }
    const module = await audit(why);
    fallbackUse.digest += 1;
    return module.cryptoDigest(algorithmName(algorithm), new Uint8Array(data));
  },

  async importKey(format, keyData, algorithm, extractable, usages) {
    const bytes = new Uint8Array(keyData);
    let browserKey = null;
    let why = 'this page has no WebCrypto';
    if (subtle()) {
      try {
        browserKey = await subtle().importKey(format, bytes, algorithm, extractable, usages);
      } catch (error) {
        why = reasonOf(error);
      }
    }
    return { browserKey, why, bytes, algorithm };
  },

  async verify(algorithm, key, signature, data) {
    let why = key.why;
    if (key.browserKey) {
      try {
        return await subtle().verify(algorithm, key.browserKey, signature, data);
      } catch (error) {
        why = reasonOf(error);
      }
    }
    const module = await audit(why);
    fallbackUse.verify += 1;
    return module.cryptoVerify(algorithmName(key.algorithm), hashName(key.algorithm), key.bytes,
      new Uint8Array(signature), new Uint8Array(data));
  },
};

/** `options` with the page's cryptography, unless the caller chose its own. */
export const withPageCrypto = (options) => ({ crypto: pageCrypto, ...(options ?? {}) });
