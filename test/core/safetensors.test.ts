// safetensors: round trip, half-precision widening, and errors that name the file and tensor.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, parseSafetensors, readSafetensors, writeSafetensors } from '../../src/core/safetensors';

function rawFile(header: object, data: Uint8Array): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips float32 and int32 tensors with metadata, 8-byte aligned', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
    const file = path.join(dir, 'a.safetensors');
    writeSafetensors(file, { w: { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, 7]) }, ids: { shape: [2], data: Int32Array.from([5, -1]) } }, { note: 'ünï' });
    const r = readSafetensors(file);
    expect(r.metadata).toEqual({ note: 'ünï' });
    expect(r.tensors['w']!.dtype).toBe('F32');
    expect(Array.from(r.tensors['w']!.data)).toEqual(Array.from(Float32Array.from([1, -2, 3.5, 0, 1e-8, 7])));
    expect(Array.from(r.tensors['ids']!.data)).toEqual([5, -1]);
    const headerLen = Number(Buffer.from(fs.readFileSync(file)).readBigUInt64LE(0));
    expect((8 + headerLen) % 8).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  it('widens F16 and BF16 to float32', () => {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800; BF16: 1.0 = 0x3f80, -3.0 = 0xc040
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer);
    const data = new Uint8Array(10);
    data.set(f16, 0);
    data.set(bf16, 6);
    const r = parseSafetensors(rawFile({ h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] }, b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] } }, data));
    expect(Array.from(r.tensors['h']!.data)).toEqual([1, -2, 0.5]);
    expect(Array.from(r.tensors['b']!.data)).toEqual([1, -3]);
  });

  it('names the file and tensor for truncated data, bad sizes and unknown dtypes', () => {
    const good = encodeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
    expect(() => parseSafetensors(good.subarray(0, good.length - 3), 'm.safetensors')).toThrow(/m\.safetensors: tensor "w" ends at byte .* \(truncated file\?\)/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), 'x')).toThrow(/tensor "w" \[3\] F32 needs 12 bytes/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'x')).toThrow(/unsupported dtype C64/);
    expect(() => readSafetensors('/nonexistent/none.safetensors')).toThrow(/no such safetensors file/);
  });
});
