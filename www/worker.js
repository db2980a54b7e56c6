// The wasm core in a Web Worker: one analysis per worker (core.js terminates it afterwards, or
// sooner to cancel). It tells the page how many DNS lookups the core has sent and how many have
// been answered, by counting the fetches the core's DoH resolver makes: the only network
// traffic there is.
import { withPageCrypto } from './crypto.js';
import { analyzeInput } from './intake.js';
import init, * as wasm from './pkg/mailspect.js';

let ready = null;
let asked = 0;
let answered = 0;

const report = () => self.postMessage({ type: 'progress', asked, answered });

const fetchFromCore = self.fetch.bind(self);
self.fetch = (...request) => {
  // The audit module, the fallback of www/crypto.js, is not a DNS lookup either.
  if (String(request[0]?.url ?? request[0]).includes('/pkg-audit/')) return fetchFromCore(...request);
  asked += 1;
  report();
  const settled = () => {
    answered += 1;
    report();
  };
  const response = fetchFromCore(...request);
  response.then(settled, settled);
  return response;
};

// A resolver the Content-Security-Policy does not allow: the lookups fail as network errors, and
// this says why, so that the page can explain instead of showing only "lookup failed".
self.addEventListener('securitypolicyviolation', (event) => {
  self.postMessage({ type: 'blocked', url: event.blockedURI, directive: event.effectiveDirective });
});

self.addEventListener('message', async ({ data }) => {
  if (data.type === 'init') {
    ready = init({ module_or_path: data.module });
    return;
  }
  if (data.type !== 'analyze') return;
  try {
    await ready;
    // The msg module's .wasm, when a .msg needs it, is not a DNS lookup: fetched uncounted.
    // DKIM and ARC verify with the browser's WebCrypto (www/crypto.js), added here: functions
    // do not cross postMessage.
    const result = await analyzeInput(wasm, data.input, withPageCrypto(data.options), fetchFromCore);
    // A refused connection's violation event is a task queued after the fetch has already
    // failed: let those run first, so that the page hears why before the report arrives.
    await new Promise((resolve) => setTimeout(resolve, 0));
    self.postMessage({ type: 'report', report: result });
  } catch (error) {
    self.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
