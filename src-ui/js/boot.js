// Starts the wasm UI. A file rather than an inline script: the server's Content-Security-Policy
// allows scripts from the page's own origin only.
import init from "../pkg/augenmerk_ui.js";
init();
