// A small typed reader/writer for the safetensors format: an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then the raw little-endian bytes.
// Half-precision inputs (F16, BF16) are widened to float32 on read. Reference: huggingface/safetensors spec.
import * as fs from 'fs';
import { writeFileAtomic } from './io';

/** Element types the kit reads; it writes F32, I32 and I64 only. */
export type SafeDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8';

/** One tensor as stored: F32/F16/BF16 come back as Float32Array, integer types as Int32Array (I64 must fit in 32 bits). */
export interface SafeTensor {
  /** Stored element type. */
  readonly dtype: SafeDtype;
  /** Shape, row-major. */
  readonly shape: readonly number[];
  /** Values, widened to float32 / int32. */
  readonly data: Float32Array | Int32Array | Uint8Array;
}

/** A file's tensors and its free-form string metadata. */
export interface SafeFile {
  /** Tensors by name, in file order. */
  readonly tensors: Record<string, SafeTensor>;
  /** The __metadata__ block (strings only, per the spec). */
  readonly metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1 };

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function decode(file: string, name: string, dtype: SafeDtype, bytes: Buffer, n: number): Float32Array | Int32Array | Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = dv.getFloat32(4 * i, true); return o; }
    case 'F16': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = f16ToF32(dv.getUint16(2 * i, true)); return o; }
    case 'BF16': {
      const o = new Float32Array(n), u = new Uint32Array(o.buffer);
      for (let i = 0; i < n; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      return o;
    }
    case 'I32': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = dv.getInt32(4 * i, true); return o; }
    case 'I64': {
      const o = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${file}: tensor "${name}" holds int64 value ${v} that does not fit in int32`);
        o[i] = Number(v);
      }
      return o;
    }
    case 'U8': return new Uint8Array(bytes);
  }
}

/** One stored tensor, checked but not decoded: decode() widens it (a new array on every call). */
export interface LazySafeTensor {
  readonly dtype: SafeDtype;
  readonly shape: readonly number[];
  decode(): Float32Array | Int32Array | Uint8Array;
}

/** Parse a safetensors buffer; errors name the file and the offending tensor. */
export function parseSafetensors(buf: Uint8Array, file = '<buffer>'): SafeFile {
  const { tensors, metadata } = parseSafetensorsLazy(buf, file);
  return { tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.decode() }])), metadata };
}

/**
 * Parse and check a safetensors buffer without decoding any tensor, so a loader can widen one tensor at a
 * time (half precision never held beside a whole float32 copy); the entries keep `buf` alive.
 */
export function parseSafetensorsLazy(buf: Uint8Array, file = '<buffer>'): { tensors: Record<string, LazySafeTensor>; metadata: Record<string, string> } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.subarray(0, 40).toString('latin1').startsWith('version https://git-lfs')) {
    throw new Error(`${file}: is a Git LFS pointer (${b.length} bytes), not the weights: fetch them with \`git lfs pull\` in that repository, or download the model again`);
  }
  if (b.length < 8) throw new Error(`${file}: too short for a safetensors file (${b.length} bytes)`);
  const headerLen = Number(b.readBigUInt64LE(0));
  if (8 + headerLen > b.length) throw new Error(`${file}: header length ${headerLen} exceeds the file size ${b.length} (truncated file?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(b.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${file}: safetensors header is not a JSON object`);
  const base = 8 + headerLen;
  const tensors: Record<string, LazySafeTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (v ?? {}) as Record<string, string>;
      continue;
    }
    const t = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (!t.dtype || !(t.dtype in BYTES)) throw new Error(`${file}: tensor "${name}" has unsupported dtype ${String(t.dtype)}; supported: ${Object.keys(BYTES).join(', ')}`);
    if (!Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) throw new Error(`${file}: tensor "${name}" lacks shape or data_offsets`);
    const dtype = t.dtype as SafeDtype;
    const n = t.shape.reduce((a, c) => a * c, 1);
    const [s, e] = t.data_offsets;
    if (e - s !== n * BYTES[dtype]) throw new Error(`${file}: tensor "${name}" [${t.shape}] ${dtype} needs ${n * BYTES[dtype]} bytes, offsets give ${e - s}`);
    if (base + e > b.length) throw new Error(`${file}: tensor "${name}" ends at byte ${base + e} beyond the file size ${b.length} (truncated file?)`);
    const bytes = b.subarray(base + s, base + e);
    tensors[name] = { dtype, shape: t.shape, decode: () => decode(file, name, dtype, bytes, n) };
  }
  return { tensors, metadata };
}

/** Read a .safetensors file. */
export function readSafetensors(file: string): SafeFile {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such safetensors file`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a folder, expected a safetensors file`);
  return parseSafetensors(fs.readFileSync(file), file);
}

/** Read a .safetensors file's header; tensors are decoded when asked (see parseSafetensorsLazy). */
export function readSafetensorsLazy(file: string): { tensors: Record<string, LazySafeTensor>; metadata: Record<string, string> } {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such safetensors file`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a folder, expected a safetensors file`);
  return parseSafetensorsLazy(fs.readFileSync(file), file);
}

/** Serialise tensors (Float32Array -> F32, Int32Array -> I32) and string metadata. */
export function encodeSafetensors(tensors: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: Float32Array | Int32Array }>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, c) => a * c, 1);
    if (n !== t.data.length) throw new Error(`encodeSafetensors: tensor "${name}" has shape [${t.shape}] but ${t.data.length} values`);
    const dtype = t.data instanceof Float32Array ? 'F32' : 'I32';
    header[name] = { dtype, shape: t.shape, data_offsets: [off, off + 4 * n] };
    parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, 4 * n));
    off += 4 * n;
  }
  const raw = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.concat([raw, Buffer.from(' '.repeat((8 - (raw.length % 8)) % 8))]);  // keep the data 8-byte aligned
  const out = new Uint8Array(8 + head.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Write tensors to a .safetensors file atomically (a crash never leaves a partial file). */
export function writeSafetensors(file: string, tensors: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: Float32Array | Int32Array }>>, metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
