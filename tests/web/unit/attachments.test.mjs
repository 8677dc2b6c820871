// web/attachments.js: histograms and scattergrams, shown from the data an analyzer sent or named
// by the file it kept.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pageModule} from './page_modules.mjs';

const {attachmentList, readAttachment} = await pageModule('attachments.js');
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAIAAAD3Uuoi';

test('an HL7 ED image in base64 becomes a data URL of its type', () => {
  assert.deepEqual(readAttachment(`^Image^PNG^Base64^${PNG}`),
    {kind: 'image', src: `data:image/png;base64,${PNG}`, type: 'PNG'});
  assert.deepEqual(readAttachment(`^Image^jpg^BASE64^${PNG}==`),
    {kind: 'image', src: `data:image/jpeg;base64,${PNG}==`, type: 'JPG'});
});

test('base64 broken over lines is joined, and a ^ in the data is kept', () => {
  assert.equal(readAttachment(`^Image^BMP^Base64^${PNG.slice(0, 10)}\r\n ${PNG.slice(10)}`).src,
    `data:image/bmp;base64,${PNG}`);
  assert.deepEqual(readAttachment('^Image^PNG^Base64^AB^CD'),
    {kind: 'unreadable', why: 'the image data is not base64'}, 'the parts after the fourth are data');
});

test('an image of a type no browser shows, or data not base64, is unreadable and says why', () => {
  assert.deepEqual(readAttachment(`^Image^TIFF^Base64^${PNG}`), {kind: 'unreadable', why: 'an image of type TIFF'});
  assert.deepEqual(readAttachment(`^Image^^Base64^${PNG}`), {kind: 'unreadable', why: 'an image of type (none)'});
  assert.deepEqual(readAttachment('^Image^PNG^Base64^not base64!'), {kind: 'unreadable', why: 'the image data is not base64'});
});

test('a Sysmex file reference names the file under its folders, escaped or read', () => {
  assert.deepEqual(readAttachment('PNG&R&20261128&R&2026_11_28_10_15_00_WDF.PNG'),
    {kind: 'file', path: '20261128/2026_11_28_10_15_00_WDF.PNG'});
  assert.deepEqual(readAttachment('PNG\\20240628\\2024_06_27_13_54_27_WDF.PNG'),
    {kind: 'file', path: '20240628/2024_06_27_13_54_27_WDF.PNG'});
  assert.deepEqual(readAttachment('BMP&R&scatter.bmp'), {kind: 'file', path: 'scatter.bmp'});
});

test('neither data nor a file name is unreadable', () => {
  for (const reference of ['', null, 'PNG&R&20261128', '^Image^PNG^Hex^89504E47']) {
    assert.deepEqual(readAttachment(reference), {kind: 'unreadable', why: 'no image data and no file name'}, String(reference));
  }
});

test('no attachments make no section', () => {
  assert.equal(attachmentList([], 'S-1'), null);
  assert.equal(attachmentList(undefined, 'S-1'), null);
});

test('each attachment is a figure: the image, the file kept, or why it is not shown', () => {
  const section = attachmentList([
    {code: 'WBC Histogram', reference: `^Image^PNG^Base64^${PNG}`},
    {code: 'SCAT_WDF', reference: 'PNG&R&20261128&R&WDF.PNG'},
    {reference: '^Image^TIFF^Base64^AAAA'},
  ], 'S-XN-1');
  assert.equal(section.tagName, 'section');
  assert.deepEqual(section.attributes, {class: 'attachments', 'aria-label': 'Histograms and scattergrams of S-XN-1'});
  const [image, file, unreadable] = section.children;
  assert.equal(image.attributes.class, 'attachment');
  const [img, caption] = image.children;
  assert.deepEqual(img.attributes, {src: `data:image/png;base64,${PNG}`,
    alt: 'WBC Histogram (PNG image sent by the analyzer)', loading: 'lazy'});
  assert.equal(caption.textContent, 'WBC Histogram');
  assert.equal(file.attributes.class, 'attachment file');
  assert.equal(file.textContent, 'SCAT_WDFKept on the analyzer as 20261128/WDF.PNG');
  assert.equal(unreadable.attributes.class, 'attachment unreadable');
  assert.equal(unreadable.textContent, 'imageNot shown: an image of type TIFF.', 'no code: called image');
});
