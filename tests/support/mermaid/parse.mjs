// Parse Mermaid diagrams with Mermaid's own parser (the one GitHub renders with).
// Usage: node parse.mjs FILE...   Prints one JSON line per file: {"file", "ok", "type" | "error"}.
// Mermaid reads the DOM at import (DOMPurify), so a jsdom window stands in for the browser.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(JSON.stringify({ file, ok: true, type: result.diagramType }));
  } catch (error) {
    console.log(JSON.stringify({ file, ok: false, error: String(error.message || error) }));
  }
}
