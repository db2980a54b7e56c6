// Registers <mailspect-analyzer>. One <script type="module" src=".../define.js"> is all an
// embedding page needs; the wasm is found relative to this module.
import { MailspectAnalyzerElement } from './mailspect-analyzer.js';

MailspectAnalyzerElement.define();
