// The Domain and Record views' wasm module (crates/mailspect-audit, built into pkg-audit/): the
// domain audits, record linting and whatever else only those views call. The Message view's
// first visit does not download it; the first call of loadAudit() does, once. It is a module of
// its own, not a part of pkg/ fetched later, because wasm-bindgen links one crate's exports into
// one module: the audit crate links the core as a library without the Message view's exports.
let loading = null;

/**
 * Resolves to the audit module's exports (`auditSpf`, `auditDmarc`, …), each taking the same
 * options as `analyzeMessage` (`doh`) and resolving to a plain report object. A failed load
 * (offline, a server without pkg-audit/) rejects, and the next call tries again.
 */
export function loadAudit() {
  loading ??= (async () => {
    const audit = await import('./pkg-audit/mailspect_audit.js');
    await audit.default({ module_or_path: new URL('./pkg-audit/mailspect_audit_bg.wasm', import.meta.url) });
    return audit;
  })().catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}
