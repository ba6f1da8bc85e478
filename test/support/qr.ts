import jsQRModule from 'jsqr';

// jsqr is CommonJS whose types say `export default`: under NodeNext the default import is the
// module object, which at run time is the function itself and also carries it as `default`.
const jsQR = jsQRModule.default;

/**
 * readQrSvg decodes a QR code drawn as SVG by the `qrcode` package: it paints the SVG's stroked
 * rows of modules (`M`/`m` moves and `h` runs, one module high) into pixels and reads them with
 * jsQR, the way a phone's camera would read the code off the page. Null when it finds no code.
 */
export function readQrSvg(svg: string, scale = 6): string | null {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path stroke="#000000" d="([^"]*)"/.exec(svg)?.[1];
  if (!size || d === undefined) throw new Error('not an SVG of the qrcode package');
  const dark = new Uint8Array(size * size);
  let x = 0;
  let y = 0;
  for (const [, cmd, args = ''] of d.matchAll(/([MmHh])([^MmHh]*)/g)) {
    const n = args
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if (cmd === 'M') [x, y] = [n[0] ?? 0, n[1] ?? 0];
    else if (cmd === 'm') [x, y] = [x + (n[0] ?? 0), y + (n[1] ?? 0)];
    else {
      const to = cmd === 'H' ? (n[0] ?? 0) : x + (n[0] ?? 0);
      for (let col = x; col < to; col++) dark[Math.floor(y) * size + col] = 1;
      x = to;
    }
  }
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4);
  for (let py = 0; py < width; py++) {
    for (let px = 0; px < width; px++) {
      const v = dark[Math.floor(py / scale) * size + Math.floor(px / scale)] ? 0 : 255;
      pixels.set([v, v, v, 255], (py * width + px) * 4);
    }
  }
  return jsQR(pixels, width, width)?.data ?? null;
}
