// Builds static/dist/ from frontend/ and govuk-frontend: `npm run build`.
// static/dist/ is generated (git-ignored); the templates link these files:
//   dist/application.css         GOV.UK Frontend + council branding, compressed
//   dist/application.js          initialises GOV.UK Frontend's JavaScript (a module)
//   dist/govuk-frontend.min.js   GOV.UK Frontend's JavaScript (+ .map)
//   dist/favicon.svg             perfmon's icon (GOV.UK's icons carry the crown)
//   dist/api-docs.js             draws the open data API's schema with Swagger UI
//   dist/swagger-ui/             Swagger UI (swagger-ui-dist from npm), served by perfmon itself
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const frontend = join(root, "frontend");
const dist = join(root, "static", "dist");
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const govuk = join(
  dirname(createRequire(import.meta.url).resolve("govuk-frontend/package.json")),
  "dist",
  "govuk",
);

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "swagger-ui"), { recursive: true });

const { css } = sass.compile(join(frontend, "scss", "application.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
});
checkCss(css);
writeFileSync(join(dist, "application.css"), css + "\n");

for (const [from, to] of [
  [join(govuk, "govuk-frontend.min.js"), "govuk-frontend.min.js"],
  // The .js names its source map, and collectstatic's manifest storage insists the
  // map exists.
  [join(govuk, "govuk-frontend.min.js.map"), "govuk-frontend.min.js.map"],
  [join(frontend, "js", "application.js"), "application.js"],
  [join(frontend, "images", "favicon.svg"), "favicon.svg"],
  [join(frontend, "js", "api-docs.js"), "api-docs.js"],
  // Swagger UI's script names its source map, which collectstatic's manifest insists on.
  [join(swaggerUi, "swagger-ui-bundle.js"), "swagger-ui/swagger-ui-bundle.js"],
  [join(swaggerUi, "swagger-ui-bundle.js.map"), "swagger-ui/swagger-ui-bundle.js.map"],
  [join(swaggerUi, "swagger-ui.css"), "swagger-ui/swagger-ui.css"],
  [join(swaggerUi, "swagger-ui.css.map"), "swagger-ui/swagger-ui.css.map"],
]) {
  copyFileSync(from, join(dist, to));
}
console.log(`Built ${dist}`);

/** Fails the build if the CSS breaks the branding or points at a missing file. */
function checkCss(text) {
  if (/GDS Transport|@font-face/.test(text)) {
    throw new Error("application.css would load GDS Transport: perfmon uses Arial.");
  }
  for (const [, quoted] of text.matchAll(/url\(\s*([^)]*?)\s*\)/g)) {
    const url = quoted.replace(/^["']|["']$/g, "");
    if (url.startsWith("data:")) continue;
    // Relative to application.css; collectstatic's manifest storage rejects a CSS
    // file whose url() names a file that is not there.
    const file = join(dist, url.split(/[?#]/)[0]);
    if (!existsSync(file)) {
      throw new Error(`application.css refers to ${url}, which the build does not produce.`);
    }
  }
}
