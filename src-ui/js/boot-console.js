// Starts the staff console's wasm module (the citizen's page loads a smaller one without
// the console). The console's own routes live under #/console.
import init from "../console/pkg/augenmerk_ui.js";
if (!location.hash.startsWith("#/console")) {
  history.replaceState(null, "", "#/console");
}
init();
