// Which wasm reads the input. Text and .eml go straight to the Message view's module; an Outlook
// .msg (an OLE compound file, known by its first eight bytes) first goes through the msg module
// (crates/mailspect-msg, built into pkg-msg/), which returns the Internet headers Outlook kept,
// and the Message view's module analyses those. The compound-file reader is thus downloaded
// only by someone who opens a .msg, not on every first visit. Used by the worker and by core.js
// where there is no worker.

/** [MS-CFB] §2.2 Header Signature; the core's `message::COMPOUND_FILE_MAGIC`. */
const COMPOUND_FILE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const isCompoundFile = (input) =>
  input instanceof Uint8Array && COMPOUND_FILE_MAGIC.every((byte, index) => input[index] === byte);

let loading = null;

/**
 * Resolves to the msg module's exports, loading it once. `fetchWasm` fetches its .wasm: the
 * worker passes its own fetch, which it does not count as a DNS lookup.
 */
function loadMsg(fetchWasm) {
  loading ??= (async () => {
    const msg = await import('./pkg-msg/mailspect_msg.js');
    await msg.default({ module_or_path: fetchWasm(new URL('./pkg-msg/mailspect_msg_bg.wasm', import.meta.url)) });
    return msg;
  })().catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** `core.analyzeMessage(input, options)`, reading a .msg with the msg module first. */
export async function analyzeInput(core, input, options, fetchWasm = fetch) {
  if (!isCompoundFile(input)) return core.analyzeMessage(input, options);
  const msg = await loadMsg(fetchWasm);
  return core.analyzeOutlookHeaders(msg.outlookHeaders(input), options);
}
