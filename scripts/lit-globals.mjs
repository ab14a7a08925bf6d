// Injected by scripts/build.mjs into the GUI bundle: the object that holds what Lit would otherwise put on the
// page's global object (litPropertyMetadata, reactiveElementVersions, litHtmlVersions, litElementVersions).
// A plugin must not add globals to its host's page (the wamtest suite warns about it), and another copy of Lit
// on the page keeps its own. Lit only reads them from its own modules, so one bundle-local object serves.
export const __levelmatchLit = {};
