// ESLint over the site's scripts (linkwell/publish/site/assets/js): `./run tests` runs it after ruff.
// The scripts are plain browser scripts (no modules, no build step); each shares what it offers through
// window.linkwell* objects, so an undefined name is a mistake (no-undef).
"use strict";

const browser = Object.fromEntries([
  "window", "document", "location", "history", "navigator", "fetch", "URL", "URLSearchParams", "TextEncoder",
  "atob", "btoa", "setTimeout", "clearTimeout", "requestAnimationFrame", "localStorage", "sessionStorage",
  "console", "IntersectionObserver", "matchMedia", "getComputedStyle", "HTMLElement", "Event", "CustomEvent",
  "FormData", "Blob", "print", "alert", "DOMParser",
].map((name) => [name, "readonly"]));

module.exports = [
  { ignores: ["linkwell/publish/site/assets/js/qrcode.js", "linkwell/publish/site/assets/js/ajv2020.js"] },  // from npm, linked in
  {
    files: ["linkwell/publish/site/assets/js/**/*.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "script", globals: browser },
    rules: {
      "no-undef": "error",
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      "no-redeclare": "error",
      "no-dupe-keys": "error",
      "no-unreachable": "error",
    },
  },
];
