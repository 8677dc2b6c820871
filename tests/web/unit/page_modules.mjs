// What the unit tests of the page's modules share. The modules in web/ are browser ES modules in a
// folder without a package.json (it would be served with the page): Node.js before 20.19 reads a
// .js file there as CommonJS. So they are imported from a copy beside a package.json that says
// "module", removed when the test process ends.
//
// And a document just large enough for dom.js and svg.js to build elements in: an element keeps
// its tag, namespace, attributes, listeners, dataset and children (strings or text nodes).
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const copy = mkdtempSync(path.join(tmpdir(), 'hemalink-web-'));
cpSync(fileURLToPath(new URL('../../../web/', import.meta.url)), copy, {recursive: true});
writeFileSync(path.join(copy, 'package.json'), '{"type": "module"}\n');
process.on('exit', () => rmSync(copy, {recursive: true, force: true}));

export const pageModule = (name) => import(pathToFileURL(path.join(copy, name)).href);

class FakeNode {}

class FakeText extends FakeNode {
  constructor(data) {
    super();
    this.data = data;
  }
  get textContent() { return this.data; }
}

class FakeElement extends FakeNode {
  constructor(tagName, namespaceURI = null) {
    super();
    Object.assign(this, {tagName, namespaceURI, attributes: {}, listeners: {}, dataset: {}, children: []});
  }
  setAttribute(name, value) { this.attributes[name] = value; }
  addEventListener(type, listener) { (this.listeners[type] ??= []).push(listener); }
  append(...nodes) { this.children.push(...nodes); }
  replaceChildren(...nodes) { this.children = nodes; }
  get textContent() { return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join(''); }
}

globalThis.Node = FakeNode;
globalThis.document = {
  createElement: (tag) => new FakeElement(tag),
  createElementNS: (namespace, tag) => new FakeElement(tag, namespace),
  createTextNode: (data) => new FakeText(data),
};
