// The page's own bits outside the widget: the version in the footer.
import { ready } from './mailspect-analyzer.js';

ready.then((wasm) => {
  document.getElementById('version').textContent = wasm.version();
});
