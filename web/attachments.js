// Histograms and scattergrams: shown when the analyzer sent the image as data (HL7 ED, base64:
// Mindray BC), named when it sent only the file it kept (Sysmex SCAT_WDF PNG paths).
import {h} from './dom.js';

const IMAGE_TYPES = {PNG: 'image/png', BMP: 'image/bmp', JPEG: 'image/jpeg', JPG: 'image/jpeg', GIF: 'image/gif'};
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// {kind: 'image', src, type} | {kind: 'file', path} | {kind: 'unreadable', why}
export function readAttachment(reference) {
  const text = String(reference || '');
  const parts = text.split('^');
  if (parts.length >= 5 && parts[3].toUpperCase() === 'BASE64') {
    const type = IMAGE_TYPES[parts[2].toUpperCase()];
    const data = parts.slice(4).join('^').replace(/\s+/g, '');
    if (!type) return {kind: 'unreadable', why: `an image of type ${parts[2] || '(none)'}`};
    if (!BASE64.test(data)) return {kind: 'unreadable', why: 'the image data is not base64'};
    return {kind: 'image', src: `data:${type};base64,${data}`, type: parts[2].toUpperCase()};
  }
  // Sysmex: PNG&R&<date>&R&<file>, or with the escapes read, PNG\\<date>\\<file>.
  const pieces = text.split(/[&\\]/).filter((p) => p && p !== 'R');
  const file = pieces.find((p) => /\.(png|bmp|jpe?g|gif|tiff?)$/i.test(p));
  if (file) {
    const folders = pieces.slice(1, pieces.indexOf(file));
    return {kind: 'file', path: [...folders, file].join('/')};
  }
  return {kind: 'unreadable', why: 'no image data and no file name'};
}

export function attachmentList(attachments, of) {
  if (!attachments || attachments.length === 0) return null;
  return h('section', {class: 'attachments', 'aria-label': `Histograms and scattergrams of ${of}`},
    attachments.map((a) => {
      const read = readAttachment(a.reference);
      const label = a.code || 'image';
      if (read.kind === 'image') {
        return h('figure', {class: 'attachment'},
          h('img', {src: read.src, alt: `${label} (${read.type} image sent by the analyzer)`, loading: 'lazy'}),
          h('figcaption', {}, label));
      }
      if (read.kind === 'file') {
        return h('figure', {class: 'attachment file'},
          h('figcaption', {}, label),
          h('p', {}, 'Kept on the analyzer as ', h('code', {}, read.path)));
      }
      return h('figure', {class: 'attachment unreadable'},
        h('figcaption', {}, label), h('p', {}, `Not shown: ${read.why}.`));
    }));
}
