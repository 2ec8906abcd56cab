// Progressive enhancement only: every page works without this file.
// Loaded as a module from a static file (no inline script) so a strict
// Content-Security-Policy of script-src 'self' is enough.
import { initAll } from "./govuk-frontend.min.js";

// GOV.UK Frontend's template sets these classes with an inline script; a browser
// that runs modules supports GOV.UK Frontend, so setting them here is equivalent.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
