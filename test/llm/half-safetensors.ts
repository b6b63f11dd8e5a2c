// Test helper: writes tensors to a safetensors file in F16 or BF16, as PyTorch stores half-precision checkpoints.
import * as fs from 'fs';
import type * as tf from '@tensorflow/tfjs';

/** Writes tensors to a safetensors file as F16 or BF16 (round to nearest even), as PyTorch would store them. */
export function writeHalf(file: string, tensors: Map<string, tf.Tensor>, dtype: 'F16' | 'BF16'): void {
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  const toBf16 = (x: number): number => {
    f32[0] = x;
    const u = u32[0]!;
    return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
  };
  const toF16 = (x: number): number => {
    const s = x < 0 || Object.is(x, -0) ? 0x8000 : 0, a = Math.abs(x);
    if (a >= 65520) return s | 0x7c00;
    if (a < 2 ** -14) return s | Math.round(a / 2 ** -24); // subnormal (Math.round ties away; fine for random data)
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    let m = Math.round((a / 2 ** e - 1) * 1024);
    if (m === 1024) { m = 0; e++; }
    return s | ((e + 15) << 10) | m;
  };
  const header: Record<string, unknown> = {};
  const chunks: Uint16Array[] = [];
  let off = 0;
  for (const [name, t] of tensors) {
    const v = t.dataSync() as Float32Array;
    const h = Uint16Array.from(v, dtype === 'F16' ? toF16 : toBf16);
    header[name] = { dtype, shape: t.shape, data_offsets: [off, off + h.byteLength] };
    off += h.byteLength;
    chunks.push(h);
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8) json += ' ';
  const buf = Buffer.alloc(8 + json.length + off);
  buf.writeBigUInt64LE(BigInt(json.length), 0);
  buf.write(json, 8, 'utf8');
  let p = 8 + json.length;
  for (const c of chunks) { Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(buf, p); p += c.byteLength; }
  fs.writeFileSync(file, buf);
}
